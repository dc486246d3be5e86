import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mfaFactors, users } from "@/db/schema";
import { generateTotpSecret, totpCodeAt, totpStep } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { verifyTotpForUser } from "@/lib/mfa/totp/verify";
import { getTestDb, type TestDb } from "./helpers/db";

process.env.MFA_ENCRYPTION_KEY ??= "8d0f6c2b7a1e4f3d9c5b8a7e6d1f2c3b4a5e6f7d8c9b0a1e2f3d4c5b6a7e8f90";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

const T0 = new Date("2026-03-02T09:00:10Z");
const STEP = totpStep(T0);
const at = (steps: number, extraMs = 0) => new Date(T0.getTime() + steps * 30_000 + extraMs);

/** A user with an active authenticator app whose secret is `secret`. */
async function userWithTotp(options: { lastUsedStep?: number | null; phone?: string } = {}) {
  const secret = generateTotpSecret();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Replay Test", email: `r-${crypto.randomBytes(4).toString("hex")}@example.com`, passwordHash: "unused", mfaEnabled: true })
    .returning();
  const [factor] = await t.db
    .insert(mfaFactors)
    .values({ userId: user.id, kind: "totp", secretCiphertext: encryptTotpSecret(user.id, secret), lastUsedStep: options.lastUsedStep ?? null, verifiedAt: T0 })
    .returning();
  if (options.phone) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: options.phone, verifiedAt: T0 });
  return { user, factor, secret, code: (steps: number) => totpCodeAt(secret, at(steps)) };
}

const factorRow = async (id: string) => (await t.db.select().from(mfaFactors).where(eq(mfaFactors.id, id)))[0];

/** True when two steps happen to share a 6-digit code (about one in a million); such a pair cannot test replay. */
const collide = (a: string, b: string) => a === b;

describe("verifyTotpForUser", () => {
  it("accepts the current code and records its step and time", async () => {
    const u = await userWithTotp();
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(0), T0)).toEqual({ ok: true, factorId: u.factor.id, step: STEP });
    const row = await factorRow(u.factor.id);
    expect(row.lastUsedStep).toBe(STEP);
    expect(row.lastUsedAt).toEqual(T0);
  });

  it("refuses the same code a second time", async () => {
    const u = await userWithTotp();
    expect((await verifyTotpForUser(t.db, u.user.id, u.code(0), T0)).ok).toBe(true);
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(0), at(0, 15_000))).toEqual({ ok: false, error: "totp_code_reused" });
    // Still refused a step later, while the code is inside the drift window.
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(0), at(1))).toEqual({ ok: false, error: "totp_code_reused" });
  });

  it("refuses the code of step T-1 after the code of step T was accepted", async () => {
    const u = await userWithTotp();
    if (collide(u.code(-1), u.code(0))) return;
    expect((await verifyTotpForUser(t.db, u.user.id, u.code(0), T0)).ok).toBe(true);
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(-1), T0)).toEqual({ ok: false, error: "totp_code_reused" });
    expect((await factorRow(u.factor.id)).lastUsedStep).toBe(STEP);
  });

  it("refuses the current step after a code one step ahead (clock drift) was accepted", async () => {
    const u = await userWithTotp();
    if (collide(u.code(1), u.code(0))) return;
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(1), T0)).toMatchObject({ ok: true, step: STEP + 1 });
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(0), T0)).toEqual({ ok: false, error: "totp_code_reused" });
  });

  it("accepts the next step after T", async () => {
    const u = await userWithTotp();
    expect((await verifyTotpForUser(t.db, u.user.id, u.code(0), T0)).ok).toBe(true);
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(1), at(1))).toMatchObject({ ok: true, step: STEP + 1 });
  });

  it("refuses a step at or below one stored earlier (e.g. the step that confirmed enrolment)", async () => {
    const u = await userWithTotp({ lastUsedStep: STEP });
    expect(await verifyTotpForUser(t.db, u.user.id, u.code(0), T0)).toEqual({ ok: false, error: "totp_code_reused" });
  });

  it("accepts one step of drift either way and refuses two", async () => {
    const behind = await userWithTotp();
    expect(await verifyTotpForUser(t.db, behind.user.id, behind.code(-1), T0)).toMatchObject({ ok: true, step: STEP - 1 });
    const ahead = await userWithTotp();
    expect(await verifyTotpForUser(t.db, ahead.user.id, ahead.code(1), T0)).toMatchObject({ ok: true, step: STEP + 1 });
    const far = await userWithTotp();
    const near = [-1, 0, 1].map((s) => far.code(s));
    for (const steps of [-2, 2]) {
      if (near.includes(far.code(steps))) continue;
      expect(await verifyTotpForUser(t.db, far.user.id, far.code(steps), T0)).toEqual({ ok: false, error: "totp_code_wrong" });
    }
    expect((await factorRow(far.factor.id)).lastUsedStep).toBeNull();
  });

  it("lets the same code through once when it is submitted from many requests at the same time", async () => {
    const u = await userWithTotp();
    const results = await Promise.all(Array.from({ length: 12 }, () => verifyTotpForUser(t.db, u.user.id, u.code(0), T0)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === "totp_code_reused")).toHaveLength(11);
    expect((await factorRow(u.factor.id)).lastUsedStep).toBe(STEP);
  });

  it("never moves the marker backwards when T and T+1 race", async () => {
    const u = await userWithTotp();
    if (collide(u.code(0), u.code(1))) return;
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => verifyTotpForUser(t.db, u.user.id, u.code(0), T0)),
      ...Array.from({ length: 4 }, () => verifyTotpForUser(t.db, u.user.id, u.code(1), T0)),
    ]);
    const accepted = results.filter((r) => r.ok).map((r) => r.ok && r.step);
    expect(accepted.filter((s) => s === STEP + 1)).toHaveLength(1);
    expect(accepted.filter((s) => s === STEP).length).toBeLessThanOrEqual(1);
    expect((await factorRow(u.factor.id)).lastUsedStep).toBe(STEP + 1);
  });

  it("refuses a wrong code and malformed input without touching the factor", async () => {
    const u = await userWithTotp();
    const near = [-1, 0, 1].map((s) => u.code(s));
    const wrong = ["000000", "123456", "999999"].find((c) => !near.includes(c)) as string;
    expect(await verifyTotpForUser(t.db, u.user.id, wrong, T0)).toEqual({ ok: false, error: "totp_code_wrong" });
    for (const bad of ["12345a", " 12345", "1234567", "x".repeat(1_000_000), ["123456"], 123456, undefined]) {
      expect(await verifyTotpForUser(t.db, u.user.id, bad, T0)).toEqual({ ok: false, error: "code_format" });
    }
    expect(await verifyTotpForUser(t.db, u.user.id, "", T0)).toEqual({ ok: false, error: "code_empty" });
    const row = await factorRow(u.factor.id);
    expect(row.lastUsedStep).toBeNull();
    expect(row.lastUsedAt).toBeNull();
  });

  it("answers no_factor for a user without an authenticator app, even one with SMS", async () => {
    const [user] = await t.db
      .insert(users)
      .values({ name: "Sms Only", email: `s-${crypto.randomBytes(4).toString("hex")}@example.com`, passwordHash: "unused", mfaEnabled: true })
      .returning();
    await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: "+447700900125", verifiedAt: T0 });
    expect(await verifyTotpForUser(t.db, user.id, "123456", T0)).toEqual({ ok: false, error: "no_factor" });
  });

  it("does not accept a code of one user's secret for another user", async () => {
    const a = await userWithTotp();
    const b = await userWithTotp();
    if ([-1, 0, 1].some((s) => b.code(s) === a.code(0))) return;
    expect(await verifyTotpForUser(t.db, b.user.id, a.code(0), T0)).toEqual({ ok: false, error: "totp_code_wrong" });
  });
});
