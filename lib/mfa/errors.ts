/** Error codes the MFA domain returns; actions turn them into these sentences. */
export const MFA_ERRORS = {
  code_empty: "Enter the 6-digit code.",
  code_format: "The code is 6 digits, numbers only.",
  code_wrong: "That code is not right. Check the latest message and try again.",
  code_expired: "This code has expired. Ask for a new one.",
  code_locked: "Too many wrong codes. Start again to get a new code.",
  challenge_missing: "This verification is no longer open. Start again.",
  resend_cooldown: "Wait a moment before asking for another code.",
  sms_failed: "We could not send the code. Try again in a moment.",
  password_wrong: "That password is not right.",
  password_throttled: "Too many wrong passwords.",
  step_up_required: "Confirm your password first.",
  factor_required: "Confirm with a code from your authenticator app, your phone or a backup code first.",
  phone_in_use: "This number is already registered for your account.",
  org_requires_mfa: "Your organisation requires multi-factor authentication, so it cannot be switched off.",
  phone_country: "We cannot send text messages to this country. Use a number from another country, or contact support.",
  phone_premium: "This is a premium-rate or shared-cost number. Use a mobile number.",
  no_factor: "Multi-factor authentication is not set up.",
  method_not_allowed: "Your organisation does not allow this method for signing in. Choose another one.",
  email_unverified: "Confirm your email address first: open the link we sent you, or use Resend email at the top of the page.",
  sms_not_allowed: "Your organisation allows only authenticator apps, so text messages cannot be used. Add an authenticator app instead.",
  passkeys_only: "Your organisation allows only passkeys and security keys. Add a passkey instead.",
  reenrol_proof_required: "Your admin reset your multi-factor authentication: confirm your email address (or enter the access code your admin gave you) first.",
  reenrol_not_needed: "There is nothing to confirm: set up your sign-in method.",
  reenrol_wrong_proof: "Your admin chose another way to confirm it is you. Reload the page and follow the steps shown.",
  email_limit: "We have sent you several codes already.",
  access_code_format: "The access code is 16 letters and digits, like 7K3M-Q9XD-2BHP-R4TW.",
  access_code_wrong: "That access code is not right. Check it with your admin.",
  access_code_unavailable: "This access code has expired, was used or was tried too often. Ask your admin to reset your multi-factor authentication again.",
} as const;

export type MfaError = keyof typeof MFA_ERRORS;

/** "Try again in 3 minutes." — for every limit that says when to come back. */
export function retryMessage(retryAt: Date, now = new Date()): string {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  if (seconds < 90) return `Try again in ${seconds} seconds.`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `Try again in ${minutes} minutes.`;
  return `Try again in ${Math.ceil(minutes / 60)} hours.`;
}
