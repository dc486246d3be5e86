import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { type OtpChallenge, otpChallenges } from "@/db/schema";
import { recordEvent, recordEventSql, type RequestInfo } from "@/lib/audit/events";
import { isDeviceId, signedInFromSql } from "@/lib/auth/devices";
import { trustBrowserSql } from "@/lib/auth/trusted-browsers";
import { noteQueuedEmail } from "@/lib/email/outbox";
import { createSessionSql, endPendingSessionSql, isLive, revokeSession, sessionByToken, sessionIdleMs } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { type MethodHolder, type MfaMethodsSetting, type MfaPolicy, methodAllowed, policyOf, readMfaPolicy } from "@/lib/org/policy";
import { LIMITS } from "@/lib/security/limits";
import { clearFailuresSql, giveBackStrikeSql, type HeldStrike, releaseStrikes, type Reservation, reserveStrikeSql } from "@/lib/security/rate-limit";
import { challengeFromJson, consumeLoginChallengeSql, isChallengeId } from "./challenge";
import { checkCode, clearedAfterMatch, mfaBackoffKey, mfaBackoffKeySql } from "./code-check";
import { factorFor } from "./factors";
import { listMethods, methodHolder, methodsFromJson, methodsSql, type UserMethods } from "./methods";
import { resendAtSql } from "./sms/delivery";
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
type CodeInput = {
  challengeId: string;
  method?: LoginMethod;
  code: unknown;
  /** The browser's device id: a completed sign-in makes it known for this user (lib/auth/devices.ts). */
  deviceId?: string | null;
  /** "Don't ask again on this browser": a right code also trusts this browser (lib/auth/trusted-browsers.ts). */
  remember?: boolean;
  now?: Date;
  info?: Partial<RequestInfo>;
};

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

type PendingRead = {
  session: { id: string; userId: string; mfaState: string; expiresAt: Date; lastSeenAt: Date };
  organisationId: string | null;
  policy: MfaPolicy;
  holder: MethodHolder;
  challenge: OtpChallenge | null;
  reservation: Reservation;
};

/**
 * One round trip for the code step: the session the cookie names (checked as every session is:
 * sessionByToken, then isLive), its organisation's policy, the challenge, and the account's wrong-code
 * strike reserved before the code is checked (reserveStrikeSql; only for a live pending session).
 */
async function readPendingSignIn(db: Db, input: { tokenHash: string; challengeId: string; now: Date }): Promise<PendingRead | null> {
  const { now } = input;
  const policy = LIMITS.mfaAccount();
  const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const result = await db.execute(sql`
    with s as (
      select id, user_id, mfa_state, expires_at, last_seen_at from sessions where ${sessionByToken(input.tokenHash)} limit 1
    ), reserved as (
      ${reserveStrikeSql({
        key: mfaBackoffKeySql(sql`s.user_id`),
        policy,
        now,
        from: sql`from s where s.mfa_state = 'pending' and s.expires_at > ${iso(now)} and s.last_seen_at >= ${iso(new Date(now.getTime() - sessionIdleMs()))}`,
      })}
    )
    select s.id, s.user_id, s.mfa_state, s.expires_at, s.last_seen_at, m.organisation_id, o.mfa_required, o.mfa_methods,
      (select count(*) from reserved)::int as reserved,
      (select blocked_until from reserved limit 1) as reserved_block,
      (select blocked_until from rate_limits where key = ${mfaBackoffKeySql(sql`s.user_id`)}) as previous_block,
      exists (select 1 from mfa_factors f where f.user_id = s.user_id and f.kind = 'totp') as has_totp,
      exists (select 1 from mfa_factors f where f.user_id = s.user_id and f.kind = 'passkey') as has_passkey,
      row_to_json(c) as challenge
    from s
    left join memberships m on m.user_id = s.user_id
    left join organisations o on o.id = m.organisation_id
    left join otp_challenges c on c.id = ${input.challengeId}::uuid and c.session_id = s.id and c.user_id = s.user_id and c.purpose = 'login'`);
  const [row] = rowsOf<Record<string, unknown>>(result);
  if (!row) return null;
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  const reservedBlock = date(row.reserved_block);
  const userId = row.user_id as string;
  return {
    session: { id: row.id as string, userId, mfaState: row.mfa_state as string, expiresAt: date(row.expires_at) as Date, lastSeenAt: date(row.last_seen_at) as Date },
    organisationId: (row.organisation_id as string | null) ?? null,
    policy: row.organisation_id ? policyOf({ mfaRequired: Boolean(row.mfa_required), mfaMethods: row.mfa_methods as MfaMethodsSetting }) : policyOf(null),
    holder: { hasTotp: Boolean(row.has_totp), hasPasskey: Boolean(row.has_passkey) },
    challenge: challengeFromJson(typeof row.challenge === "string" ? JSON.parse(row.challenge) : (row.challenge as Record<string, unknown> | null)),
    reservation:
      Number(row.reserved) > 0
        ? { ok: true, held: [{ key: mfaBackoffKey(userId), policy, at: now }], blockedUntil: reservedBlock && reservedBlock > now ? reservedBlock : null }
        : { ok: false, retryAt: date(row.previous_block) ?? now },
  };
}

/** What the challenge page shows a pending sign-in: its open login challenge, the user's methods, when SMS may be resent. */
export type LoginChallengeView = { challenge: OtpChallenge | null; methods: UserMethods; resendAt: Date | null };

/** The challenge page's read, in one query: the session's newest open login challenge, the user's methods (methodsSql) and the resend countdown (resendAtSql). */
export async function readLoginChallenge(db: Db, input: { sessionId: string; userId: string; now?: Date }): Promise<LoginChallengeView> {
  const now = input.now ?? new Date();
  const result = await db.execute(sql`
    select ${methodsSql(sql`${input.userId}::uuid`)} as methods, row_to_json(c) as challenge, c.resend_at
    from (select 1) as one
    left join lateral (
      select ${otpChallenges}.*, ${resendAtSql(now)} as resend_at from ${otpChallenges}
      where ${otpChallenges.sessionId} = ${input.sessionId}::uuid and ${otpChallenges.purpose} = 'login' and ${otpChallenges.consumedAt} is null
      order by ${otpChallenges.createdAt} desc limit 1
    ) as c on true`);
  const [row] = rowsOf<{ methods: unknown; challenge: unknown; resend_at: string | Date | null }>(result);
  const challenge = typeof row.challenge === "string" ? JSON.parse(row.challenge) : row.challenge;
  return { challenge: challengeFromJson(challenge as Record<string, unknown> | null), methods: methodsFromJson(row.methods), resendAt: row.resend_at ? new Date(row.resend_at) : null };
}

/**
 * The code step from the cookie's session token: one read (readPendingSignIn), then the code check.
 * `no_session` and `not_pending` say the caller is not halfway signed in.
 */
export async function signInWithCode(
  db: Db,
  sessionToken: string,
  input: CodeInput,
): Promise<LoginCodeResult | { ok: false; error: "no_session" | "not_pending" }> {
  const now = input.now ?? new Date();
  const method = input.method ?? "sms";
  // A code that cannot be read costs nothing: not even the account's strike.
  const normal = factorFor(method).normalize(input.code);
  if (!normal.ok) return { ok: false, error: "code_unreadable", reason: normal.error };
  const read = await readPendingSignIn(db, {
    tokenHash: sha256(sessionToken),
    // A malformed id must not reach SQL as a uuid: the nil uuid names no challenge.
    challengeId: isChallengeId(input.challengeId) ? input.challengeId : NIL_UUID,
    now,
  });
  if (!read || !isLive(read.session, now)) return { ok: false, error: "no_session" };
  if (read.session.mfaState !== "pending") return { ok: false, error: "not_pending" };
  const pending = { sessionId: read.session.id, userId: read.session.userId, organisationId: read.organisationId };
  if (!methodAllowed(read.policy, "sign_in", method, read.holder)) {
    if (read.reservation.ok) await releaseStrikes(db, read.reservation.held);
    return { ok: false, error: "method_not_allowed" };
  }
  return answerLoginChallenge(db, pending, { ...input, code: normal.code, now }, { policy: read.policy, holder: read.holder }, { challenge: read.challenge, reservation: read.reservation });
}

/**
 * The same step for a pending session already looked up. The app's code route uses signInWithCode; this
 * entry lets the tests reach the write's own guards, for a session that changed after it was read.
 */
export async function completeLoginChallenge(db: Db, pending: Pending, input: CodeInput): Promise<LoginCodeResult> {
  const [policy, methods] = await Promise.all([readMfaPolicy(db, pending.organisationId), listMethods(db, pending.userId)]);
  return answerLoginChallenge(db, pending, input, { policy, holder: methodHolder(methods) });
}

async function answerLoginChallenge(
  db: Db,
  pending: Pending,
  input: CodeInput,
  rules: { policy: MfaPolicy; holder: MethodHolder },
  found?: { challenge: OtpChallenge | null; reservation: Reservation },
): Promise<LoginCodeResult> {
  const method = input.method ?? "sms";
  if (!methodAllowed(rules.policy, "sign_in", method, rules.holder)) return { ok: false, error: "method_not_allowed" };
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
    onMatch: async (challenge, match, held) => {
      token = await finishSignIn(db, pending, {
        challenge,
        method,
        held,
        deviceId: isDeviceId(input.deviceId) ? input.deviceId : null,
        remember: input.remember === true,
        stampFactorId: method === "sms" ? (match.factorId ?? null) : null,
        spend: match.spend ?? null,
        now,
        info,
      });
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
 * One statement, so one round trip and all or nothing: spend what the match left to spend (a passkey's
 * counter), consume the challenge (conditional, so a code works once even across instances and parallel
 * requests), end the pending session, create the verified one,
 * stamp the texted factor, give back the account's wrong-code strike, remember this browser for the user, trust
 * it when the box was ticked (and record that), and record the sign-in. Each part is
 * the fragment of the module whose rule it is, and runs only if the one before matched a row. Returns the
 * new session's token, or null if another request got there first.
 */
async function finishSignIn(
  db: Db,
  pending: Pending,
  input: {
    challenge: OtpChallenge;
    method: LoginMethod;
    held: HeldStrike[];
    deviceId: string | null;
    remember: boolean;
    stampFactorId: string | null;
    /** What the match left to spend (a passkey's counter): the sign-in happens only if it takes effect. */
    spend: SQL | null;
    now: Date;
    info: Partial<RequestInfo>;
  },
): Promise<string | null> {
  const { now, info } = input;
  const at = now.toISOString();
  const created = createSessionSql({ mfaState: "verified", now, ...info, from: sql`ended` });
  const afterCreated = sql`exists (select 1 from created)`;
  const signedIn = signedInFromSql({ deviceId: input.deviceId, userAgent: info.userAgent, ip: info.ip, now, from: sql`ended where ${afterCreated}` });
  const trust = trustBrowserSql({ remember: input.remember, deviceId: input.deviceId, userAgent: info.userAgent, now, from: sql`ended where ${afterCreated}` });
  // The account's strikes: cleared by a right code, except that a backup code gives back only its own.
  const cleared = clearedAfterMatch(input.method, pending.userId);
  const release = cleared.length > 0 ? clearFailuresSql(cleared[0], afterCreated) : input.held[0] ? giveBackStrikeSql(input.held[0], afterCreated) : sql`select 1`;
  const result = await db.execute(sql`
    with spent as (
      ${input.spend ?? sql`select 1`}
    ), consumed as (
      ${consumeLoginChallengeSql({ challenge: input.challenge, userId: pending.userId, sessionId: pending.sessionId, at, when: sql`exists (select 1 from spent)` })}
    ), ended as (
      ${endPendingSessionSql({ sessionId: pending.sessionId, reason: "mfa_completed", now, when: sql`exists (select 1 from consumed)` })}
    ), created as (
      ${created.sql}
    ), stamped as (
      update mfa_factors set last_used_at = ${at}::timestamptz
      where id = ${input.stampFactorId}::uuid and ${afterCreated}
    ), released as (
      ${release}
    ), remembered as (
      ${signedIn.remembered}
    ), noticed as (
      ${signedIn.noticed}
    ), trusted as (
      ${trust}
    ), trust_recorded as (
      ${recordEventSql({ action: "trusted_browser.added", ...pending, ...info, now, from: sql`trusted` })}
    ), recorded as (
      ${recordEventSql({ action: "sign_in.succeeded", ...pending, ...info, detail: { mfa: true, method: input.method }, now, from: sql`created` })}
    )
    select id, (select count(*) from noticed)::int as notices from created`);
  const [row] = rowsOf<{ id: string; notices: number }>(result);
  if (row?.notices) noteQueuedEmail();
  return row ? created.token : null;
}
