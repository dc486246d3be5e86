import { Card, CardHeader } from "@/components/ui/card";
import { describeBrowser } from "@/lib/account/user-agent";
import { getDateFormat, getT, requestLocale } from "@/lib/auth/locale";
import { ENGLISH } from "@/lib/i18n/messages";

/** The event labels are the messages `activity.labels.<action>` (the action's dots nest the keys). */
const LABELLED = new Set(Object.entries(ENGLISH.activity.labels).flatMap(([group, keys]) => Object.keys(keys).map((key) => `${group}.${key}`)));
const METHODS = new Set(Object.keys(ENGLISH.activity.describe.added));

type Say = (key: string, values?: Record<string, string | number>) => string;

type Event = {
  id: string;
  action: string;
  actorId?: string | null;
  userId?: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  detail?: Record<string, string | number | boolean | null | string[]> | null;
};

/** "Ada Lovelace (ada@example.com)" from an event's detail; null when it names nobody. */
function person(name: unknown, email: unknown): string | null {
  if (typeof name === "string" && typeof email === "string") return `${name} (${email})`;
  return typeof email === "string" ? email : typeof name === "string" ? name : null;
}

/** The label, made specific where the event's detail says which method, how many codes are left, or who did what to whom. */
function describe(t: Say, e: Event): string {
  if (e.action === "org.admin_mfa_reset") {
    const target = person(e.detail?.targetName, e.detail?.targetEmail);
    const actor = person(e.detail?.actorName, e.detail?.actorEmail);
    if (e.actorId && e.actorId === e.userId) return target ? t("describe.adminResetByYou", { target }) : t("describe.adminResetByYouAnother");
    if (actor) return target ? t("describe.adminResetBy", { actor, target }) : t("describe.adminResetByAnother", { actor });
    return target ? t("describe.adminResetByAdmin", { target }) : t("describe.adminResetByAdminAnother");
  }
  if (e.action === "org.member_mfa_reset" && e.detail?.by === "operator") return t("describe.resetBySupport");
  if (e.action === "email.changed" && typeof e.detail?.to === "string") return t("describe.emailChangedTo", { email: e.detail.to });
  if (e.action === "sign_in.succeeded" && e.detail?.method === "trusted_browser") return t("describe.trustedBrowser");
  if (e.action === "org.mfa_reminders_sent")
    return e.actorId && e.actorId !== e.userId ? t("describe.remindedYou") : t("describe.remindedMembers");
  const method = typeof e.detail?.method === "string" && METHODS.has(e.detail.method) ? e.detail.method : undefined;
  const name = typeof e.detail?.name === "string" ? e.detail.name : null;
  if (e.action === "sign_in.succeeded" && e.detail?.method === "passkey") return e.detail.passwordless ? t("describe.passwordless") : t("describe.passwordAndPasskey");
  if (e.detail?.method === "passkey" && name && (e.action === "mfa.factor_added" || e.action === "mfa.enabled")) return t("describe.passkeyAdded", { name });
  if (e.detail?.method === "passkey" && name && e.action === "mfa.factor_removed") return t("describe.passkeyRemoved", { name });
  if (e.action === "mfa.passkey_renamed" && name) return t("describe.passkeyRenamed", { name });
  if (method && e.action === "mfa.factor_added") return t(`describe.added.${method}`);
  if (method && e.action === "mfa.factor_removed") return t(`describe.removed.${method}`);
  const left = e.detail?.remaining;
  if (e.action === "mfa.backup_code_used" && typeof left === "number") return t("describe.backupCodeUsed", { count: left });
  return LABELLED.has(e.action) ? t(`labels.${e.action}`) : e.action;
}

export async function ActivityCard({ events }: { events: Event[] }) {
  const [t, timeFormat, locale] = await Promise.all([getT("activity"), getDateFormat({ dateStyle: "medium", timeStyle: "short" }), requestLocale()]);
  const say = t as unknown as Say;
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      {events.length === 0 ? (
        <p className="px-5 py-4 text-sm text-gray-600 sm:px-6">{t("none")}</p>
      ) : (
        <ul className="divide-y divide-gray-100">
          {events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-5 py-3 sm:px-6">
              <span className="text-sm text-gray-900">{describe(say, e)}</span>
              <span className="text-xs text-gray-500">
                <time dateTime={e.createdAt.toISOString()}>{timeFormat.format(e.createdAt)}</time>
                {" · "}
                {describeBrowser(e.userAgent, locale)}
                {e.ip ? ` · ${e.ip}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
