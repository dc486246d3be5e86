import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { otpChallenges, sessions } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import { hasFreshPassword, REAUTH_WINDOW_MS } from "@/lib/auth/reauth";
import { methodAllowed, readMfaPolicy } from "@/lib/org/policy";
import type { Actor } from "./actor";
import { consumeVerifiedChallenge, isVerifiedChallenge, openChallenge } from "./challenge";
import { checkCode } from "./code-check";
import type { LoginMethod } from "./method";
import { listMethods, methodHolder } from "./methods";
import { type SendContext, type SendOutcome, startSmsChallenge } from "./sms/delivery";

/**
 * The step-up: proving a current factor before a change to how the user signs in (ASVS 5.0 7.5.1;
 * NIST SP 800-63B 4.6). It needs the password re-entered first (lib/auth/reauth.ts). Every method ends
 * in the same place: a `step_up` challenge of this session marked verified, which the change then
 * consumes once (withStepUp, spendStepUp).
 */
type Failure<E extends string> = { ok: false; error: E };

/**
 * Opens a step-up for one of the user's methods the organisation allows for step-up. A text message is
 * sent at once (with `sms`); the authenticator app and backup codes send nothing. Closes this session's
 * other open step-ups.
 */
export async function startStepUp(
  db: Db,
  actor: Actor,
  input: { method: LoginMethod; now?: Date; sms?: SendContext },
): Promise<Failure<"step_up_required" | "no_factor"> | { ok: true; challengeId: string; delivery?: SendOutcome }> {
  const now = input.now ?? input.sms?.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const [methods, policy] = await Promise.all([listMethods(db, actor.userId), readMfaPolicy(db, actor.organisationId)]);
  if (!methods.available.includes(input.method) || !methodAllowed(policy, "step_up", input.method, methodHolder(methods)))
    return { ok: false, error: "no_factor" };
  const base = { userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up" as const };
  if (input.method === "sms") {
    if (!methods.sms || !input.sms) return { ok: false, error: "no_factor" };
    const started = await startSmsChallenge(db, { ...input.sms, now }, { ...base, phone: methods.sms.phone, factorId: methods.sms.id });
    return { ok: true, challengeId: started.challenge.id, delivery: started.delivery };
  }
  const challenge = await db.transaction((tx) => openChallenge(tx, { ...base, now }));
  return { ok: true, challengeId: challenge.id };
}

export type StepUpCheckResult =
  | { ok: true }
  | { ok: false; error: string; attemptsLeft: number }
  | { ok: false; error: "mfa_throttled"; retryAt: Date }
  | Failure<string>;

/**
 * Checks a code against an open step-up with the chosen method and marks it verified (nothing changes
 * yet). It is the same code check as sign-in: the challenge's attempt cap covers every method, and wrong
 * codes count toward the same per-account backoff, so alternating between sign-in and step-up buys no
 * extra guesses. A backup code is spent when it matches; an authenticator step is marked used.
 */
export async function checkStepUp(
  db: Db,
  actor: Actor,
  input: { challengeId: string; method: LoginMethod; code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<StepUpCheckResult> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const [policy, methods] = await Promise.all([readMfaPolicy(db, actor.organisationId), listMethods(db, actor.userId)]);
  if (!methodAllowed(policy, "step_up", input.method, methodHolder(methods))) return { ok: false, error: "no_factor" };
  const result = await checkCode(db, {
    challengeId: input.challengeId,
    userId: actor.userId,
    sessionId: actor.sessionId,
    organisationId: actor.organisationId,
    purpose: "step_up",
    method: input.method,
    code: input.code,
    now,
    info: input.info,
  });
  if (result.ok) return { ok: true };
  if (result.error === "code_wrong") return { ok: false, error: result.reason, attemptsLeft: result.attemptsLeft };
  if (result.error === "code_unreadable") return { ok: false, error: result.reason };
  if (result.error === "code_locked") return { ok: false, error: "code_locked" };
  return result;
}

/** Whether this session holds a verified, unspent step-up (checked before a code is texted to a new number). */
export function hasVerifiedStepUp(db: Db, actor: Actor, challengeId: string | null | undefined, now: Date): Promise<boolean> {
  return isVerifiedChallenge(db, { challengeId: challengeId ?? "", userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up", now });
}

/** Spends a verified step-up inside the caller's transaction; null when there is none to spend. */
export function spendStepUp(tx: Db, actor: Actor, challengeId: string | null | undefined, now: Date) {
  if (!challengeId) return Promise.resolve(null);
  return consumeVerifiedChallenge(tx, { challengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up", now });
}

/**
 * Whether this session holds a fresh step-up for admin changes to who can get in (GitHub "sudo mode"; ASVS
 * 5.0 7.5.1; NIST SP 800-63B 4.6): the password re-entered in this session within REAUTH_WINDOW_MS and, when
 * the user has any factor, a `step_up` challenge of this session verified within the same window. Spent or
 * not: one proof covers several admin changes for those 10 minutes, where a change to the user's own
 * factors spends its proof (withStepUp). Read from the database, never from the caller, so the domain
 * decides on what is stored at the moment of the change.
 */
export async function hasFreshStepUp(db: Db, actor: { userId: string; sessionId: string }, now: Date): Promise<boolean> {
  const [session] = await db
    .select({ reauthenticatedAt: sessions.reauthenticatedAt })
    .from(sessions)
    .where(and(eq(sessions.id, actor.sessionId), eq(sessions.userId, actor.userId), isNull(sessions.revokedAt)));
  if (!session || !hasFreshPassword(session, now)) return false;
  const methods = await listMethods(db, actor.userId);
  if (methods.available.length === 0) return true;
  const [proof] = await db
    .select({ id: otpChallenges.id })
    .from(otpChallenges)
    .where(
      and(
        eq(otpChallenges.userId, actor.userId),
        eq(otpChallenges.sessionId, actor.sessionId),
        eq(otpChallenges.purpose, "step_up"),
        gt(otpChallenges.verifiedAt, new Date(now.getTime() - REAUTH_WINDOW_MS)),
      ),
    )
    .limit(1);
  return proof !== undefined;
}

/** Thrown inside the transaction to roll it back and hand a refusal to the caller. */
class Refusal<T> extends Error {
  constructor(readonly result: T) {
    super("refused");
  }
}

/**
 * Runs a change behind a verified step-up of this session: the step-up is spent and the change made in
 * one transaction. If the change refuses (organisation policy, stale password), the transaction rolls back
 * and the proof stays usable; if two changes race with one proof, only one gets it.
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
  if (!input.stepUpChallengeId) return { ok: false, error: "factor_required" };
  try {
    return await db.transaction(async (tx) => {
      if (!(await spendStepUp(tx, actor, input.stepUpChallengeId, now))) throw new Refusal({ ok: false, error: "factor_required" } as const);
      const result = await change(tx);
      if (!result.ok) throw new Refusal(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Refusal) return error.result as T | Failure<"step_up_required" | "factor_required">;
    throw error;
  }
}
