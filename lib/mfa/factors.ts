import { backupCodesFactor } from "./backup-codes";
import type { Factor, MethodSummary } from "./factor";
import { type LoginMethod, MFA_METHODS } from "./method";
import { passkeyFactor } from "./passkey";
import { smsFactor } from "./sms";
import { totpFactor } from "./totp";

/**
 * The registry: every second factor the product knows. A new factor is a new folder exporting a Factor,
 * its name in MFA_METHODS (lib/mfa/method.ts) and one line here; the type makes the line required.
 */
export const FACTORS: Record<LoginMethod, Factor> = {
  passkey: passkeyFactor,
  totp: totpFactor,
  sms: smsFactor,
  backup: backupCodesFactor,
};

export const factorFor = (method: LoginMethod): Factor => FACTORS[method];

/** Every refusal sentence a factor can give, for actions that answer for several methods. */
export const FACTOR_ERRORS: Readonly<Record<string, string>> = Object.defineProperties(
  {},
  // The factors' sentences are read in the current language each time (lib/i18n/context.ts): copy the getters, not their values.
  Object.assign({}, ...MFA_METHODS.map((m) => Object.getOwnPropertyDescriptors(FACTORS[m].errors))),
);

/** "Passkey, Authenticator app, SMS ending in 1234": the registered factors (not backup codes), strongest first. */
export function describeFactors(summary: MethodSummary): string[] {
  return MFA_METHODS.filter((m) => m !== "backup")
    .map((m) => FACTORS[m].describe(summary))
    .filter((d): d is string => d !== null);
}
