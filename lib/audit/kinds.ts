/**
 * How the organisation's security log groups and names audit events. A kind is a set of action prefixes, so an
 * action added later falls into its kind by its name ("mfa.passkey_added" is a sign-in method change) and the
 * filter never misses it; its label falls back to the action's code until it gets one here.
 */
export const EVENT_KINDS = {
  sign_in: { label: "Sign-ins", prefixes: ["sign_in.", "step_up."] },
  // "trusted_browser." and "trusted_browsers." (Forget all): browsers that skip the second factor.
  sessions: { label: "Sessions", prefixes: ["session.", "trusted_browser"] },
  mfa: { label: "Sign-in methods", prefixes: ["mfa."] },
  account: { label: "Account and password", prefixes: ["user.", "password.", "email."] },
  organisation: { label: "Organisation and members", prefixes: ["org."] },
} as const satisfies Record<string, { label: string; prefixes: readonly string[] }>;

export type EventKind = keyof typeof EVENT_KINDS;
export const EVENT_KIND_KEYS = Object.keys(EVENT_KINDS) as EventKind[];

/** What happened, in words that read the same whoever looks (the actor and the subject are columns of their own). */
const LABELS: Record<string, string> = {
  "user.signed_up": "Account created",
  "user.language_changed": "Language changed",
  "sign_in.succeeded": "Signed in",
  "sign_in.failed_password": "Sign-in failed: wrong password",
  "sign_in.failed_code": "Sign-in failed: wrong code",
  "sign_in.failed_passkey": "Sign-in failed: passkey not verified",
  "sign_in.mfa_locked": "Sign-in stopped after too many wrong codes",
  "step_up.failed_password": "Wrong password while confirming a change",
  "session.signed_out": "Signed out",
  "session.revoked": "Signed out another session",
  "session.others_revoked": "Signed out all other sessions",
  "trusted_browser.added": "Browser trusted: no code at its next sign-ins",
  "trusted_browser.forgotten": "Trusted browser forgotten",
  "trusted_browsers.forgotten_all": "All trusted browsers forgotten",
  "mfa.enabled": "Multi-factor authentication turned on",
  "mfa.disabled": "Multi-factor authentication turned off",
  "mfa.phone_changed": "Phone number changed",
  "mfa.sms_failed": "A text message could not be sent",
  "mfa.factor_added": "Sign-in method added",
  "mfa.factor_replaced": "Authenticator app replaced",
  "mfa.factor_removed": "Sign-in method removed",
  "mfa.backup_codes_generated": "New backup codes created",
  "mfa.backup_code_used": "Backup code used",
  "mfa.passkey_renamed": "Passkey renamed",
  "mfa.passkey_cloned": "Passkey refused: its signature counter went backwards (a copied key)",
  "mfa.reenrol_proven": "Identity confirmed before setting up MFA again",
  "password.changed": "Password changed",
  "org.created": "Organisation created",
  "org.renamed": "Organisation renamed",
  "org.mfa_methods_changed": "Allowed sign-in methods changed",
  "org.mfa_required": "Multi-factor authentication required",
  "org.mfa_not_required": "Multi-factor authentication no longer required",
  "org.mfa_deadline_changed": "MFA deadline changed",
  "org.mfa_reminders_sent": "MFA reminders sent",
  "org.trusted_browsers_changed": "How long trusted browsers skip MFA changed",
  "org.security_log_exported": "Security log exported",
  "org.invitation_created": "Invitation created",
  "org.invitation_revoked": "Invitation revoked",
  "org.invitation_accepted": "Joined the organisation",
  "org.member_role_changed": "Role changed",
  "org.member_removed": "Removed from the organisation",
  "org.member_mfa_reset": "Multi-factor authentication reset by an admin",
  "org.admin_mfa_reset": "Told of an admin's MFA reset",
};

export function eventLabel(action: string, detail?: Record<string, unknown> | null): string {
  if (action === "sign_in.succeeded" && detail?.method === "trusted_browser") return "Signed in from a trusted browser";
  return LABELS[action] ?? action;
}

export function kindOf(action: string): EventKind | null {
  return EVENT_KIND_KEYS.find((k) => EVENT_KINDS[k].prefixes.some((p) => action.startsWith(p))) ?? null;
}

type DetailValue = string | number | boolean | null | string[];
const FIRST_KEYS = ["method", "from", "to"];
const METHOD_NAMES: Record<string, string> = { passkey: "passkey", totp: "authenticator app", sms: "text message", backup: "backup code", trusted_browser: "trusted browser" };

/**
 * The event's detail as a short line ("method: authenticator app · other sessions ended: 2"), never more than
 * the detail holds (audit rows carry no secrets: lib/audit/events.ts).
 */
export function describeDetail(detail: Record<string, DetailValue> | null | undefined): string {
  if (!detail) return "";
  const words = (key: string) => key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  // jsonb keeps keys by length, not as written: read "from" before "to" again.
  const rank = (key: string) => {
    const i = FIRST_KEYS.indexOf(key);
    return i === -1 ? FIRST_KEYS.length : i;
  };
  return Object.entries(detail)
    .sort(([a], [b]) => rank(a) - rank(b))
    // Internal ids (an invitation's, a factor's) mean nothing to a reader; the row names the people.
    .filter(([k, v]) => v !== null && v !== "" && !/Id$/.test(k))
    .map(([k, v]) => {
      const value = Array.isArray(v)
        ? v.join(", ")
        : typeof v === "boolean"
          ? v
            ? "yes"
            : "no"
          : k === "method" && typeof v === "string"
            ? (METHOD_NAMES[v] ?? v)
            : String(v);
      return `${words(k)}: ${value}`;
    })
    .join(" · ");
}
