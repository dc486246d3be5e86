import bcrypt from "bcrypt";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, otpChallenges, sessions, users } from "@/db/schema";
import { bcryptCost } from "@/lib/auth/password";
import { findActiveSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";

let t: TestDb;
const sms = recordingSms();
const T0 = new Date("2026-03-01T09:00:00Z");
const ctx = (now = T0) => ({ sms: sms.sender, host: "accounts.example.com", now });
const info = { ip: null, userAgent: "vitest" };

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("unknown email and wrong password", () => {
  it("give identical answers", async () => {
    const { user } = await makeUser(t.db);
    const unknown = await signInWithPassword(t.db, ctx(), { email: uniqueEmail("nobody"), password: TEST_PASSWORD }, info);
    const wrong = await signInWithPassword(t.db, ctx(), { email: user.email, password: "not the password" }, info);
    expect(unknown).toEqual({ ok: false, error: "invalid_credentials" });
    expect(wrong).toEqual(unknown);
  });

  it("both run exactly one bcrypt compare, at the same cost", async () => {
    const { user } = await makeUser(t.db);
    const compare = vi.spyOn(bcrypt, "compare");

    await signInWithPassword(t.db, ctx(), { email: uniqueEmail("nobody"), password: TEST_PASSWORD }, info);
    expect(compare).toHaveBeenCalledTimes(1);
    const dummyHash = compare.mock.calls[0][1] as string;

    await signInWithPassword(t.db, ctx(), { email: user.email, password: "not the password" }, info);
    expect(compare).toHaveBeenCalledTimes(2);
    const realHash = compare.mock.calls[1][1] as string;

    expect(realHash).toBe(user.passwordHash);
    expect(dummyHash).not.toBe(realHash);
    expect(bcrypt.getRounds(dummyHash)).toBe(bcrypt.getRounds(realHash));
    expect(bcrypt.getRounds(dummyHash)).toBe(bcryptCost());
  });

  it("record a failed-password audit event for a known user, without the password", async () => {
    const { user, org } = await makeUser(t.db);
    await signInWithPassword(t.db, ctx(), { email: user.email, password: "Hunter2-wrong-guess" }, { ip: "203.0.113.5", userAgent: "vitest" });
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.map((e) => e.action)).toEqual(["sign_in.failed_password"]);
    expect(events[0]).toMatchObject({ organisationId: org.id, ip: "203.0.113.5" });
    const dumped = JSON.stringify(events);
    expect(dumped).not.toContain("Hunter2-wrong-guess");
    expect(dumped).not.toContain(user.passwordHash);
  });
});

describe("the right password", () => {
  it("signs in a user without MFA with a full session", async () => {
    const { user } = await makeUser(t.db);
    const result = await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, info);
    expect(result).toMatchObject({ ok: true, userId: user.id, mfaState: "not_required" });
    if (!result.ok) return;
    const found = await findActiveSession(t.db, result.token, T0);
    expect(found?.session.mfaState).toBe("not_required");
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.map((e) => e.action)).toEqual(["sign_in.succeeded"]);
  });

  it("matches the email whatever its case", async () => {
    const { user } = await makeUser(t.db, { email: uniqueEmail("ada") });
    const result = await signInWithPassword(t.db, ctx(), { email: user.email.toUpperCase(), password: TEST_PASSWORD }, info);
    expect(result).toMatchObject({ ok: true, userId: user.id });
  });

  it("does not match a password differing only in case", async () => {
    const { user } = await makeUser(t.db);
    const result = await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD.toUpperCase() }, info);
    expect(result).toEqual({ ok: false, error: "invalid_credentials" });
  });

  it("does not match a password whose first 72 bytes are right but which goes on (no silent truncation)", async () => {
    const long = "L".repeat(72);
    const { user } = await makeUser(t.db, { password: long });
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: `${long}-and-more` }, info)).toEqual({
      ok: false,
      error: "invalid_credentials",
    });
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: long }, info)).toMatchObject({ ok: true });
  });
});

describe("a user with a verified SMS factor", () => {
  it("gets only a pending session, a login challenge, and a code texted to the factor's number", async () => {
    const phone = "+31612340001";
    const { user, factor } = await makeUser(t.db, { phone });
    const before = sms.sent.length;

    const result = await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, info);

    expect(result).toMatchObject({ ok: true, userId: user.id, mfaState: "pending" });
    if (!result.ok) return;
    const found = await findActiveSession(t.db, result.token, T0);
    expect(found?.session.mfaState).toBe("pending");
    const challenges = await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id));
    expect(challenges).toHaveLength(1);
    expect(challenges[0]).toMatchObject({ purpose: "login", sessionId: found?.session.id, factorId: factor?.id, attempts: 0, consumedAt: null });
    expect(sms.sent.slice(before).map((m) => m.to)).toEqual([phone]);
    expect(sms.lastCode(phone)).toMatch(/^\d{6}$/);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.map((e) => e.action)).not.toContain("sign_in.succeeded");
  });

  it("gets no challenge and no SMS after a wrong password", async () => {
    const { user } = await makeUser(t.db, { phone: "+31612340002" });
    const before = sms.sent.length;
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: "wrong password" }, info)).toEqual({
      ok: false,
      error: "invalid_credentials",
    });
    expect(sms.sent.length).toBe(before);
    expect(await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id))).toEqual([]);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
  });

  it("while a user with MFA switched on but no factor gets a full session and no SMS", async () => {
    const { user } = await makeUser(t.db);
    await t.db.update(users).set({ mfaEnabled: true }).where(eq(users.id, user.id));
    const before = sms.sent.length;
    const result = await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, info);
    expect(result).toMatchObject({ ok: true, mfaState: "not_required" });
    expect(sms.sent.length).toBe(before);
  });
});

describe("throttling", () => {
  it("refuses even the right password after five failures, until the delay passes", async () => {
    const { user } = await makeUser(t.db);
    for (let i = 0; i < 5; i++) await signInWithPassword(t.db, ctx(), { email: user.email, password: `wrong-${i}` }, info);
    const blocked = await signInWithPassword(t.db, ctx(new Date(T0.getTime() + 1000)), { email: user.email, password: TEST_PASSWORD }, info);
    expect(blocked).toMatchObject({ ok: false, error: "throttled" });
    if (blocked.ok || blocked.error !== "throttled") return;
    const later = await signInWithPassword(t.db, ctx(new Date(blocked.retryAt.getTime() + 1)), { email: user.email, password: TEST_PASSWORD }, info);
    expect(later).toMatchObject({ ok: true });
  });

  it("lets the right password through after four failures", async () => {
    const { user } = await makeUser(t.db);
    for (let i = 0; i < 4; i++) await signInWithPassword(t.db, ctx(), { email: user.email, password: `wrong-${i}` }, info);
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, info)).toMatchObject({ ok: true });
  });

  it("throttles an unknown email the same way as a known one", async () => {
    const email = uniqueEmail("ghost");
    for (let i = 0; i < 5; i++) await signInWithPassword(t.db, ctx(), { email, password: `wrong-${i}` }, info);
    const { user } = await makeUser(t.db);
    for (let i = 0; i < 5; i++) await signInWithPassword(t.db, ctx(), { email: user.email, password: `wrong-${i}` }, info);
    const ghost = await signInWithPassword(t.db, ctx(), { email, password: "x".repeat(10) }, info);
    const known = await signInWithPassword(t.db, ctx(), { email: user.email, password: "x".repeat(10) }, info);
    expect(ghost).toMatchObject({ ok: false, error: "throttled" });
    expect(known).toEqual(ghost);
  });

  it("counts failures per IP across accounts", async () => {
    const ip = "198.51.100.77";
    const { user } = await makeUser(t.db);
    for (let i = 0; i < 20; i++)
      await signInWithPassword(t.db, ctx(), { email: uniqueEmail("spray"), password: "wrong password" }, { ip, userAgent: "x" });
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, { ip, userAgent: "x" })).toMatchObject({
      ok: false,
      error: "throttled",
    });
    expect(
      await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, { ip: "198.51.100.78", userAgent: "x" }),
    ).toMatchObject({ ok: true });
  });

  it("counts an IPv6 client by its /64 network, so rotating addresses inside it buys nothing", async () => {
    const { user } = await makeUser(t.db);
    for (let i = 0; i < 20; i++)
      await signInWithPassword(t.db, ctx(), { email: uniqueEmail("spray6"), password: "wrong password" }, { ip: `2001:db8:7:1::${(i + 1).toString(16)}`, userAgent: "x" });
    const sameNetwork = { ip: "2001:db8:7:1:ffff:ffff:ffff:fffe", userAgent: "x" };
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, sameNetwork)).toMatchObject({ ok: false, error: "throttled" });
    const nextNetwork = { ip: "2001:db8:7:2::1", userAgent: "x" };
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, nextNetwork)).toMatchObject({ ok: true });
  });

  it("a success clears the account's failures", async () => {
    const { user } = await makeUser(t.db);
    for (let i = 0; i < 4; i++) await signInWithPassword(t.db, ctx(), { email: user.email, password: `wrong-${i}` }, info);
    await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, info);
    for (let i = 0; i < 4; i++) await signInWithPassword(t.db, ctx(), { email: user.email, password: `wrong-${i}` }, info);
    expect(await signInWithPassword(t.db, ctx(), { email: user.email, password: TEST_PASSWORD }, info)).toMatchObject({ ok: true });
  });
});
