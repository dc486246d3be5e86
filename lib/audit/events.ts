import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { auditEvents } from "@/db/schema";

export type AuditAction =
  | "user.signed_up"
  | "sign_in.succeeded"
  | "sign_in.failed_password"
  | "sign_in.failed_code"
  | "sign_in.mfa_locked"
  | "step_up.failed_password"
  | "session.signed_out"
  | "session.revoked"
  | "mfa.enabled"
  | "mfa.disabled"
  | "mfa.phone_changed"
  | "mfa.sms_failed"
  | "mfa.factor_added"
  | "mfa.factor_replaced"
  | "mfa.factor_removed"
  | "mfa.backup_codes_generated"
  | "mfa.backup_code_used"
  | "mfa.reenrol_proven"
  | "password.changed"
  | "session.others_revoked"
  | "org.created"
  | "org.renamed"
  | "org.mfa_methods_changed"
  | "org.mfa_required"
  | "org.mfa_not_required"
  | "org.mfa_deadline_changed"
  | "org.mfa_reminders_sent"
  | "org.security_log_exported"
  | "org.invitation_created"
  | "org.invitation_revoked"
  | "org.invitation_accepted"
  | "org.member_role_changed"
  | "org.member_removed"
  | "org.member_mfa_reset"
  | "org.admin_mfa_reset";

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

type Detail = Record<string, string | number | boolean | null | string[]>;

/** Control characters are stripped so an event can never forge extra lines in an export or log. */
export function clean(value: string | null, max: number): string | null {
  return value === null ? null : value.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, max);
}

type AuditEvent = {
  action: AuditAction;
  userId?: string | null;
  actorId?: string | null;
  organisationId?: string | null;
  detail?: Detail;
} & Partial<RequestInfo>;

/** A well-formed event row: the actor defaults to the subject, and free text is cleaned and cut. */
function eventRow(event: AuditEvent) {
  return {
    action: event.action,
    userId: event.userId ?? null,
    actorId: event.actorId ?? event.userId ?? null,
    organisationId: event.organisationId ?? null,
    ip: clean(event.ip ?? null, 64),
    userAgent: clean(event.userAgent ?? null, 300),
    detail: event.detail ?? null,
  };
}

export async function recordEvent(db: Db, event: AuditEvent): Promise<void> {
  await db.insert(auditEvents).values(eventRow(event));
}

/** Several events in one statement (one row each), e.g. the same notice in every admin's own list. */
export async function recordEvents(db: Db, events: AuditEvent[]): Promise<void> {
  if (events.length > 0) await db.insert(auditEvents).values(events.map(eventRow));
}

/** The same event as an INSERT ... SELECT for a single statement: written once per row of `from`, at `now`. */
export function recordEventSql(event: AuditEvent & { now: Date; from: SQL }) {
  const row = eventRow(event);
  return sql`insert into audit_events (user_id, actor_id, organisation_id, action, ip, user_agent, detail, created_at)
      select ${row.userId}::uuid, ${row.actorId}::uuid, ${row.organisationId}::uuid, ${row.action},
        ${row.ip}, ${row.userAgent}, ${row.detail === null ? null : JSON.stringify(row.detail)}::jsonb, ${event.now.toISOString()}::timestamptz
      from ${event.from}`;
}

export function listUserEvents(db: Db, userId: string, limit = 20) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId)))
    .orderBy(desc(auditEvents.createdAt))
    .limit(limit);
}
