import { and, eq, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { memberships, mfaReminders, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { appLink } from "@/lib/email/links";
import { queueEmails } from "@/lib/email/outbox";
import { LIMITS } from "@/lib/security/limits";
import { takeBudgets } from "@/lib/security/rate-limit";
import type { OrgActor, OrgError } from "./errors";
import { lockWithPermission } from "./members";

/**
 * Reminders to set up MFA while an organisation's requirement approaches (and after it, for whoever is still
 * held). A member gets at most one a day, whoever sends it: the mfa_reminders row (user, UTC day) is written
 * with ON CONFLICT DO NOTHING in the transaction that queues the email, so two app instances, or the schedule
 * and an admin, never send two the same day.
 */

/** The scheduled reminders: this many days before the deadline, and on the day. */
export const REMINDER_DAYS_BEFORE = [7, 3, 1, 0] as const;
/** Reminder rows are kept this long (they only need to outlive their day). */
const KEEP_REMINDER_ROWS_DAYS = 60;

const SETUP_PATH = "/account/mfa-setup";

/** The UTC calendar day of `now`, as Postgres's `date` reads it (YYYY-MM-DD). */
export const utcDay = (now: Date) => now.toISOString().slice(0, 10);

type Due = { user_id: string; email: string; name: string; organisation_name: string; deadline: string };

function reminderEmails(rows: Due[]) {
  return rows.map((r) => ({
    userId: r.user_id,
    to: r.email,
    message: { template: "mfa_reminder" as const, name: r.name, organisation: r.organisation_name, deadline: r.deadline, link: appLink(SETUP_PATH) },
  }));
}

/**
 * The periodic job (lib/jobs/periodic.ts): for every organisation whose deadline is 7, 3 or 1 days ahead or
 * today (UTC days), one reminder to each member still without MFA. Safe to run on several instances at once
 * and more than once a day. Returns how many emails it queued.
 */
export async function queueScheduledReminders(db: Db, now: Date): Promise<number> {
  const day = utcDay(now);
  const queued = await db.transaction(async (tx) => {
    const result = await tx.execute(sql`
      with due as (
        select o.id, o.name, to_char(o.mfa_enforced_from at time zone 'UTC', 'YYYY-MM-DD') as deadline
        from organisations o
        where o.mfa_required and o.mfa_enforced_from is not null
          and ((o.mfa_enforced_from at time zone 'UTC')::date - ${day}::date) in (${sql.join(REMINDER_DAYS_BEFORE.map((d) => sql`${d}`), sql`, `)})
      ),
      sent as (
        insert into mfa_reminders (user_id, day, organisation_id, kind)
        select m.user_id, ${day}::date, due.id, 'scheduled'
        from due join memberships m on m.organisation_id = due.id join users u on u.id = m.user_id
        where not u.mfa_enabled
        on conflict do nothing
        returning user_id, organisation_id
      )
      select u.id as user_id, u.email, u.name, due.name as organisation_name, due.deadline
      from sent join users u on u.id = sent.user_id join due on due.id = sent.organisation_id`);
    const rows = rowsOf<Due>(result);
    await queueEmails(tx, reminderEmails(rows));
    return rows.length;
  });
  await db.delete(mfaReminders).where(sql`${mfaReminders.day} < ${utcDay(new Date(now.getTime() - KEEP_REMINDER_ROWS_DAYS * 86_400_000))}::date`);
  return queued;
}

export type RemindResult =
  | { ok: false; error: OrgError }
  | { ok: false; error: "rate_limited"; retryAt: Date }
  | { ok: true; sent: number; alreadyToday: number };

/**
 * An admin's "Remind" (one member) or "Remind all" (everyone still without MFA): each press takes one unit of
 * the organisation's hourly budget first (LIMITS.mfaRemindersPerOrg, ASVS 5.0 2.4.1), and each member is
 * reminded at most once a UTC day, scheduled reminders included. Only while the organisation requires MFA.
 */
export async function remindMembers(
  db: Db,
  actor: OrgActor,
  input: { userId?: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<RemindResult> {
  const now = input.now ?? new Date();
  const budget = await takeBudgets(db, [{ key: `mfa_remind:org:${actor.organisationId}`, ...LIMITS.mfaRemindersPerOrg() }], now);
  if (!budget.ok) return { ok: false, error: "rate_limited", retryAt: budget.retryAt };
  return db.transaction(async (tx): Promise<RemindResult> => {
    const refused = await lockWithPermission(tx, actor, "members.remind_mfa", now);
    if (refused) return { ok: false, error: refused };
    const [org] = await tx
      .select({ name: organisations.name, required: organisations.mfaRequired, enforcedFrom: organisations.mfaEnforcedFrom, requiredAt: organisations.mfaRequiredAt })
      .from(organisations)
      .where(eq(organisations.id, actor.organisationId));
    if (!org?.required) return { ok: false, error: "mfa_not_required" };
    const targets = await tx
      .select({ userId: users.id, email: users.email, name: users.name, mfaEnabled: users.mfaEnabled })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, actor.organisationId), input.userId ? eq(users.id, input.userId) : eq(users.mfaEnabled, false)));
    if (input.userId && targets.length === 0) return { ok: false, error: "not_found" };
    if (input.userId && targets[0].mfaEnabled) return { ok: false, error: "already_set_up" };
    if (targets.length === 0) return { ok: true, sent: 0, alreadyToday: 0 };
    const day = utcDay(now);
    const inserted = await tx
      .insert(mfaReminders)
      .values(targets.map((m) => ({ userId: m.userId, day, organisationId: actor.organisationId, kind: "admin" as const })))
      .onConflictDoNothing()
      .returning({ userId: mfaReminders.userId });
    const fresh = new Set(inserted.map((r) => r.userId));
    const deadline = utcDay(org.enforcedFrom ?? org.requiredAt ?? now);
    await queueEmails(
      tx,
      reminderEmails(
        targets.filter((m) => fresh.has(m.userId)).map((m) => ({ user_id: m.userId, email: m.email, name: m.name, organisation_name: org.name, deadline })),
      ),
    );
    const result = { sent: fresh.size, alreadyToday: targets.length - fresh.size };
    await recordEvent(tx, {
      action: "org.mfa_reminders_sent",
      userId: input.userId ?? actor.userId,
      actorId: actor.userId,
      organisationId: actor.organisationId,
      detail: { ...result, scope: input.userId ? "member" : "all" },
      ...input.info,
    });
    return { ok: true, ...result };
  });
}

/** The members reminded today (UTC), so the page can say so instead of offering the button again. */
export async function remindedToday(db: Db, organisationId: string, now = new Date()): Promise<Set<string>> {
  const rows = await db
    .select({ userId: mfaReminders.userId })
    .from(mfaReminders)
    .where(and(eq(mfaReminders.organisationId, organisationId), eq(mfaReminders.day, utcDay(now))));
  return new Set(rows.map((r) => r.userId));
}
