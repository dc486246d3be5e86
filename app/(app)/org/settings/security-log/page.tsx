import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { EVENT_KIND_KEYS, kindLabel } from "@/lib/audit/kinds";
import { auditRetentionDays } from "@/lib/audit/retention";
import { EXPORT_MAX_ROWS, type LogEvent, listOrgEvents, parseSecurityLogQuery, type SecurityLogFilter } from "@/lib/audit/security-log";
import { fieldErrors } from "@/lib/auth/schemas";
import { requireOrgPermission } from "@/lib/auth/dal";
import { getT, inRequestLanguage, requestLocale } from "@/lib/auth/locale";
import { FORMAT_LOCALES } from "@/lib/i18n/locales";
import { listMembers } from "@/lib/org/members";
import { SettingsNav } from "../_components/settings-nav";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("securityLog"))("metaTitle") };
}

const PATH = "/org/settings/security-log";

/** The same filter (and optionally a page cursor) as query parameters, empty values left out. */
function query(filter: SecurityLogFilter, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, ...extra })) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : "";
}

const time = (e: LogEvent) => e.createdAt.toISOString().replace("T", " ").slice(0, 19);

function Person({ person, fallback }: { person: LogEvent["actor"]; fallback: string }) {
  if (!person) return <span className="text-gray-500">{fallback}</span>;
  return (
    <>
      <span className="block truncate text-gray-900">{person.name}</span>
      <span className="block truncate text-xs text-gray-500">{person.email}</span>
    </>
  );
}

const inputClass =
  "mt-1.5 block w-full rounded-lg border-0 bg-white px-3 py-2 text-sm text-gray-900 shadow-xs ring-1 ring-inset focus:ring-2 focus:ring-inset focus:ring-blue-600 focus:outline-none";

/** Admins only (lib/org/permissions.ts "security_log.view"): their own organisation's events, from their session. */
export default async function SecurityLogPage({ searchParams }: { searchParams?: Promise<Record<string, string | string[] | undefined>> } = {}) {
  const current = await requireOrgPermission("security_log.view");
  const [t, tOrg, locale] = await Promise.all([getT("securityLog"), getT("orgSettings"), requestLocale()]);
  const organisationId = current.organisation.id;
  const raw = (await searchParams) ?? {};
  const parsed = parseSecurityLogQuery(raw);
  const db = await getDb();
  const [members, page] = await Promise.all([
    listMembers(db, organisationId),
    // The labels are read in the request's language (lib/audit/kinds.ts).
    parsed.success ? inRequestLanguage(() => listOrgEvents(db, organisationId, parsed.data)) : Promise.resolve(null),
  ]);
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  const kindNames = await inRequestLanguage(() => Object.fromEntries(EVENT_KIND_KEYS.map((k) => [k, kindLabel(k)])));
  const filter: SecurityLogFilter = parsed.success
    ? { member: parsed.data.member, kind: parsed.data.kind, from: parsed.data.from, to: parsed.data.to }
    : {};
  const shown = (k: "member" | "kind" | "from" | "to") => (parsed.success ? filter[k] : [raw[k]].flat()[0]) ?? "";
  const filtered = Boolean(filter.member || filter.kind || filter.from || filter.to);
  const paged = Boolean(parsed.success && (parsed.data.before || parsed.data.after));
  const fieldError = (name: string) =>
    errors[name] ? (
      <p id={`log-${name}-error`} className="mt-1.5 text-sm text-red-600">
        {errors[name]}
      </p>
    ) : null;
  const described = (name: string) => (errors[name] ? { "aria-invalid": true, "aria-describedby": `log-${name}-error` } : {});

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{tOrg("title")}</h1>
        <p className="mt-1 text-sm text-gray-600">{tOrg("intro", { organisation: current.organisation.name })}</p>
      </div>
      <SettingsNav current="security-log" />
      <Card>
        <div className="flex flex-wrap items-start justify-between gap-3 border-b border-gray-100 px-5 py-4 sm:flex-nowrap sm:px-6">
          <div className="min-w-0 flex-1">
            <h2 className="text-base font-semibold text-gray-900">{t("title")}</h2>
            <p className="mt-1 text-sm text-gray-600">
              {t("intro", { days: auditRetentionDays() })}
            </p>
          </div>
          {parsed.success && (
            <a href={`${PATH}/export${query(filter)}`} className={buttonClass("secondary", "shrink-0 px-3 py-2")} download>
              <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4 text-gray-500">
                <path d="M10.75 2.75a.75.75 0 0 0-1.5 0v8.6L6.3 8.4a.75.75 0 1 0-1.1 1.02l4.25 4.5a.75.75 0 0 0 1.1 0l4.25-4.5a.75.75 0 1 0-1.1-1.02l-2.95 2.95v-8.6Z" />
                <path d="M3.5 12.75a.75.75 0 0 0-1.5 0v2.5A2.75 2.75 0 0 0 4.75 18h10.5A2.75 2.75 0 0 0 18 15.25v-2.5a.75.75 0 0 0-1.5 0v2.5c0 .69-.56 1.25-1.25 1.25H4.75c-.69 0-1.25-.56-1.25-1.25v-2.5Z" />
              </svg>
              {t("export")}
            </a>
          )}
        </div>

        <form method="get" action={PATH} className="grid gap-4 border-b border-gray-100 px-5 py-4 sm:grid-cols-2 sm:px-6 lg:grid-cols-[1.3fr_1.1fr_0.9fr_0.9fr_auto]" noValidate>
          <div>
            <label htmlFor="log-member" className="block text-sm font-medium text-gray-900">
              {t("member")}
            </label>
            <select id="log-member" name="member" defaultValue={shown("member")} className={`${inputClass} ring-gray-300`} {...described("member")}>
              <option value="">{t("allMembers")}</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name} ({m.email})
                </option>
              ))}
            </select>
            {fieldError("member")}
          </div>
          <div>
            <label htmlFor="log-kind" className="block text-sm font-medium text-gray-900">
              {t("kind")}
            </label>
            <select id="log-kind" name="kind" defaultValue={shown("kind")} className={`${inputClass} ring-gray-300`} {...described("kind")}>
              <option value="">{t("allKinds")}</option>
              {EVENT_KIND_KEYS.map((k) => (
                <option key={k} value={k}>
                  {kindNames[k]}
                </option>
              ))}
            </select>
            {fieldError("kind")}
          </div>
          <div>
            <label htmlFor="log-from" className="block text-sm font-medium text-gray-900">
              {t("from")}
            </label>
            <input id="log-from" type="date" name="from" defaultValue={shown("from")} className={`${inputClass} ${errors.from ? "ring-red-400" : "ring-gray-300"}`} {...described("from")} />
            {fieldError("from")}
          </div>
          <div>
            <label htmlFor="log-to" className="block text-sm font-medium text-gray-900">
              {t("to")}
            </label>
            <input id="log-to" type="date" name="to" defaultValue={shown("to")} className={`${inputClass} ${errors.to ? "ring-red-400" : "ring-gray-300"}`} {...described("to")} />
            {fieldError("to")}
          </div>
          <div className="flex items-center gap-2 self-start sm:col-span-2 lg:col-span-1 lg:pt-7">
            <button type="submit" className={buttonClass("primary", "px-3.5 py-2")}>
              {t("apply")}
            </button>
            {(filtered || !parsed.success) && (
              <Link href={PATH} className={buttonClass("ghost", "px-3 py-2")}>
                {t("clear")}
              </Link>
            )}
          </div>
        </form>

        {!parsed.success && (errors.before || errors.after) && (
          <div className="px-5 py-4 sm:px-6">
            <Alert tone="error">{errors.before ?? errors.after}</Alert>
          </div>
        )}
        {!parsed.success && !errors.before && !errors.after && (
          <div className="px-5 py-4 sm:px-6">
            <Alert tone="error">{t("checkFilter", { error: Object.values(errors)[0] ?? "" })}</Alert>
          </div>
        )}

        {page && page.events.length === 0 && (
          <p className="px-5 py-10 text-center text-sm text-gray-600 sm:px-6">
            {filtered ? t("noMatch") : t("none")}
          </p>
        )}

        {page && page.events.length > 0 && (
          <>
            <table className="hidden w-full table-fixed text-left text-sm md:table" aria-label={t("events")}>
              <thead className="border-b border-gray-100 text-xs font-medium tracking-wide text-gray-500 uppercase">
                <tr>
                  <th scope="col" className="w-40 py-3 pr-2 pl-6 font-medium">
                    {t("columns.time")}
                  </th>
                  <th scope="col" className="px-2 py-3 font-medium">
                    {t("columns.event")}
                  </th>
                  <th scope="col" className="w-48 px-2 py-3 font-medium">
                    {t("columns.by")}
                  </th>
                  <th scope="col" className="w-48 px-2 py-3 font-medium">
                    {t("columns.affected")}
                  </th>
                  <th scope="col" className="w-40 py-3 pr-6 pl-2 font-medium">
                    {t("columns.browser")}
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-100">
                {page.events.map((e) => (
                  <tr key={e.id} className="align-top">
                    <td className="py-3 pr-2 pl-6 font-mono text-xs whitespace-nowrap text-gray-600 tabular-nums">
                      <time dateTime={e.createdAt.toISOString()}>{time(e)}</time>
                    </td>
                    <td className="px-2 py-3">
                      <span className="block font-medium text-gray-900">{e.label}</span>
                      {e.detail && <span className="mt-0.5 block text-xs break-words text-gray-500">{e.detail}</span>}
                    </td>
                    <td className="px-2 py-3">
                      <Person person={e.actor} fallback={t("unknown")} />
                    </td>
                    <td className="px-2 py-3">
                      {e.subject && e.actor && e.subject.id === e.actor.id ? (
                        <span className="text-gray-500">{t("themselves")}</span>
                      ) : (
                        <Person person={e.subject} fallback="—" />
                      )}
                    </td>
                    <td className="py-3 pr-6 pl-2 text-xs text-gray-600">
                      <span className="block truncate">{e.browser}</span>
                      <span className="block truncate font-mono">{e.ip ?? t("ipUnknown")}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul className="divide-y divide-gray-100 md:hidden" aria-label={t("events")}>
              {page.events.map((e) => (
                <li key={e.id} className="space-y-1 px-5 py-3.5">
                  <div className="flex items-baseline justify-between gap-3">
                    <span className="font-medium text-gray-900 text-sm">{e.label}</span>
                    <time dateTime={e.createdAt.toISOString()} className="shrink-0 font-mono text-xs text-gray-500 tabular-nums">
                      {time(e).slice(0, 16)}
                    </time>
                  </div>
                  {e.detail && <p className="text-xs break-words text-gray-500">{e.detail}</p>}
                  <p className="text-xs text-gray-600">
                    {e.actor ? t("byPerson", { name: e.actor.name, email: e.actor.email }) : t("byUnknown")}
                    {e.subject && e.subject.id !== e.actor?.id ? ` · ${t("affected", { name: e.subject.name, email: e.subject.email })}` : ""}
                  </p>
                  <p className="text-xs text-gray-500">
                    {e.browser} · <span className="font-mono">{e.ip ?? t("ipUnknown")}</span>
                  </p>
                </li>
              ))}
            </ul>
          </>
        )}

        {page && (page.newer || page.older || paged) && (
          <nav aria-label={t("pages")} className="flex flex-wrap items-center justify-between gap-3 border-t border-gray-100 px-5 py-3 sm:px-6">
            <div className="flex gap-2">
              {paged && (
                <Link href={`${PATH}${query(filter)}`} className={buttonClass("ghost", "px-3 py-1.5")}>
                  {t("newest")}
                </Link>
              )}
              {page.newer && (
                <Link href={`${PATH}${query(filter, { after: page.newer })}`} className={buttonClass("secondary", "px-3 py-1.5")} rel="prev">
                  <span aria-hidden="true">←</span> {t("newer")}
                </Link>
              )}
            </div>
            {page.older && (
              <Link href={`${PATH}${query(filter, { before: page.older })}`} className={buttonClass("secondary", "px-3 py-1.5")} rel="next">
                {t("older")} <span aria-hidden="true">→</span>
              </Link>
            )}
          </nav>
        )}
      </Card>
      <p className="text-xs text-gray-500">
        {t("exportNote", { max: EXPORT_MAX_ROWS.toLocaleString(FORMAT_LOCALES[locale]) })}
      </p>
    </div>
  );
}
