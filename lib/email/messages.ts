/**
 * Every email the product sends, by template. A flow queues one of these (lib/email/outbox.ts); the sender
 * renders it with the template of the same name (lib/email/templates/). Props named in SEALED_PROPS carry a
 * token and are stored encrypted until the message is sent.
 */

/** Which browser and network a change came from, as the notice shows it; null where unknown. */
export interface Origin {
  /** A short description of the browser, e.g. "Chrome on macOS" (lib/account/user-agent.ts). */
  browser: string | null;
  ip: string | null;
}

/** The security notices: something changed on the account, and the owner should know if it was not them. */
export type NoticeKind =
  | "new_browser_sign_in"
  | "password_changed"
  | "password_reset"
  | "mfa_enabled"
  | "mfa_disabled"
  | "factor_added"
  | "factor_removed"
  | "backup_codes_regenerated"
  | "backup_code_used"
  | "mfa_reset_by_admin"
  | "org_requires_mfa"
  | "email_changed";

export type EmailMessage =
  /** A link that proves the address (sign-up). */
  | { template: "verify_email"; name: string; link: string; hours: number }
  /** Someone tried to sign up with an address that already has an account. */
  | { template: "sign_up_attempt"; name: string; signInLink: string; resetLink: string }
  /** A password-reset link. */
  | { template: "password_reset"; name: string; link: string; minutes: number }
  /** An invitation to join an organisation. */
  | { template: "invitation"; organisation: string; inviter: string; role: "admin" | "member"; link: string; expiresAt: string }
  /** A link that proves a new address before it replaces the old one. */
  | { template: "change_email"; name: string; link: string; hours: number }
  /** The organisation requires MFA from `deadline` (ISO date) and this member has not set it up yet. */
  | { template: "mfa_reminder"; name: string; organisation: string; deadline: string; link: string }
  /** A one-time code proving the address, e.g. before enrolling a factor again after an admin's reset. */
  | { template: "email_code"; name: string; code: string; minutes: number }
  /**
   * A security notice. `at` is an ISO timestamp; `detail` says which factor (its method, the number's last four
   * digits, or the name the user gave it), the organisation, or the count of backup codes left, as the kind needs.
   */
  | {
      template: "security_notice";
      name: string;
      kind: NoticeKind;
      at: string;
      origin: Origin;
      detail?: { method?: string; phoneLast4?: string; factor?: string; organisation?: string; remaining?: number; newAddress?: string; admin?: string; from?: string };
      /** Where to go if it was not them (sign in, reset the password). */
      actionLink: string;
    };

export type EmailTemplate = EmailMessage["template"];

/** Props that carry a token: encrypted at rest in the outbox and erased once sent. */
export const SEALED_PROPS = ["link", "resetLink", "code"] as const;
