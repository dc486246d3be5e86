/** The ways a user can prove their second factor, strongest first (the order sign-in and step-up offer them). */
export const MFA_METHODS = ["passkey", "totp", "sms", "backup"] as const;
export type LoginMethod = (typeof MFA_METHODS)[number];
/** The methods that are registered devices (rows in mfa_factors); backup codes are issued with the first one. */
export type FactorKind = Exclude<LoginMethod, "backup">;

export function isLoginMethod(value: unknown): value is LoginMethod {
  return typeof value === "string" && (MFA_METHODS as readonly string[]).includes(value);
}
