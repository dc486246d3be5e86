import bcrypt from "bcrypt";
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { mfaFactors, organisations, otpChallenges, sessions } from "@/db/schema";
import { newDeviceId } from "@/lib/auth/devices";
import { confirmPassword } from "@/lib/auth/reauth";
import { createSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { signUp } from "@/lib/auth/sign-up";
import { sha256 } from "@/lib/crypto/tokens";
import type { Actor } from "@/lib/mfa/actor";
import { generateBackupCodes } from "@/lib/mfa/backup-codes/codes";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { RESEND_DELAYS_MS } from "@/lib/mfa/codes";
import { completeLoginChallenge, signInWithCode } from "@/lib/mfa/sign-in";
import { resendChallenge } from "@/lib/mfa/sms/delivery";
import { checkEnrollmentCode, startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { checkStepUp, startStepUp } from "@/lib/mfa/step-up";
import { generateTotpSecret, totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";

/**
 * Limits that hold under parallel requests (ASVS 5.0 2.4.1): each limit is reserved before the work it
 * limits, so N requests at once get no more than one at a time would. On PGlite the requests interleave
 * on one connection; with TEST_DATABASE_URL they run in parallel on Postgres.
 */

let t: TestDb;
const T0 = new Date("2031-05-04T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const WRONG = "not the password";
const info = { ip: null, userAgent: "vitest" };

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function context(now: Date, sms = recordingSms()) {
  return { sms: sms.sender, host: "accounts.example.com", now, info };
}

const password = (email: string, pass: string, now = T0, deviceId: string | null = null, ip: string | null = null) =>
  signInWithPassword(t.db, context(now), { email, password: pass, deviceId }, { ...info, ip });

/** A pending sign-in of a user with an authenticator app (the challenge texts nothing). */
async function pendingSignIn(email: string, now = T0) {
  const result = await password(email, TEST_PASSWORD, now);
  if (!result.ok || result.mfaState !== "pending") throw new Error(`expected a pending sign-in, got ${JSON.stringify(result)}`);
  const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(result.token)));
  const challenge = await findOpenChallenge(t.db, session.id, "login");
  if (!challenge) throw new Error("no challenge");
  return { token: result.token, session, challenge };
}

async function userWithApp(options: { phone?: string } = {}) {
  const u = await makeUser(t.db, { phone: options.phone });
  const secret = generateTotpSecret();
  await t.db.insert(mfaFactors).values({ userId: u.user.id, kind: "totp", secretCiphertext: encryptTotpSecret(u.user.id, secret), verifiedAt: T0 });
  await t.db.execute(sql`update users set mfa_enabled = true where id = ${u.user.id}::uuid`);
  return { ...u, secret };
}

/** A six-digit code that is not the app's code now or either side of it. */
function wrongTotp(secret: string, now: Date) {
  const near = new Set([-30, 0, 30].map((s) => totpCodeAt(secret, new Date(now.getTime() + s * SECOND))));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

describe("1. password guesses are reserved before bcrypt", () => {
  it("30 parallel wrong passwords with the limit at 5: at most 5 bcrypt compares and 5 wrong-password answers; the right one then waits", async () => {
    const { user } = await makeUser(t.db);
    const compare = vi.spyOn(bcrypt, "compare");
    const results = await Promise.all(Array.from({ length: 30 }, () => password(user.email, WRONG)));
    expect(compare.mock.calls.length).toBeLessThanOrEqual(5);
    const wrong = results.filter((r) => !r.ok && r.error === "invalid_credentials");
    const waiting = results.filter((r) => !r.ok && r.error === "throttled");
    expect(wrong.length).toBeLessThanOrEqual(5);
    expect(wrong.length + waiting.length).toBe(30);
    const right = await password(user.email, TEST_PASSWORD, at(SECOND));
    expect(right).toMatchObject({ ok: false, error: "throttled" });
    if (right.ok || right.error !== "throttled") return;
    expect(await password(user.email, TEST_PASSWORD, new Date(right.retryAt.getTime() + 1))).toMatchObject({ ok: true });
  });

  it("the re-entered password (step-up, password change) is reserved the same way", async () => {
    const { user, org } = await makeUser(t.db);
    const { session } = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
    const compare = vi.spyOn(bcrypt, "compare");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => confirmPassword(t.db, { userId: user.id, sessionId: session.id, organisationId: org.id, password: WRONG, now: T0 })),
    );
    expect(compare.mock.calls.length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => !r.ok && r.error === "password_wrong").length).toBeLessThanOrEqual(4);
  });
});

describe("2. second-factor guesses are reserved per account, pending sign-ins are capped, no challenge opens while blocked", () => {
  it("4 pending sign-ins and 20 parallel wrong codes across them: at most 10 codes checked; the right code is then refused until the wait ends", async () => {
    const { user, secret } = await userWithApp();
    const pendings: Awaited<ReturnType<typeof pendingSignIn>>[] = [];
    for (let i = 0; i < 4; i++) pendings.push(await pendingSignIn(user.email, at(i)));
    const live = await t.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, user.id), eq(sessions.mfaState, "pending"), isNull(sessions.revokedAt)));
    expect(live).toHaveLength(3);
    const now = at(10 * SECOND);
    const guess = wrongTotp(secret, now);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const p = pendings[i % 4];
        return signInWithCode(t.db, p.token, { challengeId: p.challenge.id, method: "totp", code: guess, now, info });
      }),
    );
    const [checked] = await t.db
      .select({ n: sql<number>`coalesce(sum(${otpChallenges.attempts}), 0)` })
      .from(otpChallenges)
      .where(eq(otpChallenges.userId, user.id));
    expect(Number(checked.n)).toBeLessThanOrEqual(10);
    expect(results.some((r) => !r.ok && r.error === "mfa_throttled")).toBe(true);
    const open = pendings.filter((p) => live.some((s) => s.id === p.session.id));
    const later = at(11 * SECOND);
    for (const p of open) {
      const right = await signInWithCode(t.db, p.token, { challengeId: p.challenge.id, method: "totp", code: totpCodeAt(secret, later), now: later, info });
      expect(right.ok).toBe(false);
    }
  });

  it("while the second factor is blocked, a right password opens no new challenge and says when to come back", async () => {
    const { user, secret } = await userWithApp();
    const first = await pendingSignIn(user.email);
    const second = await pendingSignIn(user.email);
    for (const p of [first, second])
      for (let i = 0; i < 5; i++)
        await completeLoginChallenge(t.db, { sessionId: p.session.id, userId: user.id, organisationId: null }, { challengeId: p.challenge.id, method: "totp", code: wrongTotp(secret, T0), now: T0 });
    const before = (await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id))).length;
    expect(await password(user.email, TEST_PASSWORD, at(SECOND))).toMatchObject({ ok: false, error: "mfa_throttled" });
    expect(await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id))).toHaveLength(before);
  });
});

describe("3. wrong codes at enrolment and step-up count toward the same per-account limit", () => {
  it("ten wrong enrolment codes block the account's step-up with its right authenticator code", async () => {
    const { user, org, secret } = await userWithApp();
    const { session } = await createSession(t.db, { userId: user.id, mfaState: "verified", handoff: false });
    const actor: Actor = { userId: user.id, sessionId: session.id, organisationId: org.id, reauthenticatedAt: T0 };
    const sms = recordingSms();
    const stepUp = await startStepUp(t.db, actor, { method: "totp", now: T0 });
    if (!stepUp.ok) throw new Error(stepUp.error);
    await t.db.update(otpChallenges).set({ verifiedAt: T0 }).where(eq(otpChallenges.id, stepUp.challengeId));
    for (const phone of ["+31612345601", "+31612345602"]) {
      const started = await startSmsEnrollment(t.db, context(T0, sms), actor, { phone, stepUpChallengeId: stepUp.challengeId });
      if (!started.ok) throw new Error(started.error);
      const wrong = sms.lastCode(phone) === "000000" ? "111111" : "000000";
      await Promise.all(Array.from({ length: 5 }, () => checkEnrollmentCode(t.db, actor, { challengeId: started.challengeId, code: wrong, now: T0 })));
    }
    const proof = await startStepUp(t.db, actor, { method: "totp", now: at(SECOND) });
    if (!proof.ok) throw new Error(proof.error);
    expect(await checkStepUp(t.db, actor, { challengeId: proof.challengeId, method: "totp", code: totpCodeAt(secret, at(SECOND)), now: at(SECOND) })).toMatchObject({
      ok: false,
      error: "mfa_throttled",
    });
  });
});

describe("4. lockout is not a weapon: failures count per (account, browser)", () => {
  it("failures kept up from client A; the right password from client B, which signed in before, is accepted", async () => {
    const { user } = await makeUser(t.db);
    const browserB = newDeviceId();
    expect(await password(user.email, TEST_PASSWORD, T0, browserB)).toMatchObject({ ok: true });
    const browserA = newDeviceId();
    for (let i = 0; i < 12; i++) await password(user.email, WRONG, at(i * SECOND), browserA);
    expect(await password(user.email, TEST_PASSWORD, at(13 * SECOND), browserA)).toMatchObject({ ok: false, error: "throttled" });
    expect(await password(user.email, TEST_PASSWORD, at(13 * SECOND), browserB)).toMatchObject({ ok: true });
  });

  it("fresh browsers spraying one account stop at the account-wide limit; a known browser still gets in", async () => {
    vi.stubEnv("LIMIT_SIGNIN_ACCOUNT_WIDE_FAILURES", "6");
    const { user } = await makeUser(t.db);
    const known = newDeviceId();
    await password(user.email, TEST_PASSWORD, T0, known);
    await Promise.all(Array.from({ length: 12 }, () => password(user.email, WRONG, at(SECOND), newDeviceId())));
    expect(await password(user.email, TEST_PASSWORD, at(2 * SECOND), newDeviceId())).toMatchObject({ ok: false, error: "throttled" });
    expect(await password(user.email, TEST_PASSWORD, at(2 * SECOND), known)).toMatchObject({ ok: true });
    vi.unstubAllEnvs();
  });

  it("a browser becomes known only by completing the sign-in, second factor included, and only the hash of its id is stored", async () => {
    const { user, secret } = await userWithApp();
    const device = newDeviceId();
    const result = await password(user.email, TEST_PASSWORD, T0, device);
    if (!result.ok) throw new Error("password step failed");
    const rows = () => t.db.execute(sql`select token_hash from known_devices where user_id = ${user.id}::uuid`);
    expect(JSON.stringify(await rows())).not.toContain(sha256(`device:${device}`));
    const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(result.token)));
    const challenge = await findOpenChallenge(t.db, session.id, "login");
    const done = await signInWithCode(t.db, result.token, { challengeId: challenge?.id ?? "", method: "totp", code: totpCodeAt(secret, at(SECOND)), deviceId: device, now: at(SECOND), info });
    expect(done.ok).toBe(true);
    const stored = JSON.stringify(await rows());
    expect(stored).toContain(sha256(`device:${device}`));
    expect(stored).not.toContain(device);
  });
});

describe("5. the resend delay grows", () => {
  it("30 s, then 1 min, then 2 min within a challenge, and a new sign-in does not start it over", async () => {
    const { user } = await makeUser(t.db, { phone: "+31612345699" });
    const sms = recordingSms();
    const result = await signInWithPassword(t.db, context(T0, sms), { email: user.email, password: TEST_PASSWORD }, info);
    if (!result.ok) throw new Error("password step failed");
    const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(result.token)));
    const challenge = await findOpenChallenge(t.db, session.id, "login");
    const resend = (now: Date) => resendChallenge(t.db, context(now, sms), { challengeId: challenge?.id ?? "", userId: user.id, sessionId: session.id });
    let sentAt = T0;
    for (const delay of RESEND_DELAYS_MS.slice(0, 3)) {
      expect(await resend(new Date(sentAt.getTime() + delay - SECOND))).toEqual({ status: "cooldown", retryAt: new Date(sentAt.getTime() + delay) });
      expect(await resend(new Date(sentAt.getTime() + delay))).toEqual({ status: "sent" });
      sentAt = new Date(sentAt.getTime() + delay);
    }
    // Four texts this hour: the next sign-in's first resend waits the longest delay, not 30 seconds.
    const again = await signInWithPassword(t.db, context(at(10 * MINUTE), sms), { email: user.email, password: TEST_PASSWORD }, info);
    if (!again.ok) throw new Error("password step failed");
    const [second] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(again.token)));
    const next = await findOpenChallenge(t.db, second.id, "login");
    expect(await resendChallenge(t.db, context(at(10 * MINUTE + MINUTE), sms), { challengeId: next?.id ?? "", userId: user.id, sessionId: second.id })).toMatchObject({
      status: "cooldown",
    });
  });
});

describe("6. an authenticator-app-only organisation refuses text messages on every path", () => {
  it("a member with an app and SMS: the right texted code is refused at sign-in, and so is a step-up by text", async () => {
    const { user, org } = await userWithApp({ phone: "+31612345698" });
    await t.db.update(organisations).set({ mfaMethods: "totp_only" }).where(eq(organisations.id, org.id));
    const sms = recordingSms();
    const p = await pendingSignIn(user.email);
    // Even if a text were sent (a resend posted by hand), its code does not sign in.
    await resendChallenge(t.db, context(at(SECOND), sms), { challengeId: p.challenge.id, userId: user.id, sessionId: p.session.id });
    const code = sms.lastCode();
    expect(await signInWithCode(t.db, p.token, { challengeId: p.challenge.id, method: "sms", code, now: at(2 * SECOND), info })).toEqual({
      ok: false,
      error: "method_not_allowed",
    });
    const { session } = await createSession(t.db, { userId: user.id, mfaState: "verified", handoff: false });
    const actor: Actor = { userId: user.id, sessionId: session.id, organisationId: org.id, reauthenticatedAt: T0 };
    expect(await startStepUp(t.db, actor, { method: "sms", now: T0, sms: context(T0, sms) })).toEqual({ ok: false, error: "no_factor" });
  });
});

describe("8. SMS budgets per purpose, sign-ups limited", () => {
  it("with the enrolment budget exhausted, an existing member's sign-in text is still sent", async () => {
    vi.stubEnv("SMS_ENROLL_DAILY_CAP", "1");
    const sms = recordingSms();
    const enrol = async (phone: string) => {
      const newcomer = await makeUser(t.db);
      const { session } = await createSession(t.db, { userId: newcomer.user.id, mfaState: "not_required", handoff: false });
      const actor: Actor = { userId: newcomer.user.id, sessionId: session.id, organisationId: newcomer.org.id, reauthenticatedAt: T0 };
      return startSmsEnrollment(t.db, context(T0, sms), actor, { phone });
    };
    await enrol("+31612345695");
    expect(await enrol("+31612345697")).toMatchObject({ ok: true, delivery: { status: "rate_limited" } });
    sms.sent.length = 0;
    const member = await makeUser(t.db, { phone: "+31612345696" });
    const signIn = await signInWithPassword(t.db, context(T0, sms), { email: member.user.email, password: TEST_PASSWORD }, info);
    expect(signIn).toMatchObject({ ok: true, mfaState: "pending" });
    expect(sms.sent.map((m) => m.to)).toEqual(["+31612345696"]);
    vi.unstubAllEnvs();
  });

  it("sign-ups are limited per IP: the third from one address within the hour is refused, another address is not", async () => {
    vi.stubEnv("LIMIT_SIGNUP_PER_IP_HOUR", "2");
    const form = () => ({ name: "New Person", email: uniqueEmail("signup"), password: "a long new passphrase", organisation: "Org" });
    const from = (ip: string) => signUp(t.db, form(), { ip, userAgent: "vitest" }, T0);
    expect((await from("198.51.100.40")).ok).toBe(true);
    expect((await from("198.51.100.40")).ok).toBe(true);
    expect(await from("198.51.100.40")).toMatchObject({ ok: false, error: "throttled" });
    expect((await from("198.51.100.41")).ok).toBe(true);
    vi.unstubAllEnvs();
  });
});

describe("11. a backup-code sign-in does not clear earlier wrong codes", () => {
  it("nine wrong codes, a backup-code sign-in, then one more wrong code: the account is blocked", async () => {
    const { user, secret } = await userWithApp();
    const codes = await generateBackupCodes(t.db, user.id, { now: T0 });
    const first = await pendingSignIn(user.email);
    const second = await pendingSignIn(user.email);
    const submit = (p: typeof first, method: "totp" | "backup", code: string, now = T0) =>
      completeLoginChallenge(t.db, { sessionId: p.session.id, userId: user.id, organisationId: null }, { challengeId: p.challenge.id, method, code, now });
    for (let i = 0; i < 5; i++) await submit(first, "totp", wrongTotp(secret, T0));
    for (let i = 0; i < 4; i++) await submit(second, "totp", wrongTotp(secret, T0));
    expect((await submit(second, "backup", codes[0])).ok).toBe(true);
    const third = await pendingSignIn(user.email, at(SECOND));
    expect(await submit(third, "totp", wrongTotp(secret, at(SECOND)), at(SECOND))).toMatchObject({ ok: false, error: "mfa_throttled" });
  });
});
