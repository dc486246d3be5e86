import crypto from "node:crypto";
import { and, desc, eq, gt, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { otpChallenges, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { hasFreshPassword } from "@/lib/auth/reauth";
import { queueEmail } from "@/lib/email/outbox";
import { LIMITS } from "@/lib/security/limits";
import { releaseStrikes, reserveStrikes, takeBudgets } from "@/lib/security/rate-limit";
import type { Actor } from "./actor";
import { openChallenge } from "./challenge";
import { mfaBackoffKey } from "./code-check";
import { CODE_TTL_MS, codeMatches, generateCode, hashCode, MAX_CODE_ATTEMPTS, normalizeCode, type RandomInt, RESEND_COOLDOWN_MS } from "./codes";

/**
 * Enrolling again after an admin's MFA reset. The reset leaves an account that a password alone opens, so the
 * next enrolment must prove more than the password (NIST SP 800-63B 4.1.2.1 and 4.2: binding an
 * authenticator after the others are gone needs a second proof; ASVS 5.0 6.4.4): either a 6-digit code sent to
 * the account's email address, or, when the admin chose it at the reset, the temporary access code the admin
 * was shown once (single use, 24 hours). The proof is a `reenrol` challenge of this session, verified; the
 * enrolment that adds the factor spends it in its own transaction and clears the user's mark
 * (spendReenrolProof). applyFactorChange (lib/mfa/enrollment.ts) refuses a factor while the mark stands, so a
 * new enrolment path cannot forget it.
 */

export type ReenrolProof = "email" | "access_code";

/** A temporary access code works for 24 hours after the reset (NIST SP 800-63B 4.2: a short-lived recovery secret). */
export const ACCESS_CODE_TTL_MS = 24 * 60 * 60_000;
/** How long a proven email or access code lets this session finish an enrolment. */
export const REENROL_PROOF_TTL_MS = 30 * 60_000;
/** Crockford base32 without I, L, O, U: read aloud or typed without confusion. */
const ACCESS_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** 16 characters of 32: 80 bits from the CSPRNG (NIST SP 800-63B 3.1.2.1 asks at least 20 bits of a look-up secret; 64 for long-lived ones). */
const ACCESS_CODE_LENGTH = 16;

export type ReenrolError =
  | "step_up_required"
  | "reenrol_not_needed"
  | "reenrol_wrong_proof"
  | "code_empty"
  | "code_format"
  | "code_expired"
  | "code_locked"
  | "challenge_missing"
  | "resend_cooldown"
  | "access_code_format"
  | "access_code_unavailable";

type Failure = { ok: false; error: ReenrolError };
type Throttled = { ok: false; error: "mfa_throttled" | "email_limit"; retryAt: Date };
type Wrong = { ok: false; error: "code_wrong" | "access_code_wrong"; attemptsLeft: number };

/** A new temporary access code, grouped in fours ("7K3M-…"); the caller shows it once. */
export function generateAccessCode(randomInt: RandomInt = (max) => crypto.randomInt(0, max)): string {
  const chars = Array.from({ length: ACCESS_CODE_LENGTH }, () => ACCESS_CODE_ALPHABET[randomInt(ACCESS_CODE_ALPHABET.length)]);
  return chars.join("").replace(/(.{4})(?=.)/g, "$1-");
}

/** Reads an access code as people type it: any case, spaces and dashes anywhere, O for 0 and I or L for 1. */
export function normalizeAccessCode(input: unknown): { ok: true; code: string } | { ok: false; error: "code_empty" | "access_code_format" } {
  if (typeof input !== "string" || input.length > 64) return { ok: false, error: "access_code_format" };
  const compact = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (compact === "") return { ok: false, error: "code_empty" };
  if (compact.length !== ACCESS_CODE_LENGTH || [...compact].some((c) => !ACCESS_CODE_ALPHABET.includes(c))) return { ok: false, error: "access_code_format" };
  return { ok: true, code: compact };
}

/**
 * Issues a temporary access code for the user in the caller's transaction (the admin's reset): older codes
 * stop working, only the keyed hash is stored, bound to its challenge and user. Returns the code, once.
 */
export async function issueAccessCode(tx: Db, input: { userId: string; now: Date; randomInt?: RandomInt }): Promise<{ code: string; expiresAt: Date }> {
  await voidAccessCodes(tx, input.userId, input.now);
  const id = crypto.randomUUID();
  const code = generateAccessCode(input.randomInt);
  const expiresAt = new Date(input.now.getTime() + ACCESS_CODE_TTL_MS);
  const normal = normalizeAccessCode(code);
  if (!normal.ok) throw new Error("generated access code does not read back");
  await tx.insert(otpChallenges).values({
    id,
    userId: input.userId,
    sessionId: null,
    purpose: "access_code",
    codeHash: hashCode(id, input.userId, normal.code),
    sendCount: 0,
    lastSentAt: input.now,
    expiresAt,
    createdAt: input.now,
  });
  return { code, expiresAt };
}

/** Closes every open access code of the user (a newer reset, or one with the email proof). */
export async function voidAccessCodes(tx: Db, userId: string, now: Date): Promise<void> {
  await tx
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(and(eq(otpChallenges.userId, userId), eq(otpChallenges.purpose, "access_code"), isNull(otpChallenges.consumedAt)));
}

/** What the user must prove besides the password before enrolling, or null. */
export async function reenrolProofRequired(db: Db, userId: string): Promise<ReenrolProof | null> {
  const [row] = await db.select({ proof: users.mfaReenrolProof }).from(users).where(eq(users.id, userId));
  return row?.proof ?? null;
}

/** This session's verified, unspent proof, within its validity. */
function provenInSession(actor: Actor, now: Date) {
  return and(
    eq(otpChallenges.userId, actor.userId),
    eq(otpChallenges.sessionId, actor.sessionId),
    eq(otpChallenges.purpose, "reenrol"),
    isNull(otpChallenges.consumedAt),
    isNotNull(otpChallenges.verifiedAt),
    gt(otpChallenges.verifiedAt, new Date(now.getTime() - REENROL_PROOF_TTL_MS)),
  );
}

/** Whether an enrolment may start in this session: no proof is needed, or this session holds one. A look that spends nothing. */
export async function reenrolProofMissing(db: Db, actor: Actor, now: Date): Promise<boolean> {
  if (!(await reenrolProofRequired(db, actor.userId))) return false;
  const [row] = await db.select({ id: otpChallenges.id }).from(otpChallenges).where(provenInSession(actor, now)).limit(1);
  return !row;
}

/**
 * Spends this session's proof inside the enrolment's transaction (after lockFactors, right before
 * applyFactorChange: nothing may fail after it) and clears the user's mark. True when no proof was needed or
 * one was spent; false when the enrolment must be refused. Single use: the conditional UPDATE is the lock.
 */
export async function spendReenrolProof(tx: Db, actor: Actor, now: Date): Promise<boolean> {
  if (!(await reenrolProofRequired(tx, actor.userId))) return true;
  const spent = await tx.update(otpChallenges).set({ consumedAt: now }).where(provenInSession(actor, now)).returning({ id: otpChallenges.id });
  if (spent.length === 0) return false;
  await tx.update(users).set({ mfaReenrolProof: null }).where(eq(users.id, actor.userId));
  return true;
}

async function requireProof(db: Db, actor: Actor, proof: ReenrolProof, now: Date): Promise<Failure | null> {
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const required = await reenrolProofRequired(db, actor.userId);
  if (!required) return { ok: false, error: "reenrol_not_needed" };
  if (required !== proof) return { ok: false, error: "reenrol_wrong_proof" };
  return null;
}

/**
 * Emails a 6-digit code to the account's address (the `email_code` message, queued with the challenge in one
 * transaction). The same code rules as every other code (lib/mfa/codes.ts): CSPRNG, keyed hash bound to the
 * challenge and user, 10 minutes, 5 tries; a new code closes the previous one. Limited per user per hour
 * (LIMITS.emailCodesPerUser, reserved before the code is made) and 30 seconds apart per session.
 */
export async function sendReenrolEmailCode(
  db: Db,
  actor: Actor,
  input: { now?: Date; randomInt?: RandomInt } = {},
): Promise<Failure | { ok: false; error: "email_limit"; retryAt: Date } | { ok: true; challengeId: string; email: string; resendAt: Date }> {
  const now = input.now ?? new Date();
  const refused = await requireProof(db, actor, "email", now);
  if (refused) return refused;
  const [open] = await db
    .select({ lastSentAt: otpChallenges.lastSentAt })
    .from(otpChallenges)
    .where(and(eq(otpChallenges.sessionId, actor.sessionId), eq(otpChallenges.purpose, "reenrol"), isNull(otpChallenges.consumedAt), isNull(otpChallenges.verifiedAt)))
    .orderBy(desc(otpChallenges.createdAt))
    .limit(1);
  if (open && now.getTime() - open.lastSentAt.getTime() < RESEND_COOLDOWN_MS) return { ok: false, error: "resend_cooldown" };
  const budget = await takeBudgets(db, [{ key: `email_code:user:${actor.userId}`, ...LIMITS.emailCodesPerUser() }], now);
  if (!budget.ok) return { ok: false, error: "email_limit", retryAt: budget.retryAt };
  const code = generateCode(input.randomInt);
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, actor.userId));
    const challenge = await openChallenge(tx, { userId: actor.userId, sessionId: actor.sessionId, purpose: "reenrol", code, now });
    await queueEmail(tx, { userId: actor.userId, to: user.email, message: { template: "email_code", name: user.name, code, minutes: CODE_TTL_MS / 60_000 } });
    return { ok: true, challengeId: challenge.id, email: user.email, resendAt: new Date(now.getTime() + RESEND_COOLDOWN_MS) } as const;
  });
}

/**
 * Checks the emailed code. The per-account strike is reserved first (the same key as every other code,
 * mfaBackoffKey: NIST SP 800-63B 3.2.2), the challenge's 5-try cap is a conditional UPDATE, and a right code
 * marks the challenge verified (the enrolment spends it). A right code gives the strike back.
 */
export async function checkReenrolEmailCode(
  db: Db,
  actor: Actor,
  input: { challengeId: string; code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<Failure | Throttled | Wrong | { ok: true }> {
  const now = input.now ?? new Date();
  const refused = await requireProof(db, actor, "email", now);
  if (refused) return refused;
  const normal = normalizeCode(input.code);
  if (!normal.ok) return { ok: false, error: normal.error };
  const reserved = await reserveStrikes(db, [{ key: mfaBackoffKey(actor.userId), policy: LIMITS.mfaAccount() }], now);
  if (!reserved.ok) return { ok: false, error: "mfa_throttled", retryAt: reserved.retryAt };
  const mine = and(
    eq(otpChallenges.id, input.challengeId),
    eq(otpChallenges.userId, actor.userId),
    eq(otpChallenges.sessionId, actor.sessionId),
    eq(otpChallenges.purpose, "reenrol"),
  );
  const [challenge] = await db.select().from(otpChallenges).where(mine);
  const giveBack = () => releaseStrikes(db, reserved.held);
  if (!challenge || challenge.consumedAt || challenge.verifiedAt) return giveBack().then(() => ({ ok: false, error: "challenge_missing" }) as const);
  if (challenge.attempts >= MAX_CODE_ATTEMPTS) return giveBack().then(() => ({ ok: false, error: "code_locked" }) as const);
  if (challenge.expiresAt <= now) return giveBack().then(() => ({ ok: false, error: "code_expired" }) as const);

  if (codeMatches(challenge.id, actor.userId, normal.code, challenge.codeHash)) {
    const [done] = await db
      .update(otpChallenges)
      .set({ verifiedAt: now })
      .where(and(mine, isNull(otpChallenges.consumedAt), isNull(otpChallenges.verifiedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS), eq(otpChallenges.codeHash, challenge.codeHash)))
      .returning({ id: otpChallenges.id });
    await releaseStrikes(db, reserved.held, done ? [mfaBackoffKey(actor.userId)] : []);
    if (!done) return { ok: false, error: "challenge_missing" };
    await recordEvent(db, { action: "mfa.reenrol_proven", userId: actor.userId, organisationId: actor.organisationId, detail: { via: "email" }, ...input.info });
    return { ok: true };
  }
  // A wrong code keeps the account's strike and uses one of the challenge's tries.
  const [counted] = await db
    .update(otpChallenges)
    .set({ attempts: sql`${otpChallenges.attempts} + 1` })
    .where(and(mine, isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS)))
    .returning({ attempts: otpChallenges.attempts });
  if (reserved.blockedUntil) return { ok: false, error: "mfa_throttled", retryAt: reserved.blockedUntil };
  const left = counted ? MAX_CODE_ATTEMPTS - counted.attempts : 0;
  return left > 0 ? { ok: false, error: "code_wrong", attemptsLeft: left } : { ok: false, error: "code_locked" };
}

/**
 * Redeems the admin's temporary access code in this session: the strike is reserved first, the code is
 * compared in constant time against the user's one open code, 5 wrong tries close it, and a right one is
 * spent by a conditional UPDATE (two parallel redeems: one wins). It becomes a verified proof of this session.
 */
export async function redeemAccessCode(
  db: Db,
  actor: Actor,
  input: { code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<Failure | Throttled | Wrong | { ok: true }> {
  const now = input.now ?? new Date();
  const refused = await requireProof(db, actor, "access_code", now);
  if (refused) return refused;
  const normal = normalizeAccessCode(input.code);
  if (!normal.ok) return { ok: false, error: normal.error };
  const reserved = await reserveStrikes(db, [{ key: mfaBackoffKey(actor.userId), policy: LIMITS.mfaAccount() }], now);
  if (!reserved.ok) return { ok: false, error: "mfa_throttled", retryAt: reserved.retryAt };
  const open = and(
    eq(otpChallenges.userId, actor.userId),
    eq(otpChallenges.purpose, "access_code"),
    isNull(otpChallenges.consumedAt),
    lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS),
    gt(otpChallenges.expiresAt, now),
  );
  const [code] = await db.select().from(otpChallenges).where(open).orderBy(desc(otpChallenges.createdAt)).limit(1);
  if (!code) {
    await releaseStrikes(db, reserved.held);
    return { ok: false, error: "access_code_unavailable" };
  }
  if (!codeMatches(code.id, actor.userId, normal.code, code.codeHash)) {
    const [counted] = await db
      .update(otpChallenges)
      .set({ attempts: sql`${otpChallenges.attempts} + 1` })
      .where(and(eq(otpChallenges.id, code.id), isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS)))
      .returning({ attempts: otpChallenges.attempts });
    if (reserved.blockedUntil) return { ok: false, error: "mfa_throttled", retryAt: reserved.blockedUntil };
    const left = counted ? MAX_CODE_ATTEMPTS - counted.attempts : 0;
    return left > 0 ? { ok: false, error: "access_code_wrong", attemptsLeft: left } : { ok: false, error: "access_code_unavailable" };
  }
  const redeemed = await db.transaction(async (tx) => {
    const [spent] = await tx
      .update(otpChallenges)
      .set({ consumedAt: now, verifiedAt: now })
      .where(and(eq(otpChallenges.id, code.id), isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS), gt(otpChallenges.expiresAt, now)))
      .returning({ id: otpChallenges.id });
    if (!spent) return false;
    const proof = await openChallenge(tx, { userId: actor.userId, sessionId: actor.sessionId, purpose: "reenrol", now });
    await tx.update(otpChallenges).set({ verifiedAt: now }).where(eq(otpChallenges.id, proof.id));
    await recordEvent(tx, { action: "mfa.reenrol_proven", userId: actor.userId, organisationId: actor.organisationId, detail: { via: "access_code" }, ...input.info });
    return true;
  });
  await releaseStrikes(db, reserved.held, redeemed ? [mfaBackoffKey(actor.userId)] : []);
  return redeemed ? { ok: true } : { ok: false, error: "access_code_unavailable" };
}
