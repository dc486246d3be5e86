import crypto from "node:crypto";
import { eq, type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { memberships, organisations, trustedBrowsers, users } from "@/db/schema";
import { recordEvent, recordEventSql, type RequestInfo } from "@/lib/audit/events";
import { noteQueuedEmail } from "@/lib/email/outbox";
import type { Locale } from "@/lib/i18n/locales";
import { openLoginChallengeSql } from "@/lib/mfa/challenge";
import { generateCode } from "@/lib/mfa/codes";
import { methodsFromJson, methodsSql, type UserMethods } from "@/lib/mfa/methods";
import { localeFor, type SendContext, smsBudgets, textChallengeCode } from "@/lib/mfa/sms/delivery";
import { allowedMethods, policyOf } from "@/lib/org/policy";
import { LIMITS } from "@/lib/security/limits";
import { mfaBackoffKeySql } from "@/lib/mfa/code-check";
import {
  type Backoff,
  type HeldStrike,
  ipBucket,
  releaseStrikeSql,
  releaseStrikes,
  reserveStrikes,
  settleBudgets,
  takeBudgetsSql,
} from "@/lib/security/rate-limit";
import { sha256 } from "@/lib/crypto/tokens";
import { deviceHash, isDeviceId, signedInFromSql } from "./devices";
import { verifyPassword } from "./password";
import { createSessionSql, endExcessPendingSessions } from "./sessions";
import { liveTrustJoin, stampTrustedBrowser } from "./trusted-browsers";

export type SignInResult =
  /** "verified": a browser the user trusted (lib/auth/trusted-browsers.ts) skipped the second factor. */
  | { ok: true; token: string; userId: string; mfaState: "pending" | "not_required" | "verified" }
  | { ok: false; error: "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAt: Date }
  /** The password was right, but wrong codes have blocked the second factor for a while. */
  | { ok: false; error: "mfa_throttled"; retryAt: Date };

/**
 * The password step. Unknown email and wrong password take the same path (a bcrypt compare either way)
 * and return the same error. Before bcrypt runs, a failure is reserved (reserveStrikes: parallel guesses
 * cannot outrun a limit) on this account from this browser (its device id; a request without one shares
 * one bucket per account), on the client's IP, and, unless this browser signed in as this user before, on
 * the account as a whole with a looser limit. The same round trip reads what a right password needs next (the
 * user's methods, the second factor's backoff, their language). A right password gives the strikes back in
 * the statement that writes the session (signedInSql, pendingSignInSql). A user with MFA gets a pending
 * session and a login challenge, unless this browser is one they trusted: then a verified session at once,
 * with no challenge and no text (lib/auth/trusted-browsers.ts).
 */
export async function signInWithPassword(
  db: Db,
  ctx: SendContext,
  input: { email: string; password: string; deviceId?: string | null },
  info: Partial<RequestInfo> = {},
): Promise<SignInResult> {
  const email = input.email.toLowerCase();
  const now = ctx.now ?? new Date();
  const deviceId = isDeviceId(input.deviceId) ? input.deviceId : null;
  // Keyed by the email as typed (not by user id), so throttling looks the same for unknown accounts.
  const accountKey = `signin:account:${sha256(email)}`;
  const deviceKey = `${accountKey}:device:${deviceId ? deviceHash(deviceId) : "none"}`;
  const ipKey = info.ip ? `signin:ip:${ipBucket(info.ip)}` : null;
  const limits: { key: string; policy: Backoff; unless?: SQL }[] = [{ key: deviceKey, policy: LIMITS.signInAccount() }];
  if (ipKey) limits.push({ key: ipKey, policy: LIMITS.signInIp() });
  // The account as a whole, with a looser limit, except from a browser that signed in as this user before:
  // it keeps its own budget, and is neither counted nor stopped by the account-wide one.
  const knownBrowser = deviceId
    ? sql`exists (select 1 from known_devices d join users u on u.id = d.user_id where u.email = ${email} and d.token_hash = ${deviceHash(deviceId)})`
    : sql`false`;
  limits.push({ key: accountKey, policy: LIMITS.signInAccountWide(), unless: knownBrowser });
  // The reservation and the read in parallel: two round trips at once, both before bcrypt.
  const [reserved, [user]] = await Promise.all([
    reserveStrikes(db, limits, now),
    db
      .select({
        id: users.id,
        passwordHash: users.passwordHash,
        mfaEnabled: users.mfaEnabled,
        locale: users.locale,
        organisationId: memberships.organisationId,
        organisation: { mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods },
        // Live trust of this browser for this user, in the same query: no extra round trip for anyone without it.
        trustedBrowserId: trustedBrowsers.id,
        // What the step needs after a right password, for users with MFA only (a CASE runs its subqueries only when taken).
        methods: sql<unknown>`case when ${users.mfaEnabled} then ${methodsSql(sql`${users.id}`)} end`,
        mfaBlockedUntil: sql<string | Date | null>`case when ${users.mfaEnabled} then (select blocked_until from rate_limits where key = ${mfaBackoffKeySql(sql`${users.id}`)}) end`,
      })
      .from(users)
      .leftJoin(memberships, eq(memberships.userId, users.id))
      .leftJoin(organisations, eq(organisations.id, memberships.organisationId))
      .leftJoin(trustedBrowsers, liveTrustJoin(deviceId, now))
      .where(eq(users.email, email)),
  ]);
  if (!reserved.ok) return { ok: false, error: "throttled", retryAt: reserved.retryAt };
  const { held } = reserved;
  const valid = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !valid) {
    // The strikes reserved above stay: this was a failure (the next attempt learns of any block).
    if (user) await recordEvent(db, { action: "sign_in.failed_password", userId: user.id, organisationId: user.organisationId, ...info });
    return { ok: false, error: "invalid_credentials" };
  }
  // A right password gives the strikes back and clears this browser's failures on the account.
  const release = { held, clear: deviceKey };
  const signedIn = { userId: user.id, organisationId: user.organisationId, deviceId, now, info, release };
  // The methods this sign-in may be finished with: the user's, as the organisation's policy allows at sign-in.
  const listed = user.methods ? methodsFromJson(user.methods) : null;
  const allowed = allowedMethods(policyOf(user.organisationId ? user.organisation : null), "sign_in", { hasTotp: Boolean(listed?.totp), hasPasskey: Boolean(listed?.passkeys.length) });
  const methods = listed?.available.filter((m) => allowed.includes(m)) ?? [];
  if (!listed || methods.length === 0) {
    const token = await signedInSql(db, { ...signedIn, mfaState: "not_required", detail: { mfa: false } });
    return { ok: true, token, userId: user.id, mfaState: "not_required" };
  }
  // A browser this user trusted: the second factor was proven here before. A trust forgotten since the read
  // above is not used (stampTrustedBrowser answers false) and the sign-in asks for a code as usual.
  if (user.trustedBrowserId && (await stampTrustedBrowser(db, { id: user.trustedBrowserId, now }))) {
    const token = await signedInSql(db, { ...signedIn, mfaState: "verified", detail: { mfa: true, method: "trusted_browser" } });
    return { ok: true, token, userId: user.id, mfaState: "verified" };
  }
  const blocked = user.mfaBlockedUntil ? new Date(user.mfaBlockedUntil) : null;
  // While wrong codes have blocked the account's second factor, no new challenge opens: a correct password
  // must not buy fresh guesses (NIST SP 800-63B 3.2.2).
  if (blocked && blocked > now) {
    await releaseStrikes(db, held, [deviceKey]);
    return { ok: false, error: "mfa_throttled", retryAt: blocked };
  }
  const token = await pendingSignInSql(db, ctx, { ...signedIn, sms: methods[0] === "sms" ? listed.sms : null, smsFactor: listed.sms, locale: localeFor(user.locale) });
  return { ok: true, token, userId: user.id, mfaState: "pending" };
}

type SignedIn = {
  userId: string;
  organisationId: string | null;
  deviceId: string | null;
  now: Date;
  info: Partial<RequestInfo>;
  /** The strikes the attempt reserved, to give back; `clear` is the key whose failures a right password clears. */
  release: { held: HeldStrike[]; clear: string };
};

/** The strikes given back, as CTEs of the statement that writes the session (releaseStrikeSql, one each). */
function releasedSql(release: SignedIn["release"]) {
  return release.held.map((strike, i) => sql`released_${sql.raw(String(i))} as (${releaseStrikeSql(strike, [release.clear])}),`);
}

/**
 * A finished sign-in (no second factor needed, or a trusted browser) as one statement: the strikes given back,
 * the session, the browser remembered for the user (and the owner told of a new one), the audit event.
 */
async function signedInSql(db: Db, input: SignedIn & { mfaState: "not_required" | "verified"; detail: { mfa: boolean; method?: string } }): Promise<string> {
  const { now, info } = input;
  const user = sql`(select ${input.userId}::uuid as user_id) as signing_in`;
  const created = createSessionSql({ mfaState: input.mfaState, now, ...info, from: user });
  const from = signedInFromSql({ deviceId: input.deviceId, userAgent: info.userAgent, ip: info.ip, now, from: user });
  const result = await db.execute(sql`
    with ${sql.join(releasedSql(input.release), sql` `)} created as (
      ${created.sql}
    ), remembered as (
      ${from.remembered}
    ), noticed as (
      ${from.noticed}
    ), recorded as (
      ${recordEventSql({ action: "sign_in.succeeded", userId: input.userId, organisationId: input.organisationId, ...info, detail: input.detail, now, from: sql`created` })}
    )
    select (select count(*) from noticed)::int as notices`);
  if (rowsOf<{ notices: number }>(result)[0]?.notices) noteQueuedEmail();
  return created.token;
}

/**
 * A pending sign-in as one statement: the strikes given back, the pending session, its login challenge and,
 * when the first method offered is SMS, the text's budgets (takeBudgetsSql). One challenge per sign-in carries
 * the attempt cap for every method; with an authenticator app first, no text is sent until the user picks SMS.
 * Then the text goes out, and the user's pending sessions beyond the newest few end: each holds a challenge
 * with its own attempts (endExcessPendingSessions, after the statement, so it sees parallel sign-ins too).
 */
async function pendingSignInSql(
  db: Db,
  ctx: SendContext,
  input: SignedIn & { sms: UserMethods["sms"]; smsFactor: UserMethods["sms"]; locale: Locale },
): Promise<string> {
  const { now, info, sms } = input;
  const created = createSessionSql({ mfaState: "pending", now, ...info, from: sql`(select ${input.userId}::uuid as user_id) as signing_in` });
  const challengeId = crypto.randomUUID();
  const code = sms ? generateCode(ctx.randomInt) : undefined;
  const budgets = sms ? smsBudgets(input.userId, sms.phone, info.ip, "login") : [];
  const challenge = { id: challengeId, userId: input.userId, code, phone: input.smsFactor?.phone ?? null, factorId: input.smsFactor?.id ?? null, now };
  const result = await db.execute(sql`
    with ${sql.join(releasedSql(input.release), sql` `)} created as (
      ${created.sql}
    ), opened as (
      ${openLoginChallengeSql({ ...challenge, session: sql`created` })}
    ), taken as (
      ${takeBudgetsSql(budgets, now)}
    )
    select key from taken`);
  const taken = rowsOf<{ key: string }>(result).map((r) => r.key);
  await Promise.all([
    sms && code
      ? settleBudgets(db, budgets, taken, now).then((budget) =>
          textChallengeCode(db, { ...ctx, now, info }, { challenge: { id: challengeId, userId: input.userId }, to: sms.phone, code, budget, locale: input.locale }),
        )
      : null,
    endExcessPendingSessions(db, input.userId, now),
  ]);
  return created.token;
}
