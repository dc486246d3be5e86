import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, backupCodes, mfaFactors, organisations, otpChallenges, sessions, users } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { countRemainingBackupCodes, generateBackupCodes } from "@/lib/mfa/backup-codes/codes";
import type { Actor } from "@/lib/mfa/actor";
import { generateTotpSecret, totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { openChallenge } from "@/lib/mfa/challenge";
import { removeOwnFactors } from "@/lib/mfa/remove";
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

async function account(options: { phone?: string } = {}) {
  const [org] = await t.db.insert(organisations).values({ name: "Org" }).returning();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Remove Me", email: `m-${crypto.randomBytes(4).toString("hex")}@example.com`, passwordHash: "unused", mfaEnabled: true })
    .returning();
  const secret = generateTotpSecret();
  await t.db.insert(mfaFactors).values({ userId: user.id, kind: "totp", secretCiphertext: encryptTotpSecret(user.id, secret), verifiedAt: T0 });
  if (options.phone) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: options.phone, verifiedAt: T0 });
  await generateBackupCodes(t.db, user.id, { now: T0 });
  const { session } = await createSession(t.db, { userId: user.id, mfaState: "verified", now: T0, handoff: false });
  const { session: elsewhere } = await createSession(t.db, { userId: user.id, mfaState: "verified", now: T0, handoff: false });
  const actor: Actor = { userId: user.id, sessionId: session.id, organisationId: org.id, reauthenticatedAt: T0 };
  return { user, actor, secret, elsewhere };
}

const kinds = async (userId: string) => (await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, userId))).map((f) => f.kind).sort();
const mfaEnabled = async (userId: string) => (await t.db.select().from(users).where(eq(users.id, userId)))[0].mfaEnabled;
const actions = async (userId: string) => (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId))).map((e) => e.action);
const revokedAt = async (sessionId: string) => (await t.db.select().from(sessions).where(eq(sessions.id, sessionId)))[0].revokedAt;

/**
 * Removing the authenticator app as My account does it: behind a step-up from a current factor (a verified
 * step_up challenge of the session, when `factorVerified`), with the organisation's requirement as stored.
 */
async function removeTotpFactor(
  db: TestDb["db"],
  actor: Actor,
  input: { factorVerified: boolean; orgRequiresMfa?: boolean; now: Date; info?: { ip: string; userAgent: string } },
) {
  if (input.orgRequiresMfa && actor.organisationId)
    await db.update(organisations).set({ mfaRequired: true }).where(eq(organisations.id, actor.organisationId));
  let stepUpChallengeId: string | null = null;
  if (input.factorVerified) {
    const proof = await openChallenge(db, { userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up", now: input.now });
    await db.update(otpChallenges).set({ verifiedAt: input.now }).where(eq(otpChallenges.id, proof.id));
    stepUpChallengeId = proof.id;
  }
  return removeOwnFactors(db, actor, { which: "totp", stepUpChallengeId, now: input.now, info: input.info });
}

describe("removeTotpFactor", () => {
  it("needs a fresh password and a checked current factor, and changes nothing without them", async () => {
    const { user, actor } = await account();
    expect(await removeTotpFactor(t.db, { ...actor, reauthenticatedAt: null }, { factorVerified: true, now: T0 })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect(await removeTotpFactor(t.db, actor, { factorVerified: true, now: new Date(T0.getTime() + 10 * 60_000) })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect(await removeTotpFactor(t.db, actor, { factorVerified: false, now: T0 })).toEqual({ ok: false, error: "factor_required" });
    expect(await kinds(user.id)).toEqual(["totp"]);
    expect(await actions(user.id)).toEqual([]);
  });

  it("removing the last factor turns MFA off, voids the backup codes, ends other sessions and is audited", async () => {
    const { user, actor, secret, elsewhere } = await account();
    expect(await removeTotpFactor(t.db, actor, { factorVerified: true, now: T0, info: { ip: "203.0.113.8", userAgent: "t" } })).toEqual({
      ok: true,
      mfaEnabled: false,
    });
    expect(await kinds(user.id)).toEqual([]);
    expect(await mfaEnabled(user.id)).toBe(false);
    expect(await t.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id))).toHaveLength(0);
    expect(await revokedAt(elsewhere.id)).toEqual(T0);
    expect(await revokedAt(actor.sessionId)).toBeNull();
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(event).toMatchObject({ action: "mfa.disabled", detail: { method: "totp", otherSessionsEnded: 1 }, ip: "203.0.113.8" });
    expect(await verifyTotpForUser(t.db, user.id, totpCodeAt(secret, T0), T0)).toEqual({ ok: false, error: "no_factor" });
  });

  it("with SMS left, MFA stays on and the backup codes stay", async () => {
    const { user, actor, elsewhere } = await account({ phone: "+447700900126" });
    expect(await removeTotpFactor(t.db, actor, { factorVerified: true, orgRequiresMfa: true, now: T0 })).toEqual({ ok: true, mfaEnabled: true });
    expect(await kinds(user.id)).toEqual(["sms"]);
    expect(await mfaEnabled(user.id)).toBe(true);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);
    expect(await actions(user.id)).toEqual(["mfa.factor_removed"]);
    expect(await revokedAt(elsewhere.id)).toEqual(T0);
  });

  it("refuses to remove the last factor when the organisation requires MFA", async () => {
    const { user, actor } = await account();
    expect(await removeTotpFactor(t.db, actor, { factorVerified: true, orgRequiresMfa: true, now: T0 })).toEqual({ ok: false, error: "org_requires_mfa" });
    expect(await kinds(user.id)).toEqual(["totp"]);
    expect(await mfaEnabled(user.id)).toBe(true);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);
  });

  it("answers no_factor when there is no authenticator app", async () => {
    const { actor } = await account();
    expect((await removeTotpFactor(t.db, actor, { factorVerified: true, now: T0 })).ok).toBe(true);
    expect(await removeTotpFactor(t.db, actor, { factorVerified: true, now: T0 })).toEqual({ ok: false, error: "no_factor" });
  });
});
