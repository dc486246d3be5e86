/**
 * Whether the organisation's policy holds this user at MFA setup: the organisation requires MFA and the
 * user has none, or it allows only authenticator apps and the user has MFA without one. Shared by the
 * gate (proxy.ts) and the guards (dal.ts), so both apply the same rule from the next request on.
 */
export function needsMfaSetup(current: {
  user: { mfaEnabled: boolean; hasTotp: boolean };
  organisation: { mfaRequired: boolean; mfaMethods: "any" | "totp_only" } | null;
}): boolean {
  const org = current.organisation;
  if (!org) return false;
  if (org.mfaRequired && !current.user.mfaEnabled) return true;
  return org.mfaMethods === "totp_only" && (org.mfaRequired || current.user.mfaEnabled) && !current.user.hasTotp;
}
