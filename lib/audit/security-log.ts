import { and, asc, desc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "@/db/connect";
import { auditEvents, users } from "@/db/schema";
import { describeBrowser } from "@/lib/account/user-agent";
import { describeDetail, EVENT_KIND_KEYS, EVENT_KINDS, type EventKind, eventLabel } from "./kinds";

/**
 * The organisation's security log: every audited event recorded for the organisation (lib/audit/events.ts
 * stamps each with the member's organisation), newest first. Pages are keyset-paginated on (created_at, id),
 * never OFFSET: a page's cursor names the last row it showed, so events that arrive meanwhile do not shift the
 * pages being read, and the export walks the same cursor in batches. The organisation always comes from the
 * admin's session; members see only their own events (My account), as before.
 */

/** Events per page on the settings page. */
export const LOG_PAGE_SIZE = 50;
/** Rows per query while exporting. */
export const EXPORT_BATCH_SIZE = 1000;
/** The most rows one export holds; narrow the dates for more. */
export const EXPORT_MAX_ROWS = 100_000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day (YYYY-MM-DD): "2026-02-30" is refused, not rolled over. */
const isDay = (v: string) => DAY.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/** "2026-12-07T10:31:05.123456Z|<uuid>", base64url: the exact timestamp (microseconds) and id of a row. */
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
type Cursor = { at: string; id: string };
export const encodeCursor = (c: Cursor) => Buffer.from(`${c.at}|${c.id}`).toString("base64url");
function decodeCursor(value: string): Cursor | null {
  if (value.length > 200) return null;
  const match = CURSOR.exec(Buffer.from(value, "base64url").toString("utf8"));
  return match ? { at: match[1], id: match[2] } : null;
}

const optional = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
const day = (message: string) => z.preprocess(optional, z.string().refine(isDay, message).optional());
const cursor = z.preprocess(
  optional,
  z
    .string()
    .transform((v, ctx) => {
      const decoded = decodeCursor(v);
      if (decoded) return decoded;
      ctx.addIssue({ code: "custom", message: "This page link is not valid. Start from the newest events." });
      return z.NEVER;
    })
    .optional(),
);

/** The filter as the page's form and the export link send it (query parameters). */
export const securityLogQuerySchema = z
  .object({
    member: z.preprocess(optional, z.uuid("Choose a member from the list.").optional()),
    kind: z.preprocess(optional, z.enum(EVENT_KIND_KEYS as [EventKind, ...EventKind[]], "Choose a kind of event from the list.").optional()),
    from: day("Enter the first day as a date, like 2026-01-31."),
    to: day("Enter the last day as a date, like 2026-01-31."),
    before: cursor,
    after: cursor,
  })
  .refine((f) => !(f.from && f.to && f.from > f.to), { path: ["to"], message: "The last day cannot be before the first day." });

export type SecurityLogQuery = z.output<typeof securityLogQuerySchema>;
export type SecurityLogFilter = Pick<SecurityLogQuery, "member" | "kind" | "from" | "to">;

/** Parses query parameters (a URLSearchParams or a page's searchParams); the first value of a repeated key counts. */
export function parseSecurityLogQuery(params: URLSearchParams | Record<string, string | string[] | undefined>) {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : [params[k]].flat()[0]) ?? undefined;
  const values = Object.fromEntries(["member", "kind", "from", "to", "before", "after"].map((k) => [k, get(k)]));
  return securityLogQuerySchema.safeParse(values);
}

export interface LogEvent {
  id: string;
  /** The row's exact time (microseconds, UTC), as the cursor holds it. */
  at: string;
  createdAt: Date;
  action: string;
  label: string;
  actor: { id: string; name: string; email: string } | null;
  subject: { id: string; name: string; email: string } | null;
  browser: string;
  ip: string | null;
  detail: string;
}

const actorUser = alias(users, "actor_user");
const subjectUser = alias(users, "subject_user");
const exactTime = sql<string>`to_char(${auditEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function filterSql(organisationId: string, filter: SecurityLogFilter): SQL {
  const parts: (SQL | undefined)[] = [eq(auditEvents.organisationId, organisationId)];
  if (filter.member) parts.push(or(eq(auditEvents.userId, filter.member), eq(auditEvents.actorId, filter.member)));
  if (filter.kind) parts.push(or(...EVENT_KINDS[filter.kind].prefixes.map((p) => sql`starts_with(${auditEvents.action}, ${p})`)));
  if (filter.from) parts.push(gte(auditEvents.createdAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) parts.push(lt(auditEvents.createdAt, new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000)));
  return and(...parts) as SQL;
}

/** One keyset read: `before` a cursor newest first, or `after` it oldest first; `limit` rows at most. */
async function readEvents(db: Db, organisationId: string, filter: SecurityLogFilter, page: { before?: Cursor; after?: Cursor; limit: number }) {
  const keyset = page.before
    ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${page.before.at}::timestamptz, ${page.before.id}::uuid)`
    : page.after
      ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) > (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
      : undefined;
  const rows = await db
    .select({
      id: auditEvents.id,
      at: exactTime,
      createdAt: auditEvents.createdAt,
      action: auditEvents.action,
      ip: auditEvents.ip,
      userAgent: auditEvents.userAgent,
      detail: auditEvents.detail,
      actorId: auditEvents.actorId,
      actorName: actorUser.name,
      actorEmail: actorUser.email,
      subjectId: auditEvents.userId,
      subjectName: subjectUser.name,
      subjectEmail: subjectUser.email,
    })
    .from(auditEvents)
    .leftJoin(actorUser, eq(actorUser.id, auditEvents.actorId))
    .leftJoin(subjectUser, eq(subjectUser.id, auditEvents.userId))
    .where(and(filterSql(organisationId, filter), keyset))
    .orderBy(...(page.after ? [asc(auditEvents.createdAt), asc(auditEvents.id)] : [desc(auditEvents.createdAt), desc(auditEvents.id)]))
    .limit(page.limit);
  return rows.map(
    (r): LogEvent => ({
      id: r.id,
      at: r.at,
      createdAt: r.createdAt,
      action: r.action,
      label: eventLabel(r.action, r.detail),
      actor: r.actorId && r.actorName !== null && r.actorEmail !== null ? { id: r.actorId, name: r.actorName, email: r.actorEmail } : null,
      subject: r.subjectId && r.subjectName !== null && r.subjectEmail !== null ? { id: r.subjectId, name: r.subjectName, email: r.subjectEmail } : null,
      browser: describeBrowser(r.userAgent),
      ip: r.ip,
      detail: describeDetail(r.detail),
    }),
  );
}

export interface LogPage {
  events: LogEvent[];
  /** Cursor for the page of newer events (null on the newest page). */
  newer: string | null;
  /** Cursor for the page of older events (null on the oldest page). */
  older: string | null;
}

/**
 * One page of the log, newest first. `before` continues to older events, `after` goes back to newer ones; a
 * page that reaches the newest event is shown as the first page (so it is full).
 */
export async function listOrgEvents(
  db: Db,
  organisationId: string,
  query: Pick<SecurityLogQuery, "member" | "kind" | "from" | "to" | "before" | "after">,
  limit = LOG_PAGE_SIZE,
): Promise<LogPage> {
  const filter = { member: query.member, kind: query.kind, from: query.from, to: query.to };
  if (query.after && !query.before) {
    const newerRows = await readEvents(db, organisationId, filter, { after: query.after, limit: limit + 1 });
    if (newerRows.length > limit) {
      const events = newerRows.slice(0, limit).reverse();
      return { events, newer: encodeCursor(events[0]), older: encodeCursor(events[events.length - 1]) };
    }
    return listOrgEvents(db, organisationId, filter, limit);
  }
  const rows = await readEvents(db, organisationId, filter, { before: query.before, limit: limit + 1 });
  const events = rows.slice(0, limit);
  const last = events.at(-1);
  return {
    events,
    newer: query.before && events.length > 0 ? encodeCursor(events[0]) : null,
    older: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/**
 * The filtered log for export, newest first, in batches of `batchSize` rows read one after the other with the
 * keyset cursor: never more than one batch in memory, and the next one is read only when the consumer asks
 * (the route's stream pulls). Stops after `maxRows`.
 */
export async function* exportOrgEvents(
  db: Db,
  organisationId: string,
  filter: SecurityLogFilter,
  options: { batchSize?: number; maxRows?: number } = {},
): AsyncGenerator<LogEvent[], void, undefined> {
  const batchSize = options.batchSize ?? EXPORT_BATCH_SIZE;
  const maxRows = options.maxRows ?? EXPORT_MAX_ROWS;
  let before: Cursor | undefined;
  let total = 0;
  while (total < maxRows) {
    const limit = Math.min(batchSize, maxRows - total);
    const rows = await readEvents(db, organisationId, filter, { before, limit });
    if (rows.length === 0) return;
    total += rows.length;
    yield rows;
    if (rows.length < limit) return;
    const last = rows[rows.length - 1];
    before = { at: last.at, id: last.id };
  }
}

// ---------------------------------------------------------------- CSV

export const CSV_COLUMNS = ["Time (UTC)", "Action", "Event code", "Actor", "Actor email", "Subject", "Subject email", "Browser", "IP address", "Details"];

/**
 * One CSV field (RFC 4180): always quoted, quotes doubled, so commas and line breaks stay inside it. A value
 * that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe first (OWASP "CSV Injection"): an attacker's name like `=HYPERLINK(...)` stays text.
 */
export function csvField(value: string | null | undefined): string {
  const text = value ?? "";
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export const csvLine = (fields: (string | null | undefined)[]) => `${fields.map(csvField).join(",")}\r\n`;

export function csvRecord(e: LogEvent): string {
  return csvLine([
    e.at,
    e.label,
    e.action,
    e.actor?.name,
    e.actor?.email,
    e.subject?.name,
    e.subject?.email,
    e.browser,
    e.ip,
    e.detail,
  ]);
}
