import { and, desc, eq } from "drizzle-orm";
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
  | "password.changed"
  | "session.others_revoked"
  | "org.created"
  | "org.renamed"
  | "org.mfa_methods_changed"
  | "org.mfa_required"
  | "org.mfa_not_required"
  | "org.invitation_created"
  | "org.invitation_revoked"
  | "org.invitation_accepted"
  | "org.member_role_changed"
  | "org.member_removed"
  | "org.member_mfa_reset";

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

type Detail = Record<string, string | number | boolean | null | string[]>;

/** Control characters are stripped so an event can never forge extra lines in an export or log. */
export function clean(value: string | null, max: number): string | null {
  return value === null ? null : value.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, max);
}

export async function recordEvent(
  db: Db,
  event: {
    action: AuditAction;
    userId?: string | null;
    actorId?: string | null;
    organisationId?: string | null;
    detail?: Detail;
  } & Partial<RequestInfo>,
): Promise<void> {
  await db.insert(auditEvents).values({
    action: event.action,
    userId: event.userId ?? null,
    actorId: event.actorId ?? event.userId ?? null,
    organisationId: event.organisationId ?? null,
    ip: clean(event.ip ?? null, 64),
    userAgent: clean(event.userAgent ?? null, 300),
    detail: event.detail ?? null,
  });
}

export function listUserEvents(db: Db, userId: string, limit = 20) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId)))
    .orderBy(desc(auditEvents.createdAt))
    .limit(limit);
}
