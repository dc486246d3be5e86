/**
 * Every abuse limit in one place. Each reads an environment variable and falls back to the default
 * named in its comment (documented in .env.example). Per-IP limits apply only when the client address is
 * known, which needs TRUSTED_PROXY_HOPS (lib/auth/request-info.ts): a forged X-Forwarded-For never counts.
 */
function intFromEnv(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const LIMITS = {
  /** Failed passwords per account from one browser (its device id) before delays start (5); then 30 s, doubling, at most 15 min. Never a permanent lock. */
  signInAccount: () => ({ free: intFromEnv("LIMIT_SIGNIN_ACCOUNT_FAILURES", 5), baseDelayMs: 30_000, maxDelayMs: 15 * MINUTE }),
  /**
   * Failed passwords per account from browsers that never signed in as it (50); then 1 min, doubling, at
   * most 1 h. Far looser than the per-browser limit above, so an attacker elsewhere cannot keep the owner
   * out of a browser they have used before, yet spraying the account from fresh browsers still stops.
   */
  signInAccountWide: () => ({ free: intFromEnv("LIMIT_SIGNIN_ACCOUNT_WIDE_FAILURES", 50), baseDelayMs: MINUTE, maxDelayMs: HOUR }),
  /** Wrong current passwords per user while signed in (step-up, password change) before delays start (5); then 30 s, doubling, at most 15 min. */
  stepUpAccount: () => ({ free: intFromEnv("LIMIT_STEP_UP_FAILURES", 5), baseDelayMs: 30_000, maxDelayMs: 15 * MINUTE }),
  /** Failed passwords per IP before delays start (20); then 30 s, doubling, at most 15 min. */
  signInIp: () => ({ free: intFromEnv("LIMIT_SIGNIN_IP_FAILURES", 20), baseDelayMs: 30_000, maxDelayMs: 15 * MINUTE }),
  /** Wrong MFA codes per account across challenges (10 in a row); then 15 min, doubling, at most 24 h. */
  mfaAccount: () => ({ free: intFromEnv("LIMIT_MFA_FAILURES", 10), baseDelayMs: 15 * MINUTE, maxDelayMs: 24 * HOUR }),
  /** SMS per user per hour (5). */
  smsPerUser: () => ({ max: intFromEnv("LIMIT_SMS_PER_USER_HOUR", 5), windowMs: HOUR }),
  /** SMS per phone number per hour (5). */
  smsPerPhone: () => ({ max: intFromEnv("LIMIT_SMS_PER_PHONE_HOUR", 5), windowMs: HOUR }),
  /** SMS per client IP per hour (10). */
  smsPerIp: () => ({ max: intFromEnv("LIMIT_SMS_PER_IP_HOUR", 10), windowMs: HOUR }),
  /** Sign-in and step-up texts (to registered numbers) for the whole app per day (1000): a spend cap in case everything else is bypassed. */
  smsGlobalDaily: () => ({ max: intFromEnv("SMS_DAILY_CAP", 1000), windowMs: 24 * HOUR }),
  /**
   * Enrolment texts (to numbers not yet registered) for the whole app per day (300), a budget of its own: a
   * script that signs up and registers numbers spends this one, and members' sign-in texts still go out.
   */
  smsEnrollDaily: () => ({ max: intFromEnv("SMS_ENROLL_DAILY_CAP", 300), windowMs: 24 * HOUR }),
  /** Emailed one-time codes per user per hour (5): the email proof before enrolling again after an admin's reset. */
  emailCodesPerUser: () => ({ max: intFromEnv("LIMIT_EMAIL_CODES_PER_USER_HOUR", 5), windowMs: HOUR }),
  /** "Remind" and "Remind all" presses per organisation per hour (20); each member gets at most one reminder a day anyway. */
  mfaRemindersPerOrg: () => ({ max: intFromEnv("LIMIT_MFA_REMINDERS_PER_ORG_HOUR", 20), windowMs: HOUR }),
  /** Sign-ups per client IP per hour (10). */
  signUpPerIp: () => ({ max: intFromEnv("LIMIT_SIGNUP_PER_IP_HOUR", 10), windowMs: HOUR }),
  /** Sign-ups for the whole app per hour (200). */
  signUpGlobal: () => ({ max: intFromEnv("LIMIT_SIGNUP_HOUR", 200), windowMs: HOUR }),
  /** Verification emails per user per hour (5), sign-up's included: "Resend email" cannot be used to flood an inbox. */
  verifyEmailPerUser: () => ({ max: intFromEnv("LIMIT_VERIFY_EMAIL_PER_USER_HOUR", 5), windowMs: HOUR }),
  /** "Someone tried to sign up with your address" emails per address per day (3). */
  signUpNoticePerAddress: () => ({ max: intFromEnv("LIMIT_SIGNUP_NOTICE_PER_ADDRESS_DAY", 3), windowMs: 24 * HOUR }),
  /** Invitation emails per invitation per hour (3), the first one included. */
  invitationEmailsPerInvitation: () => ({ max: intFromEnv("LIMIT_INVITATION_EMAILS_PER_INVITATION_HOUR", 3), windowMs: HOUR }),
  /** Invitation emails per organisation per day (100). */
  invitationEmailsPerOrg: () => ({ max: intFromEnv("LIMIT_INVITATION_EMAILS_PER_ORG_DAY", 100), windowMs: 24 * HOUR }),
  /** Password-reset requests per email address per hour (5), known or not: one inbox is not flooded with links. */
  resetPerAddress: () => ({ max: intFromEnv("LIMIT_RESET_PER_ADDRESS_HOUR", 5), windowMs: HOUR }),
  /** Password-reset requests per client IP per hour (20): one client cannot mail many people. */
  resetPerIp: () => ({ max: intFromEnv("LIMIT_RESET_PER_IP_HOUR", 20), windowMs: HOUR }),
  /** Email-change links per user per hour (5): a signed-in account cannot be used to mail many addresses. */
  emailChangePerUser: () => ({ max: intFromEnv("LIMIT_EMAIL_CHANGE_PER_USER_HOUR", 5), windowMs: HOUR }),
  /** Passwordless passkey prompts started per client IP per hour (300): each stores a challenge row until it expires. */
  passkeySignInPerIp: () => ({ max: intFromEnv("LIMIT_PASSKEY_SIGNIN_PER_IP_HOUR", 300), windowMs: HOUR }),
  /** Passwordless passkey prompts started per browser (device id) per hour (60). */
  passkeySignInPerDevice: () => ({ max: intFromEnv("LIMIT_PASSKEY_SIGNIN_PER_DEVICE_HOUR", 60), windowMs: HOUR }),
};
