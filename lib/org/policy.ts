import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { organisations } from "@/db/schema";
import { type LoginMethod, MFA_METHODS } from "@/lib/mfa/method";

/**
 * The organisation's MFA rules, in one place: the gate, the DAL and the MFA domain all ask here. An
 * organisation's settings are read fresh on every request (the session lookup joins them), so a change
 * applies from each member's next request.
 */
export type MfaMethodsSetting = "any" | "totp_only" | "passkey_only";

export interface MfaPolicy {
  /** Every member must have a second factor: from `enforcedFrom` on, before using anything else. */
  required: boolean;
  /**
   * With `required`: the end of the grace period, from which members without a factor are held at setup.
   * Before it they see a reminder and keep working. Null or absent: held from the moment it was required.
   */
  enforcedFrom?: Date | null;
  /**
   * "totp_only": text messages are not accepted as a factor (NIST SP 800-63B 3.2.9 calls SMS restricted);
   * authenticator apps and passkeys are. "passkey_only": only phishing-resistant authenticators (NIST SP
   * 800-63B 3.2.5; WebAuthn), so passkeys and security keys, with backup codes kept for recovery.
   */
  methods: MfaMethodsSetting;
}

/** A user without an organisation has no organisation policy. */
export const NO_POLICY: MfaPolicy = { required: false, enforcedFrom: null, methods: "any" };

/** The organisation's columns the policy is read from (a session lookup joins them). */
export type PolicyColumns = { mfaRequired: boolean; mfaMethods: MfaMethodsSetting; mfaEnforcedFrom?: Date | null };

export function policyOf(organisation: PolicyColumns | null | undefined): MfaPolicy {
  return organisation ? { required: organisation.mfaRequired, enforcedFrom: organisation.mfaEnforcedFrom ?? null, methods: organisation.mfaMethods } : NO_POLICY;
}

/** The policy as it is in the database now (inside the caller's transaction, when given one). */
export async function readMfaPolicy(db: Db, organisationId: string | null): Promise<MfaPolicy> {
  if (!organisationId) return NO_POLICY;
  const [org] = await db
    .select({ mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods, mfaEnforcedFrom: organisations.mfaEnforcedFrom })
    .from(organisations)
    .where(eq(organisations.id, organisationId));
  return policyOf(org);
}

/** Whether the requirement holds members without a factor at `now`: it is on and its grace period (if any) is over. */
export function requirementEnforced(policy: MfaPolicy, now: Date): boolean {
  return policy.required && (!policy.enforcedFrom || policy.enforcedFrom.getTime() <= now.getTime());
}

/** Where a method is being used: signing in, adding it, or proving it before a change. */
export type MethodUse = "sign_in" | "enroll" | "step_up";

/** What the rules need to know about the member: whether they hold an authenticator app, a passkey. */
export type MethodHolder = { hasTotp: boolean; hasPasskey: boolean };

/**
 * The methods a member may use for each purpose. "Authenticator app only" keeps text messages out of
 * enrolment, and out of sign-in and step-up for every member who has an app or a passkey (so a SIM swap
 * gets nobody in, NIST SP 800-63B 3.2.9). "Passkeys and security keys only" keeps every other factor out of
 * enrolment, and out of sign-in and step-up for every member who has a passkey; backup codes stay, as the
 * recovery a lost key needs. A member who does not hold an allowed factor yet may still use the ones they
 * have to sign in and to prove themselves while adding one: they are held at setup until they do
 * (needsMfaSetup), and refusing it would leave them no way in but an admin's reset.
 */
export function allowedMethods(policy: MfaPolicy, use: MethodUse, holder: MethodHolder): readonly LoginMethod[] {
  if (policy.methods === "passkey_only" && (use === "enroll" || holder.hasPasskey)) return MFA_METHODS.filter((m) => m === "passkey" || m === "backup");
  const smsBarred = policy.methods === "totp_only" && (use === "enroll" || holder.hasTotp || holder.hasPasskey);
  return smsBarred ? MFA_METHODS.filter((m) => m !== "sms") : MFA_METHODS;
}

export function methodAllowed(policy: MfaPolicy, use: MethodUse, method: LoginMethod, holder: MethodHolder): boolean {
  return allowedMethods(policy, use, holder).includes(method);
}

/** Why the policy refuses adding `method` (the error code the enrolment answers), or null when it allows it. */
export function enrolmentRefusal(policy: MfaPolicy, method: LoginMethod): "passkeys_only" | "sms_not_allowed" | null {
  if (methodAllowed(policy, "enroll", method, { hasTotp: false, hasPasskey: false })) return null;
  return policy.methods === "passkey_only" ? "passkeys_only" : "sms_not_allowed";
}

/** Whether a member may remove their last factor (turning MFA off): not where the organisation requires MFA. */
export function mayRemoveLastFactor(policy: MfaPolicy): boolean {
  return !policy.required;
}

type Current = { user: { mfaEnabled: boolean; hasTotp: boolean; hasPasskey: boolean }; organisation: PolicyColumns | null };

/**
 * Whether the policy holds this user at MFA setup at `now`: the organisation requires MFA, its grace period
 * is over and the user has none; or it allows only authenticator apps (or passkeys) and the user has MFA
 * without an allowed factor (that applies at once: those members have a factor already). A passkey counts
 * as MFA everywhere: it proves possession and, with user verification, a PIN or biometric. The gate (proxy.ts) and the guards
 * (lib/auth/dal.ts) both ask this, so both apply the same rule from the next request on, and a deadline
 * brought forward holds members at their very next request.
 */
export function needsMfaSetup(current: Current, now: Date = new Date()): boolean {
  const policy = policyOf(current.organisation);
  const enforced = requirementEnforced(policy, now);
  if (enforced && !current.user.mfaEnabled) return true;
  if (!enforced && !current.user.mfaEnabled) return false;
  if (policy.methods === "passkey_only") return !current.user.hasPasskey;
  return policy.methods === "totp_only" && !current.user.hasTotp && !current.user.hasPasskey;
}

/**
 * The grace period as this user lives it: the deadline while the organisation requires MFA from a moment
 * still ahead and the user has no factor yet (they see a reminder on every page and keep working); null
 * otherwise. A member who joins during the grace period gets the time that is left; after it, none.
 */
export function mfaGraceDeadline(current: Current, now: Date = new Date()): Date | null {
  const policy = policyOf(current.organisation);
  if (!policy.required || current.user.mfaEnabled || requirementEnforced(policy, now)) return null;
  return policy.enforcedFrom ?? null;
}
