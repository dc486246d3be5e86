import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, otpChallenges } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { verifyChallenge } from "@/lib/mfa/code-check";
import { resendChallenge, startSmsChallenge as startChallenge } from "@/lib/mfa/sms/delivery";
import { CODE_TTL_MS, MAX_CODE_ATTEMPTS, RESEND_COOLDOWN_MS } from "@/lib/mfa/codes";
import { getTestDb, type TestDb } from "./helpers/db";
import { fixedRandom, makeUser, recordingSms } from "./helpers/fixtures";

let t: TestDb;
const T0 = new Date("2026-03-01T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const PHONE = "+31612345678";

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A signed-in (pending) user with a login challenge texted at T0. */
async function setup(options: { codes?: number[]; failing?: boolean } = {}) {
  const { user, factor } = await makeUser(t.db, { phone: PHONE });
  const { session } = await createSession(t.db, { userId: user.id, mfaState: "pending", now: T0, handoff: false });
  const sms = recordingSms();
  sms.state.failing = options.failing ?? false;
  const random = options.codes ? fixedRandom(...options.codes) : undefined;
  const ctx = (now = T0) => ({ sms: sms.sender, host: "accounts.example.com", now, randomInt: random, info: { ip: null, userAgent: "vitest" } });
  const started = await startChallenge(t.db, ctx(), { userId: user.id, sessionId: session.id, purpose: "login", phone: PHONE, factorId: factor?.id });
  const challengeId = started.challenge.id;
  const verify = (code: string, now = at(SECOND), overrides: Partial<{ userId: string; sessionId: string; challengeId: string; consume: boolean }> = {}) =>
    verifyChallenge(t.db, { challengeId, userId: user.id, sessionId: session.id, purpose: "login", code, consume: true, now, ...overrides });
  const resend = (now: Date) => resendChallenge(t.db, ctx(now), { challengeId, userId: user.id, sessionId: session.id });
  const row = async () => (await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, challengeId)))[0];
  return { user, session, sms, ctx, started, challengeId, verify, resend, row };
}

const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");

describe("sending", () => {
  it("texts a six-digit code to the number, with the origin-bound line", async () => {
    const s = await setup({ codes: [42] });
    expect(s.started.delivery).toEqual({ status: "sent" });
    expect(s.sms.sent).toHaveLength(1);
    expect(s.sms.sent[0].to).toBe(PHONE);
    expect(s.sms.sent[0].body).toContain("000042");
    expect(s.sms.sent[0].body.endsWith("@accounts.example.com #000042")).toBe(true);
  });

  it("stores a hash, never the code", async () => {
    const s = await setup();
    const code = s.sms.lastCode();
    const row = await s.row();
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(code);
  });
});

describe("validity: 10 minutes", () => {
  it("accepts the code at 9:59", async () => {
    const s = await setup();
    expect((await s.verify(s.sms.lastCode(), at(9 * MINUTE + 59 * SECOND))).status).toBe("ok");
  });

  it("refuses the code at 10:01 as expired", async () => {
    const s = await setup();
    expect(await s.verify(s.sms.lastCode(), at(10 * MINUTE + SECOND))).toEqual({ status: "expired" });
    expect(CODE_TTL_MS).toBe(10 * MINUTE);
  });

  it("refuses the code at exactly 10:00", async () => {
    const s = await setup();
    expect(await s.verify(s.sms.lastCode(), at(10 * MINUTE))).toEqual({ status: "expired" });
  });
});

describe("single use", () => {
  it("accepts the right code once; the same code again finds no open challenge", async () => {
    const s = await setup();
    const code = s.sms.lastCode();
    expect((await s.verify(code)).status).toBe("ok");
    expect(await s.verify(code, at(2 * SECOND))).toEqual({ status: "missing" });
    expect((await s.row()).consumedAt).toEqual(at(SECOND));
  });

  it("without consume, marks the challenge verified but leaves it open", async () => {
    const s = await setup();
    const result = await s.verify(s.sms.lastCode(), at(SECOND), { consume: false });
    expect(result.status).toBe("ok");
    const row = await s.row();
    expect(row.verifiedAt).toEqual(at(SECOND));
    expect(row.consumedAt).toBeNull();
  });

  it("lets exactly one of ten parallel submits of the right code succeed", async () => {
    const s = await setup();
    const code = s.sms.lastCode();
    const results = await Promise.all(Array.from({ length: 10 }, () => s.verify(code)));
    expect(results.filter((r) => r.status === "ok")).toHaveLength(1);
    expect(results.filter((r) => r.status !== "ok").every((r) => r.status === "missing")).toBe(true);
  });
});

describe("binding", () => {
  it("refuses a code from challenge A on challenge B of the same user", async () => {
    const a = await setup({ codes: [111_111, 222_222] });
    const { session: sessionB } = await createSession(t.db, { userId: a.user.id, mfaState: "pending", now: T0, handoff: false });
    const b = await startChallenge(t.db, a.ctx(), { userId: a.user.id, sessionId: sessionB.id, purpose: "login", phone: PHONE });
    const codeA = "111111";
    const verifyB = (code: string) =>
      verifyChallenge(t.db, { challengeId: b.challenge.id, userId: a.user.id, sessionId: sessionB.id, purpose: "login", code, consume: true, now: at(SECOND) });
    const codeB = a.sms.lastCode();
    expect(codeB).toBe("222222");

    expect(await verifyB(codeA)).toEqual({ status: "wrong", attemptsLeft: MAX_CODE_ATTEMPTS - 1 });
    expect((await verifyB(codeB)).status).toBe("ok");
    expect((await a.verify(codeA)).status).toBe("ok");
  });

  it("refuses the right code when another user submits it, without touching the owner's attempts", async () => {
    const s = await setup();
    const { user: other } = await makeUser(t.db);
    expect(await s.verify(s.sms.lastCode(), at(SECOND), { userId: other.id })).toEqual({ status: "missing" });
    expect((await s.row()).attempts).toBe(0);
    expect((await s.verify(s.sms.lastCode())).status).toBe("ok");
  });

  it("refuses the right code from another session of the same user, without touching attempts", async () => {
    const s = await setup();
    const { session: other } = await createSession(t.db, { userId: s.user.id, mfaState: "pending", now: T0, handoff: false });
    expect(await s.verify(s.sms.lastCode(), at(SECOND), { sessionId: other.id })).toEqual({ status: "missing" });
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await s.verify("000000", at(SECOND), { sessionId: other.id });
    expect((await s.row()).attempts).toBe(0);
    expect((await s.verify(s.sms.lastCode())).status).toBe("ok");
  });

  it("refuses the right code for another purpose", async () => {
    const s = await setup();
    const result = await verifyChallenge(t.db, {
      challengeId: s.challengeId,
      userId: s.user.id,
      sessionId: s.session.id,
      purpose: "step_up",
      code: s.sms.lastCode(),
      consume: true,
      now: at(SECOND),
    });
    expect(result).toEqual({ status: "missing" });
  });

  it("refuses a challenge id that is not a UUID without querying for it", async () => {
    const s = await setup();
    for (const challengeId of ["", "1 or 1=1", `${s.challengeId}x`, "x".repeat(100_000)]) {
      expect(await s.verify(s.sms.lastCode(), at(SECOND), { challengeId })).toEqual({ status: "missing" });
    }
  });

  it("closes an earlier challenge of the same session and purpose when a new one starts", async () => {
    const s = await setup({ codes: [111_111, 222_222] });
    const second = await startChallenge(t.db, s.ctx(at(SECOND)), { userId: s.user.id, sessionId: s.session.id, purpose: "login", phone: PHONE });
    expect(await s.verify("111111", at(2 * SECOND))).toEqual({ status: "missing" });
    expect((await findOpenChallenge(t.db, s.session.id, "login"))?.id).toBe(second.challenge.id);
  });
});

describe("attempts", () => {
  it("counts down and locks after five wrong codes, then refuses the right code", async () => {
    const s = await setup();
    const code = s.sms.lastCode();
    const wrong = wrongFor(code);
    for (let left = MAX_CODE_ATTEMPTS - 1; left >= 1; left--) expect(await s.verify(wrong)).toEqual({ status: "wrong", attemptsLeft: left });
    expect(await s.verify(wrong)).toEqual({ status: "locked", counted: true });
    expect(await s.verify(code)).toEqual({ status: "locked" });
    expect((await s.row()).attempts).toBe(MAX_CODE_ATTEMPTS);
  });

  it("accepts the right code after four wrong ones", async () => {
    const s = await setup();
    const code = s.sms.lastCode();
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++) await s.verify(wrongFor(code));
    expect((await s.verify(code)).status).toBe("ok");
  });

  it("never counts past five with ten parallel wrong guesses", async () => {
    const s = await setup();
    const wrong = wrongFor(s.sms.lastCode());
    const results = await Promise.all(Array.from({ length: 10 }, () => s.verify(wrong)));
    expect((await s.row()).attempts).toBe(MAX_CODE_ATTEMPTS);
    expect(results.filter((r) => r.status === "wrong")).toHaveLength(MAX_CODE_ATTEMPTS - 1);
    expect(results.filter((r) => r.status === "locked")).toHaveLength(10 - (MAX_CODE_ATTEMPTS - 1));
  });

  it("compares codes with crypto.timingSafeEqual", async () => {
    const s = await setup();
    const spy = vi.spyOn(crypto, "timingSafeEqual");
    await s.verify(wrongFor(s.sms.lastCode()));
    expect(spy).toHaveBeenCalled();
  });
});

describe("resend", () => {
  it("replaces the code: the old one is refused, the new one accepted", async () => {
    const s = await setup({ codes: [111_111, 222_222] });
    expect(await s.resend(at(RESEND_COOLDOWN_MS + SECOND))).toEqual({ status: "sent" });
    expect(s.sms.sent.map((m) => m.to)).toEqual([PHONE, PHONE]);
    expect(s.sms.lastCode()).toBe("222222");
    expect((await s.verify("111111", at(RESEND_COOLDOWN_MS + 2 * SECOND))).status).toBe("wrong");
    expect((await s.verify("222222", at(RESEND_COOLDOWN_MS + 3 * SECOND))).status).toBe("ok");
  });

  it("does not reset the failure count: four wrong, resend, one wrong locks, then the new code is refused", async () => {
    const s = await setup({ codes: [111_111, 222_222] });
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++) await s.verify("999999");
    expect(await s.resend(at(RESEND_COOLDOWN_MS + SECOND))).toEqual({ status: "sent" });
    expect((await s.row()).attempts).toBe(MAX_CODE_ATTEMPTS - 1);
    expect(await s.verify("999999", at(RESEND_COOLDOWN_MS + 2 * SECOND))).toEqual({ status: "locked", counted: true });
    expect(await s.verify("222222", at(RESEND_COOLDOWN_MS + 3 * SECOND))).toEqual({ status: "locked" });
  });

  it("is closed for a locked challenge and sends nothing", async () => {
    const s = await setup();
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await s.verify(wrongFor(s.sms.lastCode()));
    expect(await s.resend(at(RESEND_COOLDOWN_MS + SECOND))).toEqual({ status: "closed" });
    expect(s.sms.sent).toHaveLength(1);
  });

  it("is closed for a used challenge", async () => {
    const s = await setup();
    await s.verify(s.sms.lastCode());
    expect(await s.resend(at(RESEND_COOLDOWN_MS + SECOND))).toEqual({ status: "closed" });
  });

  it("is refused within the 30-second cooldown, saying when, and sends nothing", async () => {
    const s = await setup();
    expect(await s.resend(at(29 * SECOND))).toEqual({ status: "cooldown", retryAt: at(RESEND_COOLDOWN_MS) });
    expect(s.sms.sent).toHaveLength(1);
  });

  it("is allowed once the cooldown has passed", async () => {
    const s = await setup();
    expect(await s.resend(at(RESEND_COOLDOWN_MS))).toEqual({ status: "sent" });
    expect(s.sms.sent).toHaveLength(2);
  });

  it("sends once for two parallel resends", async () => {
    const s = await setup();
    const results = await Promise.all([s.resend(at(31 * SECOND)), s.resend(at(31 * SECOND))]);
    expect(results.map((r) => r.status).sort()).toEqual(["cooldown", "sent"]);
    expect(s.sms.sent).toHaveLength(2);
  });

  it("restarts the 10 minutes for the new code", async () => {
    const s = await setup();
    await s.resend(at(5 * MINUTE));
    expect((await s.verify(s.sms.lastCode(), at(14 * MINUTE))).status).toBe("ok");
  });

  it("is refused for another user or another session", async () => {
    const s = await setup();
    const { user: other } = await makeUser(t.db);
    expect(await resendChallenge(t.db, s.ctx(at(MINUTE)), { challengeId: s.challengeId, userId: other.id, sessionId: s.session.id })).toEqual({
      status: "closed",
    });
    expect(s.sms.sent).toHaveLength(1);
  });
});

describe("when the SMS provider fails", () => {
  it("reports send_failed, records mfa.sms_failed, and lets a retry through at once", async () => {
    const s = await setup({ failing: true });
    expect(s.started.delivery).toEqual({ status: "send_failed" });
    expect(s.sms.sent).toHaveLength(0);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, s.user.id));
    expect(events.map((e) => e.action)).toEqual(["mfa.sms_failed"]);
    expect(JSON.stringify(events)).not.toContain(PHONE);

    s.sms.state.failing = false;
    expect(await s.resend(at(SECOND))).toEqual({ status: "sent" });
    expect(s.sms.sent).toHaveLength(1);
    expect((await s.verify(s.sms.lastCode(), at(2 * SECOND))).status).toBe("ok");
  });

  it("whereas after a delivered code the retry must wait for the cooldown", async () => {
    const s = await setup();
    expect(await s.resend(at(SECOND))).toMatchObject({ status: "cooldown" });
  });

  it("a failed resend also allows an immediate retry", async () => {
    const s = await setup();
    s.sms.state.failing = true;
    expect(await s.resend(at(RESEND_COOLDOWN_MS + SECOND))).toEqual({ status: "send_failed" });
    s.sms.state.failing = false;
    expect(await s.resend(at(RESEND_COOLDOWN_MS + 2 * SECOND))).toEqual({ status: "sent" });
  });
});
