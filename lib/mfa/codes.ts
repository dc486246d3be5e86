import crypto from "node:crypto";
import { deriveKey } from "@/lib/config/secrets";
import { hmac, safeEqualHex } from "@/lib/crypto/tokens";

/** NIST SP 800-63B 3.1.3.2 / ASVS 6.5.5: an out-of-band code is valid at most 10 minutes. */
export const CODE_TTL_MS = 10 * 60_000;
/** Wrong codes allowed per challenge (Twilio Verify uses 5 too); then even the right code is refused. */
export const MAX_CODE_ATTEMPTS = 5;
/** A new code can be requested this long after the first one was sent. */
export const RESEND_COOLDOWN_MS = 30_000;
/**
 * The wait before another text grows with the texts already sent, to this challenge or to this account
 * within the hour (whichever is more): 30 s, 1 min, 2 min, then 5 min (OWASP MFA cheat sheet: growing
 * resend delays on top of the hourly caps).
 */
export const RESEND_DELAYS_MS = [RESEND_COOLDOWN_MS, 60_000, 120_000, 300_000] as const;
export const resendDelayMs = (sent: number) => RESEND_DELAYS_MS[Math.min(Math.max(sent, 1), RESEND_DELAYS_MS.length) - 1];
export const CODE_LENGTH = 6;

export type RandomInt = (max: number) => number;
const cryptoRandomInt: RandomInt = (max) => crypto.randomInt(0, max);

/** Six digits from the CSPRNG, leading zeros kept. */
export function generateCode(randomInt: RandomInt = cryptoRandomInt): string {
  return String(randomInt(10 ** CODE_LENGTH)).padStart(CODE_LENGTH, "0");
}

/** Keyed hash bound to the challenge and user, so a code means nothing outside the challenge it was made for. */
export function hashCode(challengeId: string, userId: string, code: string): string {
  return hmac(deriveKey("otp-code"), `${challengeId}:${userId}:${code}`);
}

export function codeMatches(challengeId: string, userId: string, code: string, storedHash: string): boolean {
  return safeEqualHex(hashCode(challengeId, userId, code), storedHash);
}

export type CodeInputError = "code_empty" | "code_format";

/** Accepts what people paste ("123 456", "123-456"); anything else that is not six digits is refused. */
export function normalizeCode(input: unknown): { ok: true; code: string } | { ok: false; error: CodeInputError } {
  if (typeof input !== "string") return { ok: false, error: "code_format" };
  if (input.length > 64) return { ok: false, error: "code_format" };
  const compact = input.replace(/[\s-]/g, "");
  if (compact === "") return { ok: false, error: "code_empty" };
  if (!/^\d{6}$/.test(compact)) return { ok: false, error: "code_format" };
  return { ok: true, code: compact };
}
