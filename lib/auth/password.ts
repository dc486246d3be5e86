import bcrypt from "bcrypt";
import { breachCheckEnabled, isPwnedPassword } from "./breached-password";
import { say } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";
import { isCommonPassword } from "./password-blocklist";

/** bcrypt cost; default 12 (about 170 ms here). BCRYPT_COST overrides it (tests use 4). */
export function bcryptCost(): number {
  const n = Number(process.env.BCRYPT_COST);
  return Number.isInteger(n) && n >= 4 && n <= 15 ? n : 12;
}

export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

/** NIST SP 800-63B 3.1.1.2: length counts Unicode code points, so an emoji is one character, not two. */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** In English; passwordProblem answers in the request's language (lib/i18n/context.ts). */
export const COMMON_PASSWORD_MESSAGE = ENGLISH.validation.commonPassword;
const COMMON_PASSWORD = () => say("validation.commonPassword");

/**
 * What is wrong with a new password (sign-up, invitation, password change), or null. NIST SP 800-63B 3.1.1.2:
 * at least 8 characters, no composition rules, not on the blocklist of common and breached passwords.
 * Never called at sign-in: an existing password is only compared.
 */
export function passwordProblem(password: string): string | null {
  if (passwordLength(password) < PASSWORD_MIN_LENGTH) return say("validation.useAtLeast", { min: PASSWORD_MIN_LENGTH });
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES) return say("validation.useAtMostMaxBytes", { max: PASSWORD_MAX_BYTES });
  if (isCommonPassword(password)) return COMMON_PASSWORD();
  return null;
}

/** In English; newPasswordProblem answers in the request's language. */
export const BREACHED_PASSWORD_MESSAGE = ENGLISH.validation.breachedPassword;

/** passwordProblem, then (PASSWORD_BREACH_CHECK=hibp) Have I Been Pwned's breach corpus: for the domain, which may wait on the network. */
export async function newPasswordProblem(password: string): Promise<string | null> {
  const problem = passwordProblem(password);
  if (problem || !breachCheckEnabled()) return problem;
  return (await isPwnedPassword(password)) ? say("validation.breachedPassword") : null;
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, bcryptCost());
}

let dummyHash: Promise<string> | null = null;

/**
 * Compares against the user's hash, or against a dummy hash of the same cost when there is no user,
 * so an unknown email costs the same time as a wrong password.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES) {
    dummyHash ??= bcrypt.hash("dummy-password-for-timing", bcryptCost());
    await bcrypt.compare("x", await dummyHash);
    return false;
  }
  if (!hash) {
    dummyHash ??= bcrypt.hash("dummy-password-for-timing", bcryptCost());
    await bcrypt.compare(password, await dummyHash);
    return false;
  }
  return bcrypt.compare(password, hash);
}
