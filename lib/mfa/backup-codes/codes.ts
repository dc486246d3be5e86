import crypto from "node:crypto";
import { and, count, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { hasFreshPassword } from "@/lib/auth/reauth";
import { sha256 } from "@/lib/crypto/tokens";
import type { Actor } from "../actor";
import type { RandomInt } from "../codes";
import { localizedWords } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/** Codes in a set (NIST SP 800-63B 4.2.1.1: "about 10"). */
export const BACKUP_CODE_COUNT = 10;
/** My account warns when this many or fewer are left. */
export const BACKUP_CODES_LOW = 3;
/**
 * 24 characters of Crockford base32 = 120 bits. NIST SP 800-63B (look-up secrets) and ASVS 5.0 6.5.2 allow a
 * plain approved hash only from 112 bits up; below that they require a salted password hash. At 120 bits a
 * single SHA-256 is enough and a database dump gives nothing to brute-force.
 */
export const BACKUP_CODE_LENGTH = 24;
const GROUP = 4;
/** Crockford base32: digits and letters without I, L, O, U, so nothing on the printed sheet looks like something else. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const MAX_INPUT_LENGTH = 64;

export const BACKUP_CODE_ERRORS = localizedWords("errors.backupCode", ENGLISH.errors.backupCode);
export type BackupCodeError = keyof typeof BACKUP_CODE_ERRORS;

const cryptoRandomInt: RandomInt = (max) => crypto.randomInt(0, max);

/** One code, `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`, each character 5 bits from the CSPRNG. */
export function generateBackupCode(randomInt: RandomInt = cryptoRandomInt): string {
  let raw = "";
  for (let i = 0; i < BACKUP_CODE_LENGTH; i += 1) raw += ALPHABET[randomInt(ALPHABET.length)];
  return formatBackupCode(raw);
}

/** Groups a normalised code in fours for display. */
export function formatBackupCode(code: string): string {
  return code.match(new RegExp(`.{1,${GROUP}}`, "g"))?.join("-") ?? code;
}

/**
 * Accepts what people type or paste: any case, spaces and dashes anywhere, and the Crockford look-alikes
 * (o for 0, i or l for 1). Anything else of the wrong length or alphabet is refused before hashing.
 */
export function normalizeBackupCode(input: unknown): { ok: true; code: string } | { ok: false; error: "backup_code_empty" | "backup_code_format" } {
  if (typeof input !== "string" || input.length > MAX_INPUT_LENGTH) return { ok: false, error: "backup_code_format" };
  const compact = input
    .toLowerCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, "")
    .replace(/o/g, "0")
    .replace(/[il]/g, "1");
  if (compact === "") return { ok: false, error: "backup_code_empty" };
  if (compact.length !== BACKUP_CODE_LENGTH || ![...compact].every((c) => ALPHABET.includes(c))) {
    return { ok: false, error: "backup_code_format" };
  }
  return { ok: true, code: compact };
}

/** Bound to the user, so a hash copied to another account matches nothing. Input: a normalised code. */
export function hashBackupCode(userId: string, code: string): string {
  return sha256(`backup-code:v1:${userId}:${code}`);
}

/**
 * Replaces the user's whole set (used and unused codes alike) with 10 new ones and returns them in plain
 * text: the only time they exist outside the user's hands. Callers check fresh re-authentication first
 * (see regenerateBackupCodes) or run this inside the enrolment that turns MFA on.
 */
export async function generateBackupCodes(db: Db, userId: string, options: { now?: Date; randomInt?: RandomInt } = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => generateBackupCode(options.randomInt));
  await db.transaction(async (tx) => {
    await tx.delete(backupCodes).where(eq(backupCodes.userId, userId));
    await tx.insert(backupCodes).values(
      codes.map((code) => ({ userId, codeHash: hashBackupCode(userId, normalizeOrThrow(code)), createdAt: now })),
    );
  });
  return codes;
}

function normalizeOrThrow(code: string): string {
  const normal = normalizeBackupCode(code);
  if (!normal.ok) throw new Error("generated backup code does not normalise");
  return normal.code;
}

/** A new set for a signed-in user: needs the password re-entered in the last few minutes (NIST SP 800-63B 4.2.1.1). */
export async function regenerateBackupCodes(
  db: Db,
  actor: Actor,
  input: { now?: Date; info?: Partial<RequestInfo>; randomInt?: RandomInt } = {},
): Promise<{ ok: false; error: "step_up_required" | "no_factor" } | { ok: true; codes: string[] }> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  return db.transaction(async (tx) => {
    const [factor] = await tx.select({ id: mfaFactors.id }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId)).limit(1);
    if (!factor) return { ok: false, error: "no_factor" } as const;
    const codes = await generateBackupCodes(tx, actor.userId, { now, randomInt: input.randomInt });
    await recordEvent(tx, {
      action: "mfa.backup_codes_generated",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { count: codes.length },
      ...input.info,
    });
    return { ok: true, codes } as const;
  });
}

export async function countRemainingBackupCodes(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(backupCodes)
    .where(and(eq(backupCodes.userId, userId), isNull(backupCodes.usedAt)));
  return Number(row?.n ?? 0);
}

export type BackupCodeRedeemResult = { ok: true; remaining: number } | { ok: false; error: BackupCodeError };

/**
 * Spends one backup code. Single use is the conditional UPDATE (used_at IS NULL): of two parallel requests
 * with the same code exactly one gets the row. An unknown and an already used code give the same answer.
 * Attempt caps and account backoff belong to the caller's challenge, as for every other method.
 */
export async function redeemBackupCode(
  db: Db,
  userId: string,
  input: unknown,
  options: { now?: Date; info?: Partial<RequestInfo>; organisationId?: string | null } = {},
): Promise<BackupCodeRedeemResult> {
  const normal = normalizeBackupCode(input);
  if (!normal.ok) return normal;
  const now = options.now ?? new Date();
  const [spent] = await db
    .update(backupCodes)
    .set({ usedAt: now })
    .where(and(eq(backupCodes.userId, userId), eq(backupCodes.codeHash, hashBackupCode(userId, normal.code)), isNull(backupCodes.usedAt)))
    .returning({ id: backupCodes.id });
  if (!spent) return { ok: false, error: "backup_code_wrong" };
  const remaining = await countRemainingBackupCodes(db, userId);
  // NIST SP 800-63B 4.6: using a recovery code is a notice the user sees in their security activity.
  await recordEvent(db, {
    action: "mfa.backup_code_used",
    userId,
    organisationId: options.organisationId ?? null,
    detail: { remaining },
    ...options.info,
  });
  return { ok: true, remaining };
}

