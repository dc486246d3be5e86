import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, mfaFactors, otpChallenges, sessions } from "@/db/schema";
import { claimSession, findActiveSession, revokeSession, sessionIdleMs } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { sha256 } from "@/lib/crypto/tokens";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { MAX_CODE_ATTEMPTS, RESEND_DELAYS_MS } from "@/lib/mfa/codes";
import { completeLoginChallenge, readLoginChallenge, signInWithCode } from "@/lib/mfa/sign-in";
import { resendAvailableAt } from "@/lib/mfa/sms/delivery";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";

let t: TestDb;
const T0 = new Date("2026-03-01T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const PHONE = "+31612345678";
const sms = recordingSms();
const info = { ip: "203.0.113.8", userAgent: "vitest" };

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** A user with an SMS factor, and a sign-in through the password step at `now`. */
async function signIn(existing?: Awaited<ReturnType<typeof makeUser>>, now = T0) {
  const u = existing ?? (await makeUser(t.db, { phone: PHONE }));
  const result = await signInWithPassword(t.db, { sms: sms.sender, host: "accounts.example.com", now }, { email: u.user.email, password: TEST_PASSWORD }, info);
  if (!result.ok || result.mfaState !== "pending") throw new Error("expected a pending sign-in");
  const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(result.token)));
  const challenge = await findOpenChallenge(t.db, session.id, "login");
  if (!challenge) throw new Error("no login challenge");
  const pending = { sessionId: session.id, userId: u.user.id, organisationId: u.org.id };
  const submit = (code: string, when = at(SECOND)) => completeLoginChallenge(t.db, pending, { challengeId: challenge.id, code, now: when, info });
  const events = async () =>
    (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, u.user.id))).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return { ...u, pendingToken: result.token, session, challenge, code: sms.lastCode(PHONE), submit, events };
}
const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");

describe("the right code", () => {
  it("ends the pending session and hands over a new, verified one", async () => {
    const s = await signIn();
    const result = await s.submit(s.code);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;

    expect(result.token).not.toBe(s.pendingToken);
    expect(await findActiveSession(t.db, s.pendingToken, at(2 * SECOND))).toBeNull();
    // Its cookie is set directly, so the new session is live at once and has no handoff ticket to claim.
    expect(await claimSession(t.db, result.token, at(2 * SECOND))).toBeNull();
    const found = await findActiveSession(t.db, result.token, at(3 * SECOND));
    expect(found?.user.id).toBe(s.user.id);
    const [old] = await t.db.select().from(sessions).where(eq(sessions.id, s.session.id));
    expect(old.revokedReason).toBe("mfa_completed");
    expect(found?.session.mfaState).toBe("verified");
    expect(found?.session.id).not.toBe(s.session.id);
  });

  it("records the sign-in and when the factor was last used", async () => {
    const s = await signIn();
    await s.submit(s.code, at(5 * SECOND));
    const events = await s.events();
    expect(events.map((e) => e.action)).toEqual(["sign_in.succeeded"]);
    expect(events[0]).toMatchObject({ detail: { mfa: true, method: "sms" }, organisationId: s.org.id, ip: info.ip });
    const [factor] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, s.user.id));
    expect(factor.lastUsedAt).toEqual(at(5 * SECOND));
  });

  it("makes one session when submitted five times in parallel", async () => {
    const s = await signIn();
    const results = await Promise.all(Array.from({ length: 5 }, () => s.submit(s.code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const verified = await t.db.select().from(sessions).where(and(eq(sessions.userId, s.user.id), eq(sessions.mfaState, "verified")));
    expect(verified).toHaveLength(1);
    expect((await s.events()).filter((e) => e.action === "sign_in.succeeded")).toHaveLength(1);
  });

  it("does not promote a pending session that was ended meanwhile", async () => {
    const s = await signIn();
    await t.db.update(sessions).set({ revokedAt: at(500), revokedReason: "revoked_by_user" }).where(eq(sessions.id, s.session.id));
    expect(await s.submit(s.code)).toEqual({ ok: false, error: "challenge_missing" });
    const verified = await t.db.select().from(sessions).where(and(eq(sessions.userId, s.user.id), eq(sessions.mfaState, "verified")));
    expect(verified).toHaveLength(0);
    expect((await s.events()).filter((e) => e.action === "sign_in.succeeded")).toHaveLength(0);
  });

  it("works once: submitting it again after success is refused", async () => {
    const s = await signIn();
    expect((await s.submit(s.code)).ok).toBe(true);
    expect(await s.submit(s.code, at(2 * SECOND))).toEqual({ ok: false, error: "challenge_missing" });
  });

  it("is refused after 10 minutes, and the pending session is not promoted", async () => {
    const s = await signIn();
    expect(await s.submit(s.code, at(10 * MINUTE + SECOND))).toEqual({ ok: false, error: "code_expired" });
    const verified = await t.db.select().from(sessions).where(and(eq(sessions.userId, s.user.id), eq(sessions.mfaState, "verified")));
    expect(verified).toEqual([]);
  });

  it("is refused for another user's pending session", async () => {
    const a = await signIn();
    const b = await signIn();
    const result = await completeLoginChallenge(
      t.db,
      { sessionId: b.session.id, userId: b.user.id, organisationId: b.org.id },
      { challengeId: a.challenge.id, code: a.code, now: at(SECOND), info },
    );
    expect(result).toEqual({ ok: false, error: "challenge_missing" });
    expect((await a.submit(a.code)).ok).toBe(true);
  });
});

describe("wrong codes", () => {
  it("say how many tries are left and are recorded without the code", async () => {
    const s = await signIn();
    const wrong = wrongFor(s.code);
    expect(await s.submit(wrong)).toEqual({ ok: false, error: "code_wrong", attemptsLeft: MAX_CODE_ATTEMPTS - 1 });
    const events = await s.events();
    expect(events.map((e) => e.action)).toEqual(["sign_in.failed_code"]);
    expect(events[0].detail).toEqual({ attemptsLeft: MAX_CODE_ATTEMPTS - 1 });
    expect(JSON.stringify(events)).not.toContain(wrong);
    expect(JSON.stringify(events)).not.toContain(s.code);
    expect(await findActiveSession(t.db, s.pendingToken, at(2 * SECOND))).not.toBeNull();
  });

  it("after five, lock the challenge, end the pending session, and refuse the right code", async () => {
    const s = await signIn();
    const wrong = wrongFor(s.code);
    const results = [];
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) results.push(await s.submit(wrong));
    expect(results.slice(0, 4).map((r) => !r.ok && r.error)).toEqual(["code_wrong", "code_wrong", "code_wrong", "code_wrong"]);
    expect(results[4]).toEqual({ ok: false, error: "code_locked" });
    expect(await findActiveSession(t.db, s.pendingToken, at(2 * SECOND))).toBeNull();
    const [row] = await t.db.select().from(sessions).where(eq(sessions.id, s.session.id));
    expect(row.revokedReason).toBe("mfa_locked");

    expect(await s.submit(s.code, at(3 * SECOND))).toEqual({ ok: false, error: "code_locked" });
    const verified = await t.db.select().from(sessions).where(and(eq(sessions.userId, s.user.id), eq(sessions.mfaState, "verified")));
    expect(verified).toEqual([]);
    const actions = (await s.events()).map((e) => e.action);
    expect(actions.filter((a) => a === "sign_in.failed_code")).toHaveLength(4);
    expect(actions).toContain("sign_in.mfa_locked");
  });

  it("four wrong then the right code still signs in", async () => {
    const s = await signIn();
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++) await s.submit(wrongFor(s.code));
    expect((await s.submit(s.code)).ok).toBe(true);
  });

  it("count per account across sign-ins: the tenth wrong code in a row makes MFA wait, even five per challenge", async () => {
    const u = await makeUser(t.db, { phone: PHONE });
    // A sign-in opened before the block: its right code is refused too.
    const next = await signIn(u);
    const results = [];
    for (let round = 0; round < 2; round++) {
      const s = await signIn(u);
      for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) results.push(await s.submit(wrongFor(s.code)));
    }
    expect(results.at(-1)).toEqual({ ok: false, error: "code_locked" });
    expect(await next.submit(next.code, at(2 * SECOND))).toEqual({
      ok: false,
      error: "mfa_throttled",
      retryAt: at(SECOND + 15 * MINUTE),
    });
    // And while the block lasts, a right password opens no new challenge.
    expect(
      await signInWithPassword(t.db, { sms: sms.sender, host: "accounts.example.com", now: at(3 * SECOND) }, { email: u.user.email, password: TEST_PASSWORD }, info),
    ).toEqual({ ok: false, error: "mfa_throttled", retryAt: at(SECOND + 15 * MINUTE) });
    const afterWait = await signIn(u, at(SECOND + 15 * MINUTE));
    expect((await afterWait.submit(afterWait.code, at(2 * SECOND + 15 * MINUTE))).ok).toBe(true);
  });

  it("nine wrong codes in a row across sign-ins still let the right code through", async () => {
    const u = await makeUser(t.db, { phone: PHONE });
    const first = await signIn(u);
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await first.submit(wrongFor(first.code));
    const second = await signIn(u);
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++) await second.submit(wrongFor(second.code));
    expect((await second.submit(second.code)).ok).toBe(true);
  });
});

describe("the code step from the cookie's token (one query for session, challenge and backoff)", () => {
  const byToken = (token: string, challengeId: string, code: string, when = at(SECOND)) =>
    signInWithCode(t.db, token, { challengeId, code, now: when, info });

  it("signs in with the right code, as completeLoginChallenge does", async () => {
    const s = await signIn();
    const result = await byToken(s.pendingToken, s.challenge.id, s.code);
    expect(result).toMatchObject({ ok: true, method: "sms" });
    if (!result.ok) return;
    expect((await findActiveSession(t.db, result.token, at(2 * SECOND)))?.session.mfaState).toBe("verified");
    expect(await findActiveSession(t.db, s.pendingToken, at(2 * SECOND))).toBeNull();
  });

  it("refuses an unknown, ended or idle pending session without counting a guess", async () => {
    const s = await signIn();
    expect(await byToken("not-a-session-token", s.challenge.id, s.code)).toEqual({ ok: false, error: "no_session" });
    expect(await byToken(s.pendingToken, s.challenge.id, s.code, at(sessionIdleMs() + 2 * SECOND))).toEqual({ ok: false, error: "no_session" });
    await revokeSession(t.db, s.session.id, "revoked_by_user", at(500));
    expect(await byToken(s.pendingToken, s.challenge.id, s.code)).toEqual({ ok: false, error: "no_session" });
    const [challenge] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, s.challenge.id));
    expect(challenge.attempts).toBe(0);
    expect(challenge.consumedAt).toBeNull();
  });

  it("says a fully signed-in session is not halfway", async () => {
    const s = await signIn();
    const done = await s.submit(s.code);
    if (!done.ok) throw new Error("expected a sign-in");
    expect(await byToken(done.token, s.challenge.id, s.code, at(2 * SECOND))).toEqual({ ok: false, error: "not_pending" });
  });

  it("does not reach another sign-in's challenge, nor take a malformed id", async () => {
    const a = await signIn();
    const b = await signIn();
    expect(await byToken(a.pendingToken, b.challenge.id, b.code)).toEqual({ ok: false, error: "challenge_missing" });
    expect(await byToken(a.pendingToken, "x'; drop table sessions; --", a.code)).toEqual({ ok: false, error: "challenge_missing" });
    expect((await byToken(b.pendingToken, b.challenge.id, b.code)).ok).toBe(true);
  });

  it("applies the account's wrong-code backoff read in the same query", async () => {
    const u = await makeUser(t.db, { phone: PHONE });
    const next = await signIn(u);
    for (let round = 0; round < 2; round++) {
      const s = await signIn(u);
      for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await byToken(s.pendingToken, s.challenge.id, wrongFor(s.code));
    }
    expect(await byToken(next.pendingToken, next.challenge.id, next.code, at(2 * SECOND))).toMatchObject({ ok: false, error: "mfa_throttled" });
  });
});

describe("the challenge page's one read (readLoginChallenge)", () => {
  it("names the open challenge, the user's methods and when a text may be resent; a finished sign-in has no challenge left", async () => {
    const s = await signIn(undefined, T0);
    const view = await readLoginChallenge(t.db, { sessionId: s.session.id, userId: s.user.id, now: at(SECOND) });
    expect(view.challenge?.id).toBe(s.challenge.id);
    expect(view.methods.available).toEqual(["sms"]);
    expect(view.methods.sms?.phone).toBe(PHONE);
    // One text sent so far: the first delay after it, counted from when it was sent (resendAvailableAt's rule).
    expect(view.resendAt?.getTime()).toBe((await resendAvailableAt(t.db, s.challenge.id, at(SECOND))).getTime());
    expect(view.resendAt?.getTime()).toBe(T0.getTime() + RESEND_DELAYS_MS[0]);
    expect((await s.submit(s.code)).ok).toBe(true);
    const after = await readLoginChallenge(t.db, { sessionId: s.session.id, userId: s.user.id, now: at(2 * SECOND) });
    expect(after.challenge).toBeNull();
    expect(after.resendAt).toBeNull();
  });
});
