import { and, eq, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { memberships, organisations, type OtpChallenge, otpChallenges, rateLimits, sessions } from "@/db/schema";
import { recordEvent, recordEventSql, type RequestInfo } from "@/lib/audit/events";
import { createSessionSql, endPendingSessionSql, isLive, revokeSession, sessionByToken } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { type MfaPolicy, methodAllowed, policyOf, readMfaPolicy } from "@/lib/org/policy";
import { clearFailuresSql } from "@/lib/security/rate-limit";
import { consumeLoginChallengeSql, isChallengeId } from "./challenge";
import { checkCode, mfaBackoffKey, mfaBackoffKeySql } from "./code-check";
import type { LoginMethod } from "./method";

/**
 * The second sign-in step: a pending session (password done) answers its login challenge with any of the
 * user's methods, through the one code check. A right code ends the pending session and starts a verified
 * one with a new id (ASVS 5.0 7.2.4); too many wrong codes end the pending session.
 */
export type LoginCodeResult =
  | { ok: true; token: string; method: LoginMethod; backupCodesLeft?: number }
  | { ok: false; error: "code_wrong"; attemptsLeft: number }
  | { ok: false; error: "code_locked" | "code_expired" | "challenge_missing" | "method_not_allowed" }
  /** reason: the method's word for a code it cannot read (empty, wrong format); no attempt was counted. */
  | { ok: false; error: "code_unreadable"; reason: string }
  | { ok: false; error: "mfa_throttled"; retryAt: Date };

type Pending = { sessionId: string; userId: string; organisationId: string | null };
type CodeInput = { challengeId: string; method?: LoginMethod; code: unknown; now?: Date; info?: Partial<RequestInfo> };

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

function buildPendingSignInQuery(db: Db) {
  return db
    .select({
      session: { id: sessions.id, userId: sessions.userId, mfaState: sessions.mfaState, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt },
      organisationId: memberships.organisationId,
      organisation: { mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods },
      challenge: otpChallenges,
      blockedUntil: rateLimits.blockedUntil,
    })
    .from(sessions)
    .leftJoin(memberships, eq(memberships.userId, sessions.userId))
    .leftJoin(organisations, eq(organisations.id, memberships.organisationId))
    .leftJoin(
      otpChallenges,
      and(
        eq(otpChallenges.id, sql.placeholder("challengeId")),
        eq(otpChallenges.sessionId, sessions.id),
        eq(otpChallenges.userId, sessions.userId),
        eq(otpChallenges.purpose, "login"),
      ),
    )
    .leftJoin(rateLimits, eq(rateLimits.key, mfaBackoffKeySql(sessions.userId)))
    .where(sessionByToken(sql.placeholder("tokenHash")))
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
 * The code step from the cookie's session token: the pending session (checked as every session is:
 * sessionByToken and isLive), its challenge and the account's backoff come from one query, then the
 * code check. `no_session` and `not_pending` say the caller is not halfway signed in.
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
  const policy = policyOf(row.organisationId ? row.organisation : null);
  return answerLoginChallenge(db, pending, { ...input, now }, policy, { challenge: row.challenge, blockedUntil: row.blockedUntil });
}

/**
 * The same step for a pending session already looked up. The app's code route uses signInWithCode; this
 * entry lets the tests reach the write's own guards, for a session that changed after it was read.
 */
export async function completeLoginChallenge(db: Db, pending: Pending, input: CodeInput): Promise<LoginCodeResult> {
  return answerLoginChallenge(db, pending, input, await readMfaPolicy(db, pending.organisationId));
}

async function answerLoginChallenge(
  db: Db,
  pending: Pending,
  input: CodeInput,
  policy: MfaPolicy,
  found?: { challenge: OtpChallenge | null; blockedUntil: Date | null },
): Promise<LoginCodeResult> {
  const method = input.method ?? "sms";
  if (!methodAllowed(policy, "sign_in", method)) return { ok: false, error: "method_not_allowed" };
  const now = input.now ?? new Date();
  const info = input.info ?? {};
  const event = { userId: pending.userId, organisationId: pending.organisationId, ...info };
  let token: string | null = null;
  const result = await checkCode(db, {
    challengeId: input.challengeId,
    userId: pending.userId,
    sessionId: pending.sessionId,
    organisationId: pending.organisationId,
    purpose: "login",
    method,
    code: input.code,
    now,
    info,
    found,
    onWrong: (attemptsLeft) => recordEvent(db, { action: "sign_in.failed_code", ...event, detail: { attemptsLeft } }),
    onMatch: async (challenge, match) => {
      token = await finishSignIn(db, pending, { challenge, method, stampFactorId: method === "sms" ? (match.factorId ?? null) : null, now, info });
      return token ? challenge : null;
    },
  });
  if (result.ok && token) return { ok: true, token, method, backupCodesLeft: result.match.backupCodesLeft };
  if (result.ok) return { ok: false, error: "challenge_missing" };
  switch (result.error) {
    case "code_wrong":
      return { ok: false, error: "code_wrong", attemptsLeft: result.attemptsLeft };
    case "code_locked":
      if ((await revokeSession(db, pending.sessionId, "mfa_locked", now)) || result.counted) await recordEvent(db, { action: "sign_in.mfa_locked", ...event });
      return { ok: false, error: "code_locked" };
    case "code_unreadable":
      return { ok: false, error: "code_unreadable", reason: result.reason };
    default:
      return result;
  }
}

/**
 * One statement, so one round trip and all or nothing: consume the challenge (conditional, so a code works
 * once even across instances and parallel requests), end the pending session, create the verified one,
 * stamp the texted factor, clear the account's wrong-code strikes and record the sign-in. Each part is
 * the fragment of the module whose rule it is, and runs only if the one before matched a row. Returns the
 * new session's token, or null if another request got there first.
 */
async function finishSignIn(
  db: Db,
  pending: Pending,
  input: { challenge: OtpChallenge; method: LoginMethod; stampFactorId: string | null; now: Date; info: Partial<RequestInfo> },
): Promise<string | null> {
  const { now, info } = input;
  const at = now.toISOString();
  const created = createSessionSql({ mfaState: "verified", now, ...info, from: sql`ended` });
  const result = await db.execute(sql`
    with consumed as (
      ${consumeLoginChallengeSql({ challenge: input.challenge, userId: pending.userId, sessionId: pending.sessionId, at })}
    ), ended as (
      ${endPendingSessionSql({ sessionId: pending.sessionId, reason: "mfa_completed", now, when: sql`exists (select 1 from consumed)` })}
    ), created as (
      ${created.sql}
    ), stamped as (
      update mfa_factors set last_used_at = ${at}::timestamptz
      where id = ${input.stampFactorId}::uuid and exists (select 1 from created)
    ), cleared as (
      ${clearFailuresSql(mfaBackoffKey(pending.userId), sql`exists (select 1 from created)`)}
    ), recorded as (
      ${recordEventSql({ action: "sign_in.succeeded", ...pending, ...info, detail: { mfa: true, method: input.method }, now, from: sql`created` })}
    )
    select id from created`);
  return rowsOf<{ id: string }>(result).length === 1 ? created.token : null;
}
