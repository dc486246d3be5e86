import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, backupCodes, memberships, mfaFactors, organisations, otpChallenges, sessions, users } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { DecryptionError } from "@/lib/crypto/encryption";
import { countRemainingBackupCodes } from "@/lib/mfa/backup-codes/codes";
import type { Actor } from "@/lib/mfa/actor";
import { generateTotpSecret, totpCodeAt, totpStep } from "@/lib/mfa/totp/rfc6238";
import { confirmTotpEnrollment, getTotpEnrollment, getTotpFactor, startTotpEnrollment } from "@/lib/mfa/totp/enrollment";
import { decryptTotpSecret } from "@/lib/mfa/totp/secret";
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

// 10 s into a 30 s step, so a code computed "now" is not at a step edge.
const T0 = new Date("2026-03-02T09:00:10Z");
const later = (ms: number, from = T0) => new Date(from.getTime() + ms);

async function makeAccount(options: { phone?: string; now?: Date } = {}) {
  const now = options.now ?? T0;
  const [org] = await t.db.insert(organisations).values({ name: "Org" }).returning();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Ada Lovelace", email: `ada-${crypto.randomBytes(4).toString("hex")}@example.com`, passwordHash: "unused", mfaEnabled: Boolean(options.phone) })
    .returning();
  await t.db.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "member" });
  if (options.phone) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: options.phone, verifiedAt: new Date(now.getTime() - 86_400_000) });
  const { session } = await createSession(t.db, { userId: user.id, mfaState: "verified", now, handoff: false });
  const actor: Actor = { userId: user.id, sessionId: session.id, organisationId: org.id, reauthenticatedAt: now };
  return { user, org, actor };
}

async function otherSession(userId: string, now = T0) {
  const { session } = await createSession(t.db, { userId, mfaState: "verified", now, handoff: false });
  return session;
}

async function start(actor: Actor, now = T0, factorVerified = false) {
  const started = await startTotpEnrollment(t.db, actor, { now, factorVerified });
  if (!started.ok) throw new Error(`enrolment did not start: ${started.error}`);
  return started;
}

/** A code that is valid for `secret` now but for none of the steps near `now` of `avoid`. */
function codeOfOtherSecret(avoid: string, now = T0) {
  const near = [-1, 0, 1].map((s) => totpCodeAt(avoid, later(s * 30_000, now)));
  for (;;) {
    const code = totpCodeAt(generateTotpSecret(), now);
    if (!near.includes(code)) return code;
  }
}

const challengeRow = async (id: string) => (await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, id)))[0];
const factorsOf = (userId: string) => t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, userId));
const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0];
const eventsOf = (userId: string) => t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId));

describe("starting an enrolment", () => {
  it("needs the password confirmed in the last 10 minutes", async () => {
    const { actor } = await makeAccount();
    expect(await startTotpEnrollment(t.db, { ...actor, reauthenticatedAt: null }, { now: T0 })).toEqual({ ok: false, error: "step_up_required" });
    expect(await startTotpEnrollment(t.db, { ...actor, reauthenticatedAt: later(-10 * 60_000 - 1) }, { now: T0 })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect((await startTotpEnrollment(t.db, { ...actor, reauthenticatedAt: later(-9 * 60_000) }, { now: T0 })).ok).toBe(true);
  });

  it("needs a current factor when the user already has one", async () => {
    const { actor } = await makeAccount({ phone: "+447700900123" });
    expect(await startTotpEnrollment(t.db, actor, { now: T0 })).toEqual({ ok: false, error: "factor_required" });
    expect((await startTotpEnrollment(t.db, actor, { now: T0, factorVerified: true })).ok).toBe(true);
  });

  it("returns a 160-bit key, an otpauth URI for the user's email and a QR code", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.uri).toBe(
      `otpauth://totp/Feedback%20Accounts:${encodeURIComponent(user.email)}?issuer=Feedback%20Accounts&secret=${started.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(started.qrSvg).toMatch(/^<svg/);
    expect(started.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(started.expiresAt).toEqual(later(10 * 60_000));
    expect(started.replacing).toBe(false);
  });

  it("keeps the pending secret encrypted on the challenge, not as a factor: it cannot sign in", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const row = await challengeRow(started.challengeId);
    expect(row.purpose).toBe("enroll");
    expect(row.sessionId).toBe(actor.sessionId);
    expect(row.phone).toBeNull();
    expect(row.secretCiphertext).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(started.secret);
    expect(decryptTotpSecret(user.id, row.secretCiphertext as string)).toBe(started.secret);
    expect(await factorsOf(user.id)).toHaveLength(0);
    expect((await userRow(user.id)).mfaEnabled).toBe(false);
    expect(await verifyTotpForUser(t.db, user.id, totpCodeAt(started.secret, T0), T0)).toEqual({ ok: false, error: "no_factor" });
  });

  it("shows the same key again to the session that started it, and to nobody else", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const again = await getTotpEnrollment(t.db, actor, started.challengeId, T0);
    expect(again).toMatchObject({ challengeId: started.challengeId, secret: started.secret, uri: started.uri });
    const other = await otherSession(user.id);
    expect(await getTotpEnrollment(t.db, { ...actor, sessionId: other.id }, started.challengeId, T0)).toBeNull();
    expect(await getTotpEnrollment(t.db, actor, started.challengeId, later(10 * 60_000 + 1))).toBeNull();
    expect(await getTotpEnrollment(t.db, actor, "not-a-uuid", T0)).toBeNull();
  });

  it("closes the session's previous enrolment: its key can no longer be confirmed", async () => {
    const { actor } = await makeAccount();
    const first = await start(actor);
    const second = await start(actor);
    const firstCode = totpCodeAt(first.secret, T0);
    expect(await confirmTotpEnrollment(t.db, actor, { challengeId: first.challengeId, code: firstCode, now: T0 })).toEqual({
      ok: false,
      error: "challenge_missing",
    });
    if (firstCode !== totpCodeAt(second.secret, T0)) {
      expect(await confirmTotpEnrollment(t.db, actor, { challengeId: second.challengeId, code: firstCode, now: T0 })).toMatchObject({
        ok: false,
        error: "totp_code_wrong",
      });
    }
  });
});

describe("confirming an enrolment", () => {
  it("activates the factor only with a valid code, turns MFA on, issues backup codes and ends other sessions", async () => {
    const { user, actor } = await makeAccount();
    const elsewhere = await otherSession(user.id);
    const started = await start(actor);
    const now = later(20_000);
    const result = await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, now), now, info: { ip: "203.0.113.5", userAgent: "test" } });
    if (!result.ok) throw new Error(result.error);
    expect(result.change).toBe("enabled");
    expect(result.backupCodes).toHaveLength(10);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);

    const [factor] = await factorsOf(user.id);
    expect(factor).toMatchObject({ id: result.factorId, kind: "totp", phone: null, lastUsedStep: totpStep(now) });
    expect(factor.verifiedAt).toEqual(now);
    expect(decryptTotpSecret(user.id, factor.secretCiphertext as string)).toBe(started.secret);
    expect((await userRow(user.id)).mfaEnabled).toBe(true);
    expect((await getTotpFactor(t.db, user.id))?.id).toBe(factor.id);
    expect(Object.keys((await getTotpFactor(t.db, user.id)) ?? {})).not.toContain("secretCiphertext");

    const sessionRows = await t.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(sessionRows.find((s) => s.id === elsewhere.id)?.revokedAt).toEqual(now);
    expect(sessionRows.find((s) => s.id === actor.sessionId)?.revokedAt).toBeNull();
    expect((await challengeRow(started.challengeId)).consumedAt).toEqual(now);

    const events = await eventsOf(user.id);
    const enabled = events.find((e) => e.action === "mfa.enabled");
    expect(enabled?.detail).toEqual({ method: "totp", otherSessionsEnded: 1, backupCodesIssued: true });
    expect(enabled?.ip).toBe("203.0.113.5");
    const logged = JSON.stringify(events);
    expect(logged).not.toContain(started.secret);
    for (const code of result.backupCodes ?? []) expect(logged).not.toContain(code);
  });

  it("spends the step of the confirming code: the same code cannot then sign in, the next one can", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const code = totpCodeAt(started.secret, T0);
    expect((await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code, now: T0 })).ok).toBe(true);
    expect(await verifyTotpForUser(t.db, user.id, code, later(5_000))).toEqual({ ok: false, error: "totp_code_reused" });
    const next = later(30_000);
    expect(await verifyTotpForUser(t.db, user.id, totpCodeAt(started.secret, next), next)).toMatchObject({ ok: true, step: totpStep(next) });
  });

  it("refuses a code for a different secret and changes nothing but the attempt count", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const result = await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: codeOfOtherSecret(started.secret), now: T0 });
    expect(result).toEqual({ ok: false, error: "totp_code_wrong", attemptsLeft: 4 });
    expect(await factorsOf(user.id)).toHaveLength(0);
    expect((await userRow(user.id)).mfaEnabled).toBe(false);
    expect(await t.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id))).toHaveLength(0);
    expect(await eventsOf(user.id)).toHaveLength(0);
    const row = await challengeRow(started.challengeId);
    expect(row.attempts).toBe(1);
    expect(row.consumedAt).toBeNull();
    // The right code still works afterwards.
    expect((await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, T0), now: T0 })).ok).toBe(true);
  });

  it("accepts one step of drift and refuses two", async () => {
    const { actor } = await makeAccount();
    const started = await start(actor);
    const twoAhead = totpCodeAt(started.secret, later(60_000));
    const near = [-1, 0, 1].map((s) => totpCodeAt(started.secret, later(s * 30_000)));
    if (!near.includes(twoAhead)) {
      expect(await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: twoAhead, now: T0 })).toMatchObject({ ok: false, error: "totp_code_wrong" });
    }
    const oneBehind = totpCodeAt(started.secret, later(-30_000));
    const result = await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: oneBehind, now: T0 });
    expect(result.ok).toBe(true);
    const [factor] = await factorsOf(actor.userId);
    expect(factor.lastUsedStep).toBe(totpStep(T0) - 1);
  });

  it("refuses malformed codes with a format error, without counting an attempt", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const cases: [unknown, string][] = [
      ["", "code_empty"],
      ["12345a", "code_format"],
      [" 12345", "code_format"],
      ["1234567", "code_format"],
      ["1".repeat(1_000_000), "code_format"],
      [["123456"], "code_format"],
      [123456, "code_format"],
      [null, "code_format"],
    ];
    for (const [code, error] of cases) {
      expect(await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code, now: T0 })).toEqual({ ok: false, error });
    }
    expect((await challengeRow(started.challengeId)).attempts).toBe(0);
    expect(await factorsOf(user.id)).toHaveLength(0);
    // Spaces and a dash inside, as people paste codes, are fine.
    const code = totpCodeAt(started.secret, T0);
    expect((await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: `${code.slice(0, 3)} ${code.slice(3)}`, now: T0 })).ok).toBe(true);
  });

  it("refuses the right code after five wrong ones", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const wrong = codeOfOtherSecret(started.secret);
    const left: unknown[] = [];
    for (let i = 0; i < 5; i += 1) left.push(await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: wrong, now: T0 }));
    expect(left.map((r) => (r as { attemptsLeft?: number; error: string }).attemptsLeft ?? (r as { error: string }).error)).toEqual([4, 3, 2, 1, "code_locked"]);
    expect(await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, T0), now: T0 })).toEqual({
      ok: false,
      error: "code_locked",
    });
    expect(await factorsOf(user.id)).toHaveLength(0);
    expect(await getTotpEnrollment(t.db, actor, started.challengeId, T0)).toBeNull();
  });

  it("expires after 10 minutes", async () => {
    const { actor } = await makeAccount();
    const started = await start(actor);
    const now = later(10 * 60_000 + 1_000);
    // The password was confirmed again meanwhile, so only the enrolment's own age is in the way.
    const fresh = { ...actor, reauthenticatedAt: later(9 * 60_000) };
    expect(await confirmTotpEnrollment(t.db, fresh, { challengeId: started.challengeId, code: totpCodeAt(started.secret, now), now })).toEqual({
      ok: false,
      error: "code_expired",
    });
  });

  it("needs the password to still be fresh", async () => {
    const { actor } = await makeAccount();
    const started = await start(actor);
    const now = later(10 * 60_000);
    expect(await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, now), now })).toEqual({
      ok: false,
      error: "step_up_required",
    });
  });

  it("is bound to the session and user that started it", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const code = totpCodeAt(started.secret, T0);
    const other = await otherSession(user.id);
    expect(await confirmTotpEnrollment(t.db, { ...actor, sessionId: other.id }, { challengeId: started.challengeId, code, now: T0 })).toEqual({
      ok: false,
      error: "challenge_missing",
    });
    const stranger = await makeAccount();
    expect(await confirmTotpEnrollment(t.db, stranger.actor, { challengeId: started.challengeId, code, now: T0 })).toEqual({
      ok: false,
      error: "challenge_missing",
    });
    expect(await confirmTotpEnrollment(t.db, actor, { challengeId: "'; drop table users; --", code, now: T0 })).toEqual({
      ok: false,
      error: "challenge_missing",
    });
    expect(await factorsOf(stranger.user.id)).toHaveLength(0);
    expect((await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code, now: T0 })).ok).toBe(true);
  });

  it("activates once when the same code is submitted twice in parallel", async () => {
    const { user, actor } = await makeAccount();
    const started = await start(actor);
    const code = totpCodeAt(started.secret, T0);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code, now: T0 })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual(Array(4).fill("challenge_missing"));
    expect(await factorsOf(user.id)).toHaveLength(1);
    expect((await eventsOf(user.id)).filter((e) => e.action === "mfa.enabled")).toHaveLength(1);
    expect(await t.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id))).toHaveLength(10);
  });

  it("voids enrolments other sessions had open", async () => {
    const { user, actor } = await makeAccount();
    const other = await otherSession(user.id);
    const otherActor = { ...actor, sessionId: other.id };
    const pendingElsewhere = await start(otherActor);
    const started = await start(actor);
    expect((await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, T0), now: T0 })).ok).toBe(true);
    expect((await challengeRow(pendingElsewhere.challengeId)).consumedAt).toEqual(T0);
    const now = later(30_000);
    expect(
      await confirmTotpEnrollment(t.db, otherActor, { challengeId: pendingElsewhere.challengeId, code: totpCodeAt(pendingElsewhere.secret, now), now }),
    ).toEqual({ ok: false, error: "challenge_missing" });
    const [factor] = await factorsOf(user.id);
    expect(decryptTotpSecret(user.id, factor.secretCiphertext as string)).toBe(started.secret);
  });
});

describe("adding and replacing", () => {
  it("adds an authenticator app beside SMS: MFA stays on, backup codes are issued if the user had none", async () => {
    const { user, actor } = await makeAccount({ phone: "+447700900124" });
    const started = await start(actor, T0, true);
    expect(started.replacing).toBe(false);
    const result = await confirmTotpEnrollment(t.db, actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, T0), now: T0 });
    if (!result.ok) throw new Error(result.error);
    expect(result.change).toBe("added");
    expect(result.backupCodes).toHaveLength(10);
    expect((await factorsOf(user.id)).map((f) => f.kind).sort()).toEqual(["sms", "totp"]);
    expect((await eventsOf(user.id)).map((e) => e.action)).toEqual(["mfa.factor_added"]);
  });

  it("replaces an authenticator app: the old key stops working, existing backup codes are kept", async () => {
    const { user, actor } = await makeAccount();
    const first = await start(actor);
    const enabled = await confirmTotpEnrollment(t.db, actor, { challengeId: first.challengeId, code: totpCodeAt(first.secret, T0), now: T0 });
    if (!enabled.ok) throw new Error(enabled.error);

    const now = later(60_000);
    expect(await startTotpEnrollment(t.db, actor, { now })).toEqual({ ok: false, error: "factor_required" });
    const second = await start(actor, now, true);
    expect(second.replacing).toBe(true);
    const replaced = await confirmTotpEnrollment(t.db, actor, { challengeId: second.challengeId, code: totpCodeAt(second.secret, now), now });
    if (!replaced.ok) throw new Error(replaced.error);
    expect(replaced).toMatchObject({ change: "replaced", backupCodes: null, factorId: enabled.factorId });
    expect(await factorsOf(user.id)).toHaveLength(1);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);

    const next = later(90_000);
    const oldCode = totpCodeAt(first.secret, next);
    if (oldCode !== totpCodeAt(second.secret, next)) {
      expect(await verifyTotpForUser(t.db, user.id, oldCode, next)).toEqual({ ok: false, error: "totp_code_wrong" });
    }
    expect((await verifyTotpForUser(t.db, user.id, totpCodeAt(second.secret, next), next)).ok).toBe(true);
    expect((await eventsOf(user.id)).map((e) => e.action).sort()).toEqual(["mfa.enabled", "mfa.factor_replaced"]);
  });
});

describe("the secret at rest", () => {
  it("does not decrypt when copied to another user's factor", async () => {
    const a = await makeAccount();
    const started = await start(a.actor);
    expect((await confirmTotpEnrollment(t.db, a.actor, { challengeId: started.challengeId, code: totpCodeAt(started.secret, T0), now: T0 })).ok).toBe(true);
    const [factorA] = await factorsOf(a.user.id);

    const b = await makeAccount();
    await t.db.insert(mfaFactors).values({ userId: b.user.id, kind: "totp", secretCiphertext: factorA.secretCiphertext, verifiedAt: T0 });
    const now = later(30_000);
    await expect(verifyTotpForUser(t.db, b.user.id, totpCodeAt(started.secret, now), now)).rejects.toBeInstanceOf(DecryptionError);
    const [factorB] = await t.db.select().from(mfaFactors).where(and(eq(mfaFactors.userId, b.user.id), eq(mfaFactors.kind, "totp")));
    expect(factorB.lastUsedStep).toBeNull();
  });
});
