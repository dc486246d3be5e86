import { appLink } from "./links";
import type { EmailMessage, NoticeKind } from "./messages";

/** Every notice kind, in the order the samples list them. */
export const NOTICE_KINDS: NoticeKind[] = [
  "new_browser_sign_in",
  "password_changed",
  "password_reset",
  "mfa_enabled",
  "mfa_disabled",
  "factor_added",
  "factor_removed",
  "backup_codes_regenerated",
  "backup_code_used",
  "mfa_reset_by_admin",
  "org_requires_mfa",
  "email_changed",
];

const SAMPLE_TOKEN = "sample-token-not-valid-for-anything-000000";

/**
 * One message of every template and every notice kind, with made-up names and links that open nothing real
 * (the tokens are not issued): for the template tests and the development outbox's samples.
 */
export function sampleMessages(now = new Date()): EmailMessage[] {
  const at = now.toISOString();
  const origin = { browser: "Firefox on Windows", ip: "203.0.113.24" };
  const secure = appLink("/login");
  const notices: EmailMessage[] = NOTICE_KINDS.map((kind) => ({
    template: "security_notice",
    name: "Ada Lovelace",
    kind,
    at,
    origin,
    detail: {
      method: kind.startsWith("factor_") ? "totp" : undefined,
      organisation: "Acme Feedback",
      remaining: kind === "backup_code_used" ? 7 : undefined,
      newAddress: kind === "email_changed" ? "ada.new@example.com" : undefined,
      admin: kind === "mfa_reset_by_admin" ? "Anna de Vries" : undefined,
    },
    actionLink: secure,
  }));
  return [
    { template: "verify_email", name: "Ada Lovelace", link: appLink("/verify-email", { token: SAMPLE_TOKEN }), hours: 24 },
    { template: "sign_up_attempt", name: "Ada Lovelace", signInLink: appLink("/login"), resetLink: appLink("/reset-password", { token: SAMPLE_TOKEN }) },
    { template: "password_reset", name: "Ada Lovelace", link: appLink("/reset-password", { token: SAMPLE_TOKEN }), minutes: 30 },
    {
      template: "invitation",
      organisation: "Acme Feedback",
      inviter: "Anna de Vries",
      role: "member",
      link: appLink(`/invite/${SAMPLE_TOKEN}`),
      expiresAt: new Date(now.getTime() + 7 * 24 * 3600_000).toISOString(),
    },
    { template: "change_email", name: "Ada Lovelace", link: appLink("/account/email/confirm", { token: SAMPLE_TOKEN }), hours: 24 },
    {
      template: "mfa_reminder",
      name: "Ada Lovelace",
      organisation: "Acme Feedback",
      deadline: new Date(now.getTime() + 7 * 24 * 3600_000).toISOString(),
      link: appLink("/account/mfa-setup"),
    },
    { template: "email_code", name: "Ada Lovelace", code: "482913", minutes: 10 },
    ...notices,
  ];
}
