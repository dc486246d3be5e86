import crypto from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { type OtpChallenge, otpChallenges } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import { hasFreshPassword } from "@/lib/auth/step-up";
import { LIMITS } from "@/lib/security/limits";
import { blockedUntil, clearFailures, recordFailure } from "@/lib/security/rate-limit";
import { redeemBackupCode } from "./backup-codes";
import { consumeVerifiedChallenge, verifyChallenge } from "./challenge";
import { CODE_TTL_MS, codeMatches, hashCode } from "./codes";
import { type LoginMethod, loginMethods } from "./methods";
import type { Actor } from "./sms-factor";
import { verifyTotpForUser } from "./totp-factor";

/**
 * Proving a current factor before a change (SECURITY.md 26). Every method ends in the same place: a
 * `step_up` challenge of this session marked verified, which the change then consumes once
 * (consumeVerifiedChallenge). A text message opens its challenge with startSmsStepUp; the authenticator
 * app and backup codes send nothing and open theirs with startStepUp.
 */
export type StepUpMethod = LoginMethod;

type Failure<E extends string> = { ok: false; error: E };

/** Opens a step-up to be answered with an authenticator code or a backup code. Closes this session's other open step-ups. */
export async function startStepUp(
  db: Db,
  actor: Actor,
  input: { method: Exclude<StepUpMethod, "sms">; now?: Date },
): Promise<Failure<"step_up_required" | "no_factor"> | { ok: true; challengeId: string }> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const methods = await loginMethods(db, actor.userId);
  if (!methods.available.includes(input.method)) return { ok: false, error: "no_factor" };
  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx
      .update(otpChallenges)
      .set({ consumedAt: now })
      .where(and(eq(otpChallenges.sessionId, actor.sessionId), eq(otpChallenges.purpose, "step_up"), isNull(otpChallenges.consumedAt)));
    await tx.insert(otpChallenges).values({
      id,
      userId: actor.userId,
      sessionId: actor.sessionId,
      purpose: "step_up",
      phone: null,
      // Nothing is sent: the stored hash is of a random value nobody knows, so only the method's own check passes.
      codeHash: hashCode(id, actor.userId, crypto.randomBytes(16).toString("hex")),
      sendCount: 0,
      lastSentAt: new Date(0),
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      createdAt: now,
    });
  });
  return { ok: true, challengeId: id };
}

export type StepUpCheckResult =
  | { ok: true }
  | { ok: false; error: "code_wrong" | "totp_code_wrong" | "totp_code_reused" | "backup_code_wrong"; attemptsLeft: number }
  | { ok: false; error: "mfa_throttled"; retryAt: Date }
  | Failure<"step_up_required" | "code_locked" | "code_expired" | "challenge_missing">;

/**
 * Checks a code against an open step-up with the chosen method and marks it verified (nothing changes yet).
 * The challenge's attempt cap applies to every method, and wrong codes also count toward the same
 * per-account limit as sign-in, so alternating between sign-in and step-up buys no extra guesses
 * (NIST SP 800-63B 3.1.4.2). A backup code is spent when it matches; an authenticator step is marked used.
 */
export async function checkStepUp(
  db: Db,
  actor: Actor,
  input: { challengeId: string; method: StepUpMethod; code: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<StepUpCheckResult> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const accountKey = `mfa:account:${actor.userId}`;
  const blocked = await blockedUntil(db, accountKey, now);
  if (blocked) return { ok: false, error: "mfa_throttled", retryAt: blocked };

  let wrong: "code_wrong" | "totp_code_wrong" | "totp_code_reused" | "backup_code_wrong" = "code_wrong";
  const matchers: Record<StepUpMethod, (c: OtpChallenge) => boolean | Promise<boolean>> = {
    sms: (c) => c.sendCount > 0 && codeMatches(c.id, c.userId, input.code, c.codeHash),
    totp: async () => {
      const r = await verifyTotpForUser(db, actor.userId, input.code, now);
      if (!r.ok) wrong = r.error === "totp_code_reused" ? "totp_code_reused" : "totp_code_wrong";
      return r.ok;
    },
    backup: async () => {
      const r = await redeemBackupCode(db, actor.userId, input.code, { now, info: input.info, organisationId: actor.organisationId });
      if (!r.ok) wrong = "backup_code_wrong";
      return r.ok;
    },
  };
  const outcome = await verifyChallenge(
    db,
    { challengeId: input.challengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up", code: input.code, consume: false, now },
    matchers[input.method],
  );
  switch (outcome.status) {
    case "ok":
      await clearFailures(db, accountKey);
      return { ok: true };
    case "wrong": {
      const until = await recordFailure(db, accountKey, LIMITS.mfaAccount(), now);
      if (until) return { ok: false, error: "mfa_throttled", retryAt: until };
      return { ok: false, error: wrong, attemptsLeft: outcome.attemptsLeft };
    }
    case "locked":
      if (outcome.counted) await recordFailure(db, accountKey, LIMITS.mfaAccount(), now);
      return { ok: false, error: "code_locked" };
    case "expired":
      return { ok: false, error: "code_expired" };
    default:
      return { ok: false, error: "challenge_missing" };
  }
}

/** Thrown inside the transaction to roll it back and hand a refusal to the caller. */
class Refusal<T> extends Error {
  constructor(readonly result: T) {
    super("refused");
  }
}

/**
 * Runs a change behind a verified step-up of this session: the step-up is consumed and the change made in
 * one transaction. If the change refuses (org policy, stale password), the transaction rolls back and the
 * proof stays usable; if two changes race with one proof, only one gets it.
 */
export async function withStepUp<T extends { ok: boolean }>(
  db: Db,
  actor: Actor,
  input: { stepUpChallengeId: string | null | undefined; now?: Date },
  change: (tx: Db) => Promise<T>,
): Promise<T | Failure<"step_up_required" | "factor_required">> {
  const now = input.now ?? new Date();
  // The password comes first: a factor proof means nothing without it.
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const challengeId = input.stepUpChallengeId;
  if (!challengeId) return { ok: false, error: "factor_required" };
  try {
    return await db.transaction(async (tx) => {
      const proof = await consumeVerifiedChallenge(tx, { challengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up", now });
      if (!proof) throw new Refusal({ ok: false, error: "factor_required" } as const);
      const result = await change(tx);
      if (!result.ok) throw new Refusal(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Refusal) return error.result as T | Failure<"step_up_required" | "factor_required">;
    throw error;
  }
}
