import { sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { describeBrowser } from "@/lib/account/user-agent";
import type { NoticeKind } from "@/lib/email/messages";
import { type Notice, queueNoticeSql } from "@/lib/email/notices";
import { noteQueuedEmail } from "@/lib/email/outbox";
import type { AuditAction } from "./actions";

type Detail = Record<string, string | number | boolean | null | string[]>;

/**
 * The audited changes that are also told to the account's owner by email, where someone who did not make
 * them will see it (OWASP ASVS 5.0 6.3.7; NIST SP 800-63B 6.1.2.1 asks for a notice when an authenticator
 * is bound). A new line here is all a new notice needs; the template says what each kind means.
 */
const NOTICES: Partial<Record<AuditAction, NoticeKind>> = {
  "password.changed": "password_changed",
  "password.reset": "password_reset",
  "mfa.enabled": "mfa_enabled",
  "mfa.disabled": "mfa_disabled",
  "mfa.factor_added": "factor_added",
  "mfa.factor_replaced": "factor_added",
  "mfa.phone_changed": "factor_added",
  "mfa.factor_removed": "factor_removed",
  "mfa.backup_codes_generated": "backup_codes_regenerated",
  "mfa.backup_code_used": "backup_code_used",
  "org.member_mfa_reset": "mfa_reset_by_admin",
};

/**
 * Which factor the notice is about, as data: the email names it in the recipient's language when it is sent
 * (lib/email/templates/security-notice.tsx). A name the user gave it (a passkey's) is kept as written.
 */
function factorOf(detail: Detail | undefined): Pick<NonNullable<Notice["detail"]>, "method" | "phoneLast4" | "factor"> {
  const method = typeof detail?.method === "string" ? detail.method : null;
  if (!method) return {};
  return {
    method,
    ...(typeof detail?.name === "string" ? { factor: detail.name } : {}),
    ...(method === "sms" && typeof detail?.phoneLast4 === "string" ? { phoneLast4: detail.phoneLast4 } : {}),
  };
}

/** The notice an audited event calls for, or null. */
export function noticeFor(event: { action: AuditAction; detail?: Detail; ip?: string | null; userAgent?: string | null }, at: Date): Notice | null {
  const kind = NOTICES[event.action];
  if (!kind) return null;
  const detail: Notice["detail"] = { ...factorOf(event.detail) };
  if (typeof event.detail?.remaining === "number") detail.remaining = event.detail.remaining;
  return { kind, at, origin: originOf(event), detail };
}

export function originOf(info: { ip?: string | null; userAgent?: string | null }) {
  return { browser: info.userAgent ? describeBrowser(info.userAgent) : null, ip: info.ip ?? null };
}

/** Queues the owner's notice for an event that calls for one; nothing otherwise (no query). */
export async function queueNoticeFor(
  db: Db,
  event: { action: AuditAction; userId?: string | null; detail?: Detail; ip?: string | null; userAgent?: string | null },
  at = new Date(),
): Promise<void> {
  const notice = event.userId ? noticeFor(event, at) : null;
  if (!notice) return;
  await db.execute(queueNoticeSql(notice, sql`(select ${event.userId}::uuid as user_id) as subject`));
  noteQueuedEmail();
}
