import bcrypt from "bcrypt";
import { breachCheckEnabled, isPwnedPassword } from "./breached-password";
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

export const COMMON_PASSWORD_MESSAGE =
  "This password is too common: it is on lists of leaked and often-used passwords that attackers try first. Choose another, for example a few unrelated words.";

/**
 * What is wrong with a new password (sign-up, invitation, password change), or null. NIST SP 800-63B 3.1.1.2:
 * at least 8 characters, no composition rules, not on the blocklist of common and breached passwords.
 * Never called at sign-in: an existing password is only compared.
 */
export function passwordProblem(password: string): string | null {
  if (passwordLength(password) < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES)
    return `Use at most ${PASSWORD_MAX_BYTES} bytes (about 72 letters; fewer with accents or emoji).`;
  if (isCommonPassword(password)) return COMMON_PASSWORD_MESSAGE;
  return null;
}

export const BREACHED_PASSWORD_MESSAGE =
  "This password appeared in a data breach, so attackers try it. Choose another, for example a few unrelated words.";

/** passwordProblem, then (PASSWORD_BREACH_CHECK=hibp) Have I Been Pwned's breach corpus: for the domain, which may wait on the network. */
export async function newPasswordProblem(password: string): Promise<string | null> {
  const problem = passwordProblem(password);
  if (problem || !breachCheckEnabled()) return problem;
  return (await isPwnedPassword(password)) ? BREACHED_PASSWORD_MESSAGE : null;
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
