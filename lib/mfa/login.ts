import { and, eq, isNull, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { memberships, type OtpChallenge, otpChallenges, rateLimits, sessions } from "@/db/schema";
import { clean, recordEvent, type RequestInfo } from "@/lib/audit/events";
import { isLive, revokeSession, sessionAbsoluteMs } from "@/lib/auth/sessions";
import { randomToken, sha256 } from "@/lib/crypto/tokens";
import { LIMITS } from "@/lib/security/limits";
import { recordFailure } from "@/lib/security/rate-limit";
import { redeemBackupCode } from "./backup-codes";
import { countWrongCode, isChallengeId } from "./challenge";
import { codeMatches, MAX_CODE_ATTEMPTS } from "./codes";
import type { LoginMethod } from "./methods";
import { verifyTotpForUser } from "./totp-factor";

export type LoginCodeResult =
  | { ok: true; token: string; method: LoginMethod; backupCodesLeft?: number }
  | { ok: false; error: "code_wrong"; attemptsLeft: number }
  | { ok: false; error: "code_locked" | "code_expired" | "challenge_missing" }
  | { ok: false; error: "mfa_throttled"; retryAt: Date };

type Pending = { sessionId: string; userId: string; organisationId: string | null };
type CodeInput = { challengeId: string; method?: LoginMethod; code: string; now?: Date; info?: Partial<RequestInfo> };
const accountKeyOf = (userId: string) => `mfa:account:${userId}`;

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

function buildPendingSignInQuery(db: Db) {
  return db
    .select({
      session: { id: sessions.id, userId: sessions.userId, mfaState: sessions.mfaState, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt },
      organisationId: memberships.organisationId,
      challenge: otpChallenges,
      blockedUntil: rateLimits.blockedUntil,
    })
    .from(sessions)
    .leftJoin(memberships, eq(memberships.userId, sessions.userId))
    .leftJoin(
      otpChallenges,
      and(
        eq(otpChallenges.id, sql.placeholder("challengeId")),
        eq(otpChallenges.sessionId, sessions.id),
        eq(otpChallenges.userId, sessions.userId),
        eq(otpChallenges.purpose, "login"),
      ),
    )
    .leftJoin(rateLimits, eq(rateLimits.key, sql`'mfa:account:' || ${sessions.userId}`))
    .where(and(eq(sessions.tokenHash, sql.placeholder("tokenHash")), isNull(sessions.revokedAt), isNull(sessions.handoffHash)))
    .limit(1)
    .prepare("pending_sign_in");
}

/** Built once per database: the query is the same for every code submission. */
const pendingSignInQueries = new WeakMap<Db, ReturnType<typeof buildPendingSignInQuery>>();
function pendingSignInQuery(db: Db) {
  let query = pendingSignInQueries.get(db);
  if (!query) {
    query = buildPendingSignInQuery(db);
    pendingSignInQueries.set(db, query);
  }
  return query;
}

/**
 * The code step from the cookie's session token: the pending session, its challenge and the account's
 * wrong-code backoff come from one query (the session is checked as findActiveSession checks it), then
 * as completeLoginChallenge. `no_session` and `not_pending` say the caller is not halfway signed in.
 */
export async function signInWithCode(
  db: Db,
  sessionToken: string,
  input: CodeInput,
): Promise<LoginCodeResult | { ok: false; error: "no_session" | "not_pending" }> {
  const now = input.now ?? new Date();
  const [row] = await pendingSignInQuery(db).execute({
    tokenHash: sha256(sessionToken),
    // A malformed id must not reach SQL as a uuid: the nil uuid names no challenge.
    challengeId: isChallengeId(input.challengeId) ? input.challengeId : NIL_UUID,
  });
  if (!row || !isLive(row.session, now)) return { ok: false, error: "no_session" };
  if (row.session.mfaState !== "pending") return { ok: false, error: "not_pending" };
  const pending = { sessionId: row.session.id, userId: row.session.userId, organisationId: row.organisationId };
  return checkCode(db, pending, { challenge: row.challenge, blockedUntil: row.blockedUntil }, { ...input, now });
}

/**
 * The second sign-in step for a pending session already looked up. A right code ends the pending session
 * and returns the token of a new, verified one (its cookie is set directly, so it is created already
 * claimed); too many wrong codes end the pending session, so the user must sign in again. The app's code
 * route uses signInWithCode, which reads the session with the challenge; this entry lets the tests reach
 * the write's own guards, for a session that changed after it was read.
 */
export async function completeLoginChallenge(db: Db, pending: Pending, input: CodeInput): Promise<LoginCodeResult> {
  if (!isChallengeId(input.challengeId)) return { ok: false, error: "challenge_missing" };
  const [row] = await db
    .select({ challenge: otpChallenges, blockedUntil: rateLimits.blockedUntil })
    .from(otpChallenges)
    .leftJoin(rateLimits, eq(rateLimits.key, accountKeyOf(pending.userId)))
    .where(
      and(
        eq(otpChallenges.id, input.challengeId),
        eq(otpChallenges.userId, pending.userId),
        eq(otpChallenges.sessionId, pending.sessionId),
        eq(otpChallenges.purpose, "login"),
      ),
    );
  return checkCode(db, pending, { challenge: row?.challenge ?? null, blockedUntil: row?.blockedUntil ?? null }, input);
}

async function checkCode(
  db: Db,
  pending: Pending,
  found: { challenge: OtpChallenge | null; blockedUntil: Date | null },
  input: CodeInput,
): Promise<LoginCodeResult> {
  const method = input.method ?? "sms";
  const now = input.now ?? new Date();
  const info = input.info ?? {};
  // Wrong codes are also counted per account across challenges, so new sign-ins do not buy new guesses.
  const accountKey = accountKeyOf(pending.userId);
  if (found.blockedUntil && found.blockedUntil > now) return { ok: false, error: "mfa_throttled", retryAt: found.blockedUntil };
  const challenge = found.challenge;
  if (!challenge || challenge.consumedAt) return { ok: false, error: "challenge_missing" };
  if (challenge.attempts >= MAX_CODE_ATTEMPTS) return { ok: false, error: "code_locked" };
  if (challenge.expiresAt <= now) return { ok: false, error: "code_expired" };

  let backupCodesLeft: number | undefined;
  // Every method checks against the same challenge, so the per-challenge cap covers them all.
  const matcher: Record<LoginMethod, (c: OtpChallenge) => Promise<boolean> | boolean> = {
    sms: (c) => c.sendCount > 0 && c.factorId !== null && codeMatches(c.id, c.userId, input.code, c.codeHash),
    totp: async () => (await verifyTotpForUser(db, pending.userId, input.code, now)).ok,
    backup: async () => {
      const r = await redeemBackupCode(db, pending.userId, input.code, { now, info, organisationId: pending.organisationId });
      if (r.ok) backupCodesLeft = r.remaining;
      return r.ok;
    },
  };
  const event = { userId: pending.userId, organisationId: pending.organisationId, ...info };
  if (await matcher[method](challenge)) {
    const token = await finishSignIn(db, pending, { challenge, method, accountKey, now, info });
    return token ? { ok: true, token, method, backupCodesLeft } : { ok: false, error: "challenge_missing" };
  }

  const outcome = await countWrongCode(db, { challengeId: challenge.id, userId: pending.userId, sessionId: pending.sessionId, purpose: "login" });
  if (outcome.status === "wrong") {
    await recordEvent(db, { action: "sign_in.failed_code", ...event, detail: { attemptsLeft: outcome.attemptsLeft } });
    const until = await recordFailure(db, accountKey, LIMITS.mfaAccount(), now);
    if (until) return { ok: false, error: "mfa_throttled", retryAt: until };
    return { ok: false, error: "code_wrong", attemptsLeft: outcome.attemptsLeft };
  }
  // The guess that used up the last attempt is a wrong code too: it counts toward the per-account limit.
  if (outcome.counted) await recordFailure(db, accountKey, LIMITS.mfaAccount(), now);
  await revokeSession(db, pending.sessionId, "mfa_locked", now);
  await recordEvent(db, { action: "sign_in.mfa_locked", ...event });
  return { ok: false, error: "code_locked" };
}

/**
 * One statement, so one round trip and all or nothing: consume the challenge (conditional, so a code
 * works once even across instances and parallel requests), end the pending session, create the verified
 * one, stamp the texted factor, clear the account's wrong-code strikes and record the sign-in. Each step
 * only runs if the one before matched a row. Returns the new session's token, or null if another request
 * got there first.
 */
async function finishSignIn(
  db: Db,
  pending: Pending,
  input: { challenge: OtpChallenge; method: LoginMethod; accountKey: string; now: Date; info: Partial<RequestInfo> },
): Promise<string | null> {
  const { challenge, now, info } = input;
  const token = randomToken();
  const at = now.toISOString();
  const expires = new Date(now.getTime() + sessionAbsoluteMs()).toISOString();
  const ip = info.ip?.slice(0, 64) ?? null;
  const userAgent = info.userAgent?.slice(0, 300) ?? null;
  const stampFactor = input.method === "sms" ? challenge.factorId : null;
  const detail = JSON.stringify({ mfa: true, method: input.method });
  const result = await db.execute(sql`
    with consumed as (
      update otp_challenges set consumed_at = ${at}::timestamptz, verified_at = ${at}::timestamptz
      where id = ${challenge.id}::uuid and user_id = ${pending.userId}::uuid and session_id = ${pending.sessionId}::uuid
        and purpose = 'login' and consumed_at is null and attempts < ${MAX_CODE_ATTEMPTS} and code_hash = ${challenge.codeHash}
      returning id
    ), ended as (
      update sessions set revoked_at = ${at}::timestamptz, revoked_reason = 'mfa_completed'
      where id = ${pending.sessionId}::uuid and mfa_state = 'pending' and revoked_at is null and expires_at > ${at}::timestamptz
        and exists (select 1 from consumed)
      returning user_id
    ), created as (
      insert into sessions (token_hash, user_id, mfa_state, ip, user_agent, created_at, last_seen_at, authenticated_at, expires_at)
      select ${sha256(token)}, user_id, 'verified', ${ip}, ${userAgent}, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz, ${expires}::timestamptz
      from ended
      returning id
    ), stamped as (
      update mfa_factors set last_used_at = ${at}::timestamptz
      where id = ${stampFactor}::uuid and exists (select 1 from created)
    ), cleared as (
      update rate_limits set strikes = 0, blocked_until = null
      where key = ${input.accountKey} and (strikes > 0 or blocked_until is not null) and exists (select 1 from created)
    ), recorded as (
      insert into audit_events (user_id, actor_id, organisation_id, action, ip, user_agent, detail, created_at)
      select ${pending.userId}::uuid, ${pending.userId}::uuid, ${pending.organisationId}::uuid, 'sign_in.succeeded',
        ${clean(ip, 64)}, ${clean(userAgent, 300)}, ${detail}::jsonb, ${at}::timestamptz
      from created
    )
    select id from created`);
  return rowsOf<{ id: string }>(result).length === 1 ? token : null;
}

