import { Card, CardHeader } from "@/components/ui/card";
import { describeBrowser } from "@/lib/account/user-agent";
import { getDateFormat, getT } from "@/lib/auth/locale";

const LABELS: Record<string, string> = {
  "user.signed_up": "Account created",
  "sign_in.succeeded": "Signed in",
  "sign_in.failed_password": "Sign-in failed: wrong password",
  "sign_in.failed_code": "Sign-in failed: wrong code",
  "sign_in.mfa_locked": "Sign-in stopped after too many wrong codes",
  "step_up.failed_password": "Wrong password while confirming a change",
  "session.signed_out": "Signed out",
  "session.revoked": "Signed out a session",
  "session.others_revoked": "Signed out all other sessions",
  "trusted_browser.added": "You trusted a browser: it skips the code at sign-in",
  "trusted_browser.forgotten": "You forgot a trusted browser",
  "trusted_browsers.forgotten_all": "You forgot all trusted browsers",
  "org.trusted_browsers_changed": "You changed how long members may skip MFA on trusted browsers",
  "mfa.enabled": "Multi-factor authentication turned on",
  "mfa.disabled": "Multi-factor authentication turned off",
  "mfa.phone_changed": "Phone number changed",
  "mfa.sms_failed": "A text message could not be sent",
  "mfa.factor_added": "Sign-in method added",
  "mfa.factor_replaced": "Authenticator app replaced",
  "mfa.factor_removed": "Sign-in method removed",
  "mfa.backup_codes_generated": "New backup codes created",
  "mfa.backup_code_used": "A backup code was used",
  "mfa.passkey_renamed": "Passkey renamed",
  "mfa.passkey_cloned": "A passkey was refused: it looks copied",
  "sign_in.failed_passkey": "Sign-in failed: passkey not verified",
  "email.verified": "Email address confirmed",
  "password.changed": "Password changed",
  "password.reset_requested": "Password reset link requested",
  "password.reset": "Password reset with an email link",
  "password.reset_failed_code": "Password reset stopped: wrong code",
  "password.reset_mfa_locked": "Password reset link ended after too many wrong codes",
  "email.change_requested": "Change of email address requested",
  "email.change_cancelled": "Change of email address cancelled",
  "email.changed": "Email address changed",
  "org.member_mfa_reset": "Multi-factor authentication reset by an admin",
  "org.admin_mfa_reset": "An admin's multi-factor authentication was reset",
  "org.member_role_changed": "Your role was changed by an admin",
  "org.member_removed": "Removed from the organisation by an admin",
  "org.invitation_accepted": "Joined the organisation",
  "org.created": "You created an organisation",
  "org.mfa_required": "You required multi-factor authentication for the organisation",
  "org.mfa_not_required": "You stopped requiring multi-factor authentication",
  "org.mfa_methods_changed": "You changed which sign-in methods the organisation allows",
  "org.renamed": "You renamed the organisation",
  "org.invitation_created": "You invited someone",
  "org.invitation_revoked": "You revoked an invitation",
  "org.mfa_deadline_changed": "You changed when the organisation requires multi-factor authentication",
  "org.security_log_exported": "You exported the organisation's security log",
  "mfa.reenrol_proven": "You confirmed it is you before setting up multi-factor authentication again",
};

const METHODS: Record<string, string> = { passkey: "Passkey", totp: "Authenticator app", sms: "Phone number" };

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
function describe(e: Event): string {
  if (e.action === "org.admin_mfa_reset") {
    const target = person(e.detail?.targetName, e.detail?.targetEmail) ?? "another admin";
    const actor = e.actorId && e.actorId === e.userId ? "You" : (person(e.detail?.actorName, e.detail?.actorEmail) ?? "An admin");
    return `${actor} reset the multi-factor authentication of admin ${target}`;
  }
  if (e.action === "org.member_mfa_reset" && e.detail?.by === "operator") return "Multi-factor authentication reset by support";
  if (e.action === "email.changed" && typeof e.detail?.to === "string") return `Email address changed to ${e.detail.to}`;
  if (e.action === "sign_in.succeeded" && e.detail?.method === "trusted_browser") return "Signed in from a trusted browser";
  if (e.action === "org.mfa_reminders_sent")
    return e.actorId && e.actorId !== e.userId ? "An admin reminded you to set up multi-factor authentication" : "You reminded members to set up multi-factor authentication";
  const method = typeof e.detail?.method === "string" ? METHODS[e.detail.method] : undefined;
  const name = typeof e.detail?.name === "string" ? e.detail.name : null;
  if (e.action === "sign_in.succeeded" && e.detail?.method === "passkey") return e.detail.passwordless ? "Signed in with a passkey" : "Signed in (password and passkey)";
  if (e.detail?.method === "passkey" && name && (e.action === "mfa.factor_added" || e.action === "mfa.enabled")) return `Passkey “${name}” added`;
  if (e.detail?.method === "passkey" && name && e.action === "mfa.factor_removed") return `Passkey “${name}” removed`;
  if (e.action === "mfa.passkey_renamed" && name) return `Passkey renamed to “${name}”`;
  if (method && e.action === "mfa.factor_added") return `${method} added`;
  if (method && e.action === "mfa.factor_removed") return `${method} removed`;
  const left = e.detail?.remaining;
  if (e.action === "mfa.backup_code_used" && typeof left === "number") return `A backup code was used (${left} left)`;
  return LABELS[e.action] ?? e.action;
}

export async function ActivityCard({ events }: { events: Event[] }) {
  const [t, timeFormat] = await Promise.all([getT("activity"), getDateFormat({ dateStyle: "medium", timeStyle: "short" })]);
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      {events.length === 0 ? (
        <p className="px-5 py-4 text-sm text-gray-600 sm:px-6">{t("none")}</p>
      ) : (
        <ul className="divide-y divide-gray-100">
          {events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-5 py-3 sm:px-6">
              <span className="text-sm text-gray-900">{describe(e)}</span>
              <span className="text-xs text-gray-500">
                <time dateTime={e.createdAt.toISOString()}>{timeFormat.format(e.createdAt)}</time>
                {" · "}
                {describeBrowser(e.userAgent)}
                {e.ip ? ` · ${e.ip}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
