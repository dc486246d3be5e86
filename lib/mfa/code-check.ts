import { and, eq, isNull, lt, sql, type SQLWrapper } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { type OtpChallenge, otpChallenges } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import { LIMITS } from "@/lib/security/limits";
import { type HeldStrike, releaseStrikes, type Reservation, reserveStrikes } from "@/lib/security/rate-limit";
import { type ChallengeKey, challengeScope, isChallengeId } from "./challenge";
import { MAX_CODE_ATTEMPTS } from "./codes";
import type { MatchResult } from "./factor";
import { factorFor } from "./factors";
import type { LoginMethod } from "./method";

/**
 * The one code check. Every code a user types (sign-in, step-up, enrolment) goes through here:
 * 1. the chosen factor normalises it once (a malformed code costs no attempt);
 * 2. the per-account backoff refuses while the account is blocked;
 * 3. the challenge must be open, under its attempt cap and unexpired;
 * 4. the factor's matcher decides; a wrong code is counted against the challenge and the account.
 * Per challenge: at most MAX_CODE_ATTEMPTS wrong codes, counted by a conditional UPDATE, so parallel guesses
 * cannot pass the cap. Per account: a strike is reserved before the code is checked (reserveStrikes) and given
 * back when it was right, so wrong codes across challenges back off (NIST SP 800-63B 3.2.2, 3.1.4.2) and
 * neither new sign-ins nor parallel requests buy new guesses. A right backup code gives back its own strike
 * but clears no earlier ones: a recovery code must not reset the count for guesses at the other factors.
 */

const BACKOFF_KEY_PREFIX = "mfa:account:";
/** The per-account wrong-code backoff's key (rate_limits.key). */
export const mfaBackoffKey = (userId: string) => `${BACKOFF_KEY_PREFIX}${userId}`;
/** The same key computed in SQL from a user id column, for queries that join the backoff in. */
export const mfaBackoffKeySql = (userId: SQLWrapper) => sql`${BACKOFF_KEY_PREFIX} || ${userId}`;

/** The strikes a right code clears: all of the account's, except after a backup code (it gives back its own only). */
export function clearedAfterMatch(method: LoginMethod, userId: string): string[] {
  return method === "backup" ? [] : [mfaBackoffKey(userId)];
}

type Matched = Extract<MatchResult, { ok: true }>;

export type VerifyOutcome =
  | { status: "ok"; challenge: OtpChallenge; match: Matched }
  | { status: "wrong"; attemptsLeft: number }
  /** counted: this very guess used up the last attempt (so it is a wrong code for the account too). */
  | { status: "locked"; counted?: boolean }
  | { status: "expired" }
  | { status: "missing" };

type Match = (challenge: OtpChallenge) => Promise<MatchResult>;
type OnMatch = (challenge: OtpChallenge, match: Matched) => Promise<OtpChallenge | null>;

/**
 * The per-challenge part of the check: open, under the cap, unexpired; then the matcher. A right code marks
 * the challenge verified (enrolment and step-up: the change that follows consumes it) or, with `consume`,
 * closes it; both are conditional UPDATEs, so a code raced twice succeeds once. `onMatch` replaces that
 * write with the caller's own (sign-in's single statement); it returns null when another request won.
 * Without a matcher the code is checked as a texted code.
 */
export async function verifyChallenge(
  db: Db,
  input: ChallengeKey & { code: string; consume?: boolean; now?: Date; preloaded?: OtpChallenge | null },
  match?: Match,
  onMatch?: OnMatch,
): Promise<VerifyOutcome> {
  if (!isChallengeId(input.challengeId)) return { status: "missing" };
  const now = input.now ?? new Date();
  const scope = challengeScope(input);
  const challenge = input.preloaded !== undefined ? input.preloaded : (await db.select().from(otpChallenges).where(scope))[0];
  if (!challenge || challenge.consumedAt) return { status: "missing" };
  if (challenge.attempts >= MAX_CODE_ATTEMPTS) return { status: "locked" };
  if (challenge.expiresAt <= now) return { status: "expired" };

  const matcher: Match =
    match ?? ((c) => factorFor("sms").match({ db, userId: input.userId, organisationId: null, challenge: c, code: input.code, now, info: {} }));
  const matched = await matcher(challenge);
  if (!matched.ok) return countWrongCode(db, input);
  const write =
    onMatch ??
    (async (_challenge: OtpChallenge, match: Matched) => {
      // What the match left to spend (a passkey's counter) goes first; if another request spent it, this one lost.
      if (match.spend && rowsOf(await db.execute(match.spend)).length === 0) return null;
      const [done] = await db
        .update(otpChallenges)
        .set(input.consume ? { consumedAt: now, verifiedAt: now } : { verifiedAt: now })
        .where(and(scope, isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS), eq(otpChallenges.codeHash, challenge.codeHash)))
        .returning();
      return done ?? null;
    });
  const done = await write(challenge, matched);
  return done ? { status: "ok", challenge: done, match: matched } : { status: "missing" };
}

/**
 * Counts one wrong code against a challenge with a conditional UPDATE, so parallel guesses can never
 * count past the cap. The guess that uses up the last attempt reports `locked` with `counted`.
 */
async function countWrongCode(db: Db, key: ChallengeKey): Promise<{ status: "wrong"; attemptsLeft: number } | { status: "locked"; counted?: boolean }> {
  const [counted] = await db
    .update(otpChallenges)
    .set({ attempts: sql`${otpChallenges.attempts} + 1` })
    .where(and(challengeScope(key), isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS)))
    .returning({ attempts: otpChallenges.attempts });
  if (!counted) return { status: "locked" };
  const attemptsLeft = MAX_CODE_ATTEMPTS - counted.attempts;
  return attemptsLeft > 0 ? { status: "wrong", attemptsLeft } : { status: "locked", counted: true };
}

export type CodeCheckResult =
  | { ok: true; challenge: OtpChallenge; match: Matched }
  | { ok: false; error: "code_wrong"; reason: string; attemptsLeft: number }
  | { ok: false; error: "code_locked"; counted: boolean }
  | { ok: false; error: "code_expired" | "challenge_missing" }
  | { ok: false; error: "mfa_throttled"; retryAt: Date }
  /** The code could not be read (empty, wrong format): nothing was counted. */
  | { ok: false; error: "code_unreadable"; reason: string };

export type CodeCheckInput = ChallengeKey & {
  method: LoginMethod;
  code: unknown;
  organisationId: string | null;
  now?: Date;
  info?: Partial<RequestInfo>;
  consume?: boolean;
  /** The challenge and the account's reservation, when the caller made them already (sign-in, with the session). */
  found?: { challenge: OtpChallenge | null; reservation: Reservation };
  /** Runs right after a wrong code was counted against the challenge (sign-in audits it). */
  onWrong?: (attemptsLeft: number) => Promise<unknown>;
  /** Replaces marking the challenge verified; it also runs the match's spend and gives back the account's strikes (sign-in's one statement). */
  onMatch?: (challenge: OtpChallenge, match: Matched, held: HeldStrike[]) => Promise<OtpChallenge | null>;
};

export async function checkCode(db: Db, input: CodeCheckInput): Promise<CodeCheckResult> {
  const now = input.now ?? new Date();
  const factor = factorFor(input.method);
  const normal = factor.normalize(input.code);
  if (!normal.ok) return { ok: false, error: "code_unreadable", reason: normal.error };
  const accountKey = mfaBackoffKey(input.userId);

  // Every purpose counts toward the account's limit (sign-in, step-up, enrolment), so no path is a free oracle.
  const reservation = input.found?.reservation ?? (await reserveStrikes(db, [{ key: accountKey, policy: LIMITS.mfaAccount() }], now));
  if (!reservation.ok) return { ok: false, error: "mfa_throttled", retryAt: reservation.retryAt };
  const { held } = reservation;
  const giveBack = (clear: string[] = []) => releaseStrikes(db, held, clear);

  // The factor's own word for a wrong code (a reused authenticator code reads differently from a wrong one).
  let reason = "code_wrong";
  const outcome = await verifyChallenge(
    db,
    { ...input, code: normal.code, now, preloaded: input.found ? input.found.challenge : undefined },
    async (challenge) => {
      const result = await factor.match({ db, userId: input.userId, organisationId: input.organisationId, challenge, code: normal.code, now, info: input.info ?? {} });
      if (!result.ok) reason = result.error;
      return result;
    },
    input.onMatch && ((challenge, match) => input.onMatch?.(challenge, match, held) ?? Promise.resolve(null)),
  );
  switch (outcome.status) {
    case "ok":
      if (!input.onMatch) await giveBack(clearedAfterMatch(input.method, input.userId));
      return { ok: true, challenge: outcome.challenge, match: outcome.match };
    case "wrong": {
      // The reserved strike stays: it was a wrong code. From the limit on, it blocks the account.
      await input.onWrong?.(outcome.attemptsLeft);
      if (reservation.blockedUntil) return { ok: false, error: "mfa_throttled", retryAt: reservation.blockedUntil };
      return { ok: false, error: "code_wrong", reason, attemptsLeft: outcome.attemptsLeft };
    }
    case "locked":
      // The guess that used up the last attempt was a wrong code and keeps its strike; otherwise nothing was checked.
      if (!outcome.counted) await giveBack();
      return { ok: false, error: "code_locked", counted: Boolean(outcome.counted) };
    case "expired":
      await giveBack();
      return { ok: false, error: "code_expired" };
    default:
      await giveBack();
      return { ok: false, error: "challenge_missing" };
  }
}
