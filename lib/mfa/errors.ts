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
