import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, mfaFactors, organisations, rateLimits, sessions, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { createSession } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { startSmsChallenge as startChallenge } from "@/lib/mfa/sms/delivery";
import { completeLoginChallenge } from "@/lib/mfa/sign-in";
import { blockedUntil, reserveStrikes, takeBudgets } from "@/lib/security/rate-limit";
import { smsDestinationProblem } from "@/lib/phone/policy";
import type { SmsSender } from "@/lib/sms/types";
import { getTestDb, type TestDb } from "./helpers/db";

let t: TestDb;
const sent: { to: string; body: string }[] = [];
const sms: SmsSender = {
  provider: "outbox",
  async send(m) {
    sent.push({ to: m.to, body: m.body });
    return { ok: true, messageId: String(sent.length) };
  },
};
const ctx = (now = new Date(), ip = "198.51.100.7") => ({ sms, host: "localhost", now, info: { ip, userAgent: "test" } });

async function makeUser(email: string, withPhone?: string) {
  const [org] = await t.db.insert(organisations).values({ name: "Org" }).returning();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Lim It", email, passwordHash: await hashPassword("right-password"), mfaEnabled: Boolean(withPhone) })
    .returning();
  await t.db.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "member" });
  if (withPhone) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: withPhone, verifiedAt: new Date() });
  return user;
}

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

describe("budgets", () => {
  it("lets 20 parallel requests against a budget of 5 through exactly 5 times", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => takeBudgets(t.db, [{ key: "parallel", max: 5, windowMs: 60_000 }])),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const [row] = await t.db.select().from(rateLimits).where(eq(rateLimits.key, "parallel"));
    expect(row.count).toBe(5);
  });

  it("counts nothing when one budget of several is spent", async () => {
    await takeBudgets(t.db, [{ key: "full", max: 1, windowMs: 60_000 }]);
    const r = await takeBudgets(t.db, [
      { key: "other", max: 10, windowMs: 60_000 },
      { key: "full", max: 1, windowMs: 60_000 },
    ]);
    expect(r.ok).toBe(false);
    // What was taken from the other budget is given back: it still has all ten.
    const other = await t.db.select().from(rateLimits).where(eq(rateLimits.key, "other"));
    expect(other[0]?.count ?? 0).toBe(0);
    const full = await t.db.select().from(rateLimits).where(eq(rateLimits.key, "full"));
    expect(full[0].count).toBe(1);
  });

  it("says when the window opens again, and opens it then", async () => {
    const start = new Date("2026-01-01T10:00:00Z");
    await takeBudgets(t.db, [{ key: "window", max: 1, windowMs: 60_000 }], start);
    const refused = await takeBudgets(t.db, [{ key: "window", max: 1, windowMs: 60_000 }], new Date(start.getTime() + 30_000));
    expect(refused).toEqual({ ok: false, retryAt: new Date(start.getTime() + 60_000) });
    const later = await takeBudgets(t.db, [{ key: "window", max: 1, windowMs: 60_000 }], new Date(start.getTime() + 61_000));
    expect(later.ok).toBe(true);
  });
});

describe("failure backoff", () => {
  it("starts delays at the free limit, doubles them, caps them, and never locks for good", async () => {
    const now = new Date("2026-01-01T10:00:00Z");
    const at = (ms: number) => new Date(now.getTime() + ms);
    const policy = { free: 3, baseDelayMs: 1000, maxDelayMs: 4000 };
    const fail = async (when: Date) => {
      const r = await reserveStrikes(t.db, [{ key: "bo", policy }], when);
      return r.ok ? r.blockedUntil : "refused";
    };
    expect(await fail(now)).toBeNull();
    expect(await fail(now)).toBeNull();
    expect(await fail(now)).toEqual(at(1000));
    expect(await fail(at(500))).toBe("refused");
    expect(await fail(at(1000))).toEqual(at(3000));
    expect(await fail(at(3000))).toEqual(at(7000));
    expect(await fail(at(7000))).toEqual(at(11_000));
    expect(await blockedUntil(t.db, "bo", at(10_999))).not.toBeNull();
    expect(await blockedUntil(t.db, "bo", at(11_001))).toBeNull();
  });
});

describe("sign-in throttling", () => {
  it("delays an account after 5 wrong passwords, answers unknown emails the same way, and lets the right password in after the delay", async () => {
    await makeUser("throttle@example.com");
    const now = new Date();
    for (let i = 0; i < 5; i++) {
      const r = await signInWithPassword(t.db, ctx(now, `192.0.2.${i}`), { email: "throttle@example.com", password: "wrong-password" });
      expect(r).toEqual({ ok: false, error: "invalid_credentials" });
    }
    const blocked = await signInWithPassword(t.db, ctx(now, "192.0.2.99"), { email: "throttle@example.com", password: "right-password" });
    expect(blocked).toMatchObject({ ok: false, error: "throttled" });

    for (let i = 0; i < 5; i++) await signInWithPassword(t.db, ctx(now, `192.0.2.${i}`), { email: "nobody@example.com", password: "x-password" });
    const unknown = await signInWithPassword(t.db, ctx(now, "192.0.2.99"), { email: "nobody@example.com", password: "x-password" });
    expect(unknown).toMatchObject({ ok: false, error: "throttled" });

    const later = new Date(now.getTime() + 31_000);
    const ok = await signInWithPassword(t.db, ctx(later, "192.0.2.99"), { email: "throttle@example.com", password: "right-password" });
    expect(ok.ok).toBe(true);
  });
});

describe("wrong MFA codes across challenges", () => {
  it("makes MFA sign-in wait 15 minutes after 10 wrong codes in a row, over several sign-ins", async () => {
    const user = await makeUser("mfa-lock@example.com", "+31612340001");
    const now = new Date();
    let pending = { sessionId: "", challengeId: "" };
    const results = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      if (attempt % 4 === 0) {
        const r = await signInWithPassword(t.db, ctx(now), { email: "mfa-lock@example.com", password: "right-password" });
        if (!r.ok) throw new Error("password step failed");
        const [s] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(r.token)));
        const ch = await findOpenChallenge(t.db, s.id, "login");
        pending = { sessionId: s.id, challengeId: ch?.id ?? "" };
      }
      results.push(
        await completeLoginChallenge(t.db, { sessionId: pending.sessionId, userId: user.id, organisationId: null }, { challengeId: pending.challengeId, code: "999999", now }),
      );
    }
    expect(results.slice(0, 9).every((r) => !r.ok && r.error === "code_wrong")).toBe(true);
    expect(results[9]).toEqual({ ok: false, error: "mfa_throttled", retryAt: new Date(now.getTime() + 15 * 60_000) });
  });
});

describe("SMS send limits", () => {
  it("refuses the sixth code to one user within the hour and sends nothing", async () => {
    process.env.LIMIT_SMS_PER_USER_HOUR = "5";
    try {
      const user = await makeUser("sms-limit@example.com");
      const before = sent.length;
      const outcomes = [];
      for (let i = 0; i < 6; i++) {
        const { session } = await createSession(t.db, { userId: user.id, mfaState: "not_required" });
        const r = await startChallenge(t.db, ctx(), { userId: user.id, sessionId: session.id, purpose: "enroll", phone: `+3161234${String(1000 + i)}` });
        outcomes.push(r.delivery.status);
      }
      expect(outcomes.slice(0, 5)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
      expect(outcomes[5]).toBe("rate_limited");
      expect(sent.length - before).toBe(5);
    } finally {
      process.env.LIMIT_SMS_PER_USER_HOUR = "1000";
    }
  });
});

describe("SMS destinations", () => {
  it("allows a Dutch mobile and refuses a country outside the allowlist and premium-rate numbers", () => {
    expect(smsDestinationProblem("+31612345678")).toBeNull();
    expect(smsDestinationProblem("+2348031234567")).toBe("country_not_allowed");
    expect(smsDestinationProblem("+19002345678")).toBe("premium_rate");
    expect(smsDestinationProblem("+31909123456")).toBe("premium_rate");
  });
  it("follows SMS_ALLOWED_COUNTRIES", () => {
    process.env.SMS_ALLOWED_COUNTRIES = "NG";
    try {
      expect(smsDestinationProblem("+2348031234567")).toBeNull();
      expect(smsDestinationProblem("+31612345678")).toBe("country_not_allowed");
    } finally {
      delete process.env.SMS_ALLOWED_COUNTRIES;
    }
  });
});

