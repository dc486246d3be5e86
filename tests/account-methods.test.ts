import { and, count, desc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, backupCodes, memberships, mfaFactors, organisations, otpChallenges, sessions, smsMessages, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import { generateBackupCodes, redeemBackupCode } from "@/lib/mfa/backup-codes/codes";
import { listMethods } from "@/lib/mfa/methods";
import { generateTotpSecret, totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { getTestDb, type TestDb } from "./helpers/db";
import { uniqueEmail } from "./helpers/fixtures";
import { outcome, request, formData as fd } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const methods = await import("@/app/(app)/account/methods-actions");
const mfa = await import("@/app/(app)/account/mfa-actions");

let t: TestDb;
const PASSWORD = "right-password-1";

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t.close();
});
// Authenticator codes are per 30-second step and a step is accepted once per user, so the tests move the
// clock (Date only; timers and the database run normally) instead of waiting for the next code.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-03-02T09:00:05Z"));
});
afterEach(() => {
  vi.useRealTimers();
});
const nextStep = () => vi.setSystemTime(new Date(Date.now() + 30_000));

/** A signed-in user (the mocked cookie carries their session) with another session elsewhere. */
async function signedIn(options: { totp?: boolean; phone?: string; mfaRequired?: boolean; mfaMethods?: "any" | "totp_only" } = {}) {
  const [org] = await t.db
    .insert(organisations)
    .values({ name: "Org", mfaRequired: options.mfaRequired ?? false, mfaMethods: options.mfaMethods ?? "any" })
    .returning();
  const hasFactor = Boolean(options.totp || options.phone);
  const [user] = await t.db
    .insert(users)
    .values({ name: "Mo Methods", email: uniqueEmail("methods"), passwordHash: await hashPassword(PASSWORD), mfaEnabled: hasFactor, emailVerifiedAt: new Date() })
    .returning();
  await t.db.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "member" });
  const secret = options.totp ? generateTotpSecret() : null;
  if (secret) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "totp", secretCiphertext: encryptTotpSecret(user.id, secret), verifiedAt: new Date() });
  if (options.phone) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: options.phone, verifiedAt: new Date() });
  const codes = hasFactor ? await generateBackupCodes(t.db, user.id) : [];
  const state = hasFactor ? "verified" : "not_required";
  const here = await createSession(t.db, { userId: user.id, mfaState: state, handoff: false });
  const elsewhere = await createSession(t.db, { userId: user.id, mfaState: state, handoff: false });
  request.sessionToken = here.token;
  return { user, org, secret: secret ?? "", codes, sessionId: here.session.id, elsewhereId: elsewhere.session.id };
}

const factorsOf = async (userId: string) => (await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, userId))).map((f) => f.kind).sort();
const userRow = async (userId: string) => (await t.db.select().from(users).where(eq(users.id, userId)))[0];
const codeRows = (userId: string) => t.db.select().from(backupCodes).where(eq(backupCodes.userId, userId));
const disabledEvent = async (userId: string) =>
  (await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, "mfa.disabled"))))[0];
const revoked = async (sessionId: string) => (await t.db.select().from(sessions).where(eq(sessions.id, sessionId)))[0].revokedAt !== null;
const actionsOf = async (userId: string) =>
  (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(auditEvents.createdAt)).map((e) => e.action);
async function snapshot(userId: string) {
  const [c] = await t.db.select({ n: count() }).from(otpChallenges).where(eq(otpChallenges.userId, userId));
  return {
    factors: await factorsOf(userId),
    mfaEnabled: (await userRow(userId)).mfaEnabled,
    codes: (await codeRows(userId)).map((r) => `${r.codeHash}:${r.usedAt?.toISOString() ?? ""}`).sort(),
    challenges: c.n,
  };
}

const password = async () => expect(await mfa.confirmPasswordAction(fd({ password: PASSWORD }))).toEqual({ status: "ok" });

/** Password, then an authenticator code: returns the verified step-up for the change that follows. */
async function proveWithTotp(secret: string) {
  await password();
  nextStep();
  const opened = await methods.startStepUpAction(fd({ method: "totp" }));
  if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
  expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: totpCodeAt(secret) }))).toEqual({
    status: "verified",
  });
  return opened.challengeId;
}

async function beginEnrollment(stepUpChallengeId?: string) {
  const begun = await methods.beginTotpEnrollmentAction(fd({ stepUpChallengeId }));
  if (begun.status !== "enrolling") throw new Error(JSON.stringify(begun));
  return begun;
}

async function latestSmsCode(to: string) {
  const [row] = await t.db.select().from(smsMessages).where(eq(smsMessages.to, to)).orderBy(desc(smsMessages.createdAt)).limit(1);
  return /(\d{6})/.exec(row?.body ?? "")?.[1] ?? "";
}

describe("adding an authenticator app from My account", () => {
  it("enrols with the key shown, turns MFA on, and shows 10 backup codes once, stored only as hashes", async () => {
    const u = await signedIn();
    await password();
    const begun = await beginEnrollment();
    expect(begun.key).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.replacing).toBe(false);
    const svg = Buffer.from(begun.qrDataUrl.replace(/^data:image\/svg\+xml;base64,/, ""), "base64").toString("utf8");
    expect(svg).toMatch(/^<svg[\s>]/);
    expect(svg).not.toMatch(/<script|on\w+=/i);
    // Nothing is a factor until a code from the app is entered.
    expect(await factorsOf(u.user.id)).toEqual([]);

    const done = await methods.confirmTotpEnrollmentAction(fd({ challengeId: begun.challengeId, code: totpCodeAt(begun.key) }));
    if (done.status !== "done") throw new Error(JSON.stringify(done));
    expect(done.message).toBe("Multi-factor authentication is on with your authenticator app.");
    expect(done.backupCodes).toHaveLength(10);
    expect(await factorsOf(u.user.id)).toEqual(["totp"]);
    expect((await userRow(u.user.id)).mfaEnabled).toBe(true);
    expect(await revoked(u.elsewhereId)).toBe(true);
    expect(await revoked(u.sessionId)).toBe(false);

    const [factor] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, u.user.id));
    expect(factor.secretCiphertext).not.toContain(begun.key);
    const rows = await codeRows(u.user.id);
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of done.backupCodes ?? []) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ""));
    }

    // Once: the enrolment is closed, and what the page reads holds a count, never the codes.
    expect(await methods.confirmTotpEnrollmentAction(fd({ challengeId: begun.challengeId, code: totpCodeAt(begun.key) }))).toMatchObject({
      status: "error",
    });
    const listed = await listMethods(t.db, u.user.id);
    expect(listed).toMatchObject({ sms: null, backupCodesLeft: 10, hasBackupCodes: true });
    expect(JSON.stringify(listed)).not.toContain((done.backupCodes ?? [])[0]);
    expect(await actionsOf(u.user.id)).toContain("mfa.enabled");
    // A code from the list works once at sign-in.
    expect(await redeemBackupCode(t.db, u.user.id, (done.backupCodes ?? [])[0])).toEqual({ ok: true, remaining: 9 });
  });

  it("refuses a code computed from a different secret, and changes nothing", async () => {
    const u = await signedIn();
    await password();
    const begun = await beginEnrollment();
    const before = await snapshot(u.user.id);
    const result = await methods.confirmTotpEnrollmentAction(fd({ challengeId: begun.challengeId, code: totpCodeAt(generateTotpSecret()) }));
    expect(result).toEqual({
      status: "error",
      field: "code",
      message: "That code is not right. Enter the code your authenticator app shows now. 4 tries left.",
    });
    expect(await snapshot(u.user.id)).toEqual(before);
    expect(await factorsOf(u.user.id)).toEqual([]);
  });

  it("needs the password first", async () => {
    const u = await signedIn();
    expect(await methods.beginTotpEnrollmentAction(fd({}))).toEqual({ status: "error", message: "Confirm your password first." });
    expect((await snapshot(u.user.id)).challenges).toBe(0);
  });

  it("beside a phone number needs a code from a current factor, then issues no new backup codes", async () => {
    const u = await signedIn({ phone: "+31612345601" });
    await password();
    expect(await methods.beginTotpEnrollmentAction(fd({}))).toEqual({
      status: "error",
      message: "Confirm with a code from your authenticator app, your phone or a backup code first.",
    });
    // The authenticator method is not one this user has.
    expect(await methods.startStepUpAction(fd({ method: "totp" }))).toEqual({ status: "error", message: "Multi-factor authentication is not set up." });

    const sent = await mfa.sendStepUpCodeAction();
    if (sent.status !== "sent") throw new Error(JSON.stringify(sent));
    const code = await latestSmsCode("+31612345601");
    expect(await methods.checkStepUpAction(fd({ challengeId: sent.challengeId, method: "sms", code }))).toEqual({ status: "verified" });
    const begun = await beginEnrollment(sent.challengeId);
    // The proof was used up by opening the enrolment.
    expect(await methods.beginTotpEnrollmentAction(fd({ stepUpChallengeId: sent.challengeId }))).toMatchObject({ status: "error" });
    const codesBefore = (await snapshot(u.user.id)).codes;

    const done = await methods.confirmTotpEnrollmentAction(fd({ challengeId: begun.challengeId, code: totpCodeAt(begun.key) }));
    expect(done).toEqual({ status: "done", message: "Your authenticator app is added. Other sessions were signed out.", backupCodes: null });
    expect(await factorsOf(u.user.id)).toEqual(["sms", "totp"]);
    expect((await snapshot(u.user.id)).codes).toEqual(codesBefore);
    expect(await actionsOf(u.user.id)).toContain("mfa.factor_added");
    expect(await revoked(u.elsewhereId)).toBe(true);
  });

  it("replaces an authenticator app after a code from it; the old key stops working", async () => {
    const u = await signedIn({ totp: true });
    const proof = await proveWithTotp(u.secret);
    const begun = await beginEnrollment(proof);
    expect(begun.replacing).toBe(true);
    nextStep();
    const done = await methods.confirmTotpEnrollmentAction(fd({ challengeId: begun.challengeId, code: totpCodeAt(begun.key) }));
    expect(done).toMatchObject({ status: "done", backupCodes: null });
    expect(await factorsOf(u.user.id)).toEqual(["totp"]);
    nextStep();
    await password();
    const opened = await methods.startStepUpAction(fd({ method: "totp" }));
    if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
    expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: totpCodeAt(u.secret) }))).toMatchObject({
      status: "error",
      field: "code",
    });
    expect(await actionsOf(u.user.id)).toContain("mfa.factor_replaced");
  });
});

describe("proving a current factor (step-up)", () => {
  it("accepts an authenticator code once: the same code cannot prove a second change", async () => {
    const u = await signedIn({ totp: true });
    const first = await proveWithTotp(u.secret);
    const opened = await methods.startStepUpAction(fd({ method: "totp" }));
    if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
    expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: totpCodeAt(u.secret) }))).toEqual({
      status: "error",
      field: "code",
      message: "That code has already been used. Wait for the next code in your authenticator app. 4 tries left.",
    });
    expect(first).not.toBe(opened.challengeId);
  });

  it("accepts a backup code typed with spaces and capitals, and spends it", async () => {
    const u = await signedIn({ totp: true });
    await password();
    const opened = await methods.startStepUpAction(fd({ method: "backup" }));
    if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
    const typed = ` ${u.codes[0].toUpperCase().replace(/-/g, " ")} `;
    expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "backup", code: typed }))).toEqual({ status: "verified" });
    expect(await redeemBackupCode(t.db, u.user.id, u.codes[0])).toEqual({ ok: false, error: "backup_code_wrong" });
    expect(await actionsOf(u.user.id)).toContain("mfa.backup_code_used");
  });

  it("caps wrong codes at five per step-up; then even the right code is refused", async () => {
    const u = await signedIn({ totp: true });
    await password();
    const opened = await methods.startStepUpAction(fd({ method: "totp" }));
    if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
    const wrong = String((Number(totpCodeAt(u.secret)) + 1) % 1_000_000).padStart(6, "0");
    for (let i = 4; i >= 1; i -= 1)
      expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: wrong }))).toMatchObject({
        message: expect.stringContaining(`${i} ${i === 1 ? "try" : "tries"} left.`),
      });
    expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: wrong }))).toMatchObject({
      message: "Too many wrong codes. Start again to get a new code.",
    });
    expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: totpCodeAt(u.secret) }))).toMatchObject({
      status: "error",
    });
  });

  it("needs the password before a step-up can open", async () => {
    await signedIn({ totp: true });
    expect(await methods.startStepUpAction(fd({ method: "totp" }))).toEqual({ status: "error", message: "Confirm your password first." });
  });
});

describe("backup codes", () => {
  it("regenerating needs the password again, even with a verified factor", async () => {
    const u = await signedIn({ totp: true });
    const proof = await proveWithTotp(u.secret);
    // The password confirmation goes stale (10 minutes).
    vi.setSystemTime(new Date(Date.now() + 10 * 60_000 + 1_000));
    const before = await snapshot(u.user.id);
    expect(await methods.regenerateBackupCodesAction(fd({ stepUpChallengeId: proof }))).toEqual({
      status: "error",
      message: "Confirm your password first.",
    });
    expect(await snapshot(u.user.id)).toEqual(before);
  });

  it("regenerating needs a current factor too: a password alone is refused", async () => {
    const u = await signedIn({ totp: true });
    await password();
    const before = await snapshot(u.user.id);
    expect(await methods.regenerateBackupCodesAction(fd({}))).toMatchObject({ status: "error", message: expect.stringContaining("Confirm with a code") });
    expect(await methods.regenerateBackupCodesAction(fd({ stepUpChallengeId: "not-a-uuid" }))).toMatchObject({ status: "error" });
    expect(await snapshot(u.user.id)).toEqual(before);
  });

  it("with the password and a factor, replaces the whole set: old codes stop working, new ones are shown once", async () => {
    const u = await signedIn({ totp: true });
    const proof = await proveWithTotp(u.secret);
    const result = await methods.regenerateBackupCodesAction(fd({ stepUpChallengeId: proof }));
    if (result.status !== "done") throw new Error(JSON.stringify(result));
    expect(result.backupCodes).toHaveLength(10);
    expect(await redeemBackupCode(t.db, u.user.id, u.codes[1])).toEqual({ ok: false, error: "backup_code_wrong" });
    expect(await redeemBackupCode(t.db, u.user.id, (result.backupCodes ?? [])[1])).toEqual({ ok: true, remaining: 9 });
    expect(await actionsOf(u.user.id)).toContain("mfa.backup_codes_generated");
    expect(await revoked(u.elsewhereId)).toBe(true);
    // The proof was consumed.
    expect(await methods.regenerateBackupCodesAction(fd({ stepUpChallengeId: proof }))).toMatchObject({ status: "error" });
  });
});

describe("removing a method", () => {
  it("needs a code from a current factor; the password alone changes nothing", async () => {
    const u = await signedIn({ totp: true, phone: "+31612345602" });
    await password();
    const before = await snapshot(u.user.id);
    expect(await methods.removeMethodAction(fd({ kind: "sms" }))).toEqual({
      status: "error",
      message: "Confirm with a code from your authenticator app, your phone or a backup code first.",
    });
    // An opened but unanswered step-up is no proof either.
    const opened = await methods.startStepUpAction(fd({ method: "totp" }));
    if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
    expect(await methods.removeMethodAction(fd({ kind: "sms", stepUpChallengeId: opened.challengeId }))).toMatchObject({ status: "error" });
    expect({ ...(await snapshot(u.user.id)), challenges: 0 }).toEqual({ ...before, challenges: 0 });
  });

  it("removes the number and keeps MFA on while the authenticator app remains", async () => {
    const u = await signedIn({ totp: true, phone: "+31612345603" });
    const proof = await proveWithTotp(u.secret);
    expect(await methods.removeMethodAction(fd({ kind: "sms", stepUpChallengeId: proof }))).toEqual({
      status: "done",
      message: "Your phone number is removed. Other sessions were signed out.",
      backupCodes: null,
    });
    expect(await factorsOf(u.user.id)).toEqual(["totp"]);
    expect((await userRow(u.user.id)).mfaEnabled).toBe(true);
    expect(await codeRows(u.user.id)).toHaveLength(10);
    expect(await revoked(u.elsewhereId)).toBe(true);
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, u.user.id), eq(auditEvents.action, "mfa.factor_removed")));
    expect(event.detail).toMatchObject({ method: "sms" });
    expect(JSON.stringify(event)).not.toContain("612345603");
  });

  it("removing the last method turns MFA off and deletes the backup codes", async () => {
    const u = await signedIn({ totp: true });
    const proof = await proveWithTotp(u.secret);
    expect(await methods.removeMethodAction(fd({ kind: "totp", stepUpChallengeId: proof }))).toEqual({
      status: "done",
      message: "Your authenticator app is removed. Multi-factor authentication is off. Other sessions were signed out.",
      backupCodes: null,
    });
    expect(await factorsOf(u.user.id)).toEqual([]);
    expect((await userRow(u.user.id)).mfaEnabled).toBe(false);
    expect(await codeRows(u.user.id)).toHaveLength(0);
    expect(await revoked(u.elsewhereId)).toBe(true);
    expect(await disabledEvent(u.user.id)).toMatchObject({ detail: { method: "totp", methods: ["totp", "backup"], otherSessionsEnded: 1 } });
  });

  it("refuses to remove the last method when the organisation requires MFA, and the proof stays usable", async () => {
    const u = await signedIn({ totp: true, phone: "+31612345604", mfaRequired: true });
    const proof = await proveWithTotp(u.secret);
    expect(await methods.removeMethodAction(fd({ kind: "sms", stepUpChallengeId: proof }))).toMatchObject({ status: "done" });
    const second = await proveWithTotp(u.secret);
    const before = await snapshot(u.user.id);
    expect(await methods.removeMethodAction(fd({ kind: "totp", stepUpChallengeId: second }))).toEqual({
      status: "error",
      message: "Your organisation requires multi-factor authentication, so it cannot be switched off.",
    });
    expect(await snapshot(u.user.id)).toEqual(before);
    const [row] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, second));
    expect(row.consumedAt).toBeNull();
  });

  it("turning the switch off with an authenticator code removes every method and the backup codes", async () => {
    const u = await signedIn({ totp: true, phone: "+31612345605" });
    const proof = await proveWithTotp(u.secret);
    expect(await mfa.disableMfaAction(fd({ stepUpChallengeId: proof }))).toEqual({ status: "saved", maskedPhone: null });
    expect(await factorsOf(u.user.id)).toEqual([]);
    expect(await codeRows(u.user.id)).toHaveLength(0);
    expect((await userRow(u.user.id)).mfaEnabled).toBe(false);
    const event = await disabledEvent(u.user.id);
    expect(event.detail).toEqual({ methods: ["totp", "sms", "backup"], otherSessionsEnded: 1 });
    expect(JSON.stringify(event)).not.toContain("612345605");
  });

  it("turning the switch off records what was there: an authenticator app alone is not recorded as SMS", async () => {
    const u = await signedIn({ totp: true });
    const proof = await proveWithTotp(u.secret);
    expect(await mfa.disableMfaAction(fd({ stepUpChallengeId: proof }))).toEqual({ status: "saved", maskedPhone: null });
    expect((await disabledEvent(u.user.id)).detail).toEqual({ methods: ["totp", "backup"], otherSessionsEnded: 1 });
  });

  it("turning the switch off after every backup code was used records no backup codes", async () => {
    const u = await signedIn({ phone: "+31612345699" });
    await t.db.update(backupCodes).set({ usedAt: new Date() }).where(eq(backupCodes.userId, u.user.id));
    await password();
    const sent = await mfa.sendStepUpCodeAction();
    if (sent.status !== "sent") throw new Error(JSON.stringify(sent));
    const code = await latestSmsCode("+31612345699");
    expect(await mfa.checkCodeAction(fd({ challengeId: sent.challengeId, purpose: "step_up", code }))).toEqual({ status: "ok" });
    expect(await mfa.disableMfaAction(fd({ stepUpChallengeId: sent.challengeId }))).toEqual({ status: "saved", maskedPhone: null });
    expect((await disabledEvent(u.user.id)).detail).toEqual({ methods: ["sms"], otherSessionsEnded: 1 });
  });
});

describe("text messages", () => {
  it("the first SMS registration issues backup codes with Save, once", async () => {
    const u = await signedIn();
    await password();
    const sent = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345606", phoneCountry: "NL" }));
    if (sent.status !== "sent") throw new Error(JSON.stringify(sent));
    expect(await mfa.checkCodeAction(fd({ challengeId: sent.challengeId, code: await latestSmsCode("+31612345606") }))).toEqual({ status: "ok" });
    const saved = await mfa.saveEnrollmentAction(fd({ challengeId: sent.challengeId }));
    if (saved.status !== "saved") throw new Error(JSON.stringify(saved));
    expect(saved.maskedPhone).toBe("•••• 5606");
    expect(saved.backupCodes).toHaveLength(10);
    expect(await codeRows(u.user.id)).toHaveLength(10);
    expect(await mfa.saveEnrollmentAction(fd({ challengeId: sent.challengeId }))).toMatchObject({ status: "error" });
  });

  it("adding a number beside an authenticator app needs a code from the app first", async () => {
    const u = await signedIn({ totp: true });
    await password();
    const smsBefore = await t.db.select({ n: count() }).from(smsMessages);
    expect(await mfa.sendEnrollmentCodeAction(fd({ phone: "612345607", phoneCountry: "NL" }))).toEqual({
      status: "error",
      message: "Confirm with a code from your authenticator app, your phone or a backup code first.",
    });
    expect(await t.db.select({ n: count() }).from(smsMessages)).toEqual(smsBefore);

    const proof = await proveWithTotp(u.secret);
    const sent = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345607", phoneCountry: "NL", stepUpChallengeId: proof }));
    if (sent.status !== "sent") throw new Error(JSON.stringify(sent));
    await mfa.checkCodeAction(fd({ challengeId: sent.challengeId, code: await latestSmsCode("+31612345607") }));
    const saved = await mfa.saveEnrollmentAction(fd({ challengeId: sent.challengeId, stepUpChallengeId: proof }));
    expect(saved).toEqual({ status: "saved", maskedPhone: "•••• 5607", backupCodes: null });
    expect(await factorsOf(u.user.id)).toEqual(["sms", "totp"]);
    expect(await actionsOf(u.user.id)).toContain("mfa.factor_added");
  });

  it("an authenticator-app-only organisation refuses SMS registration and sends nothing", async () => {
    const u = await signedIn({ mfaMethods: "totp_only" });
    await password();
    const smsBefore = await t.db.select({ n: count() }).from(smsMessages);
    expect(await mfa.sendEnrollmentCodeAction(fd({ phone: "612345608", phoneCountry: "NL" }))).toEqual({
      status: "error",
      message: "Your organisation allows only authenticator apps, so text messages cannot be used. Add an authenticator app instead.",
    });
    expect(await t.db.select({ n: count() }).from(smsMessages)).toEqual(smsBefore);
    expect(await snapshot(u.user.id)).toMatchObject({ factors: [], mfaEnabled: false, challenges: 0 });
    // The authenticator app is allowed.
    const begun = await beginEnrollment();
    expect(await methods.confirmTotpEnrollmentAction(fd({ challengeId: begun.challengeId, code: totpCodeAt(begun.key) }))).toMatchObject({
      status: "done",
    });
  });

  it("a policy changed to authenticator-app-only between Send code and Save refuses the Save", async () => {
    const u = await signedIn();
    await password();
    const sent = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345609", phoneCountry: "NL" }));
    if (sent.status !== "sent") throw new Error(JSON.stringify(sent));
    await mfa.checkCodeAction(fd({ challengeId: sent.challengeId, code: await latestSmsCode("+31612345609") }));
    await t.db.update(organisations).set({ mfaMethods: "totp_only" }).where(eq(organisations.id, u.org.id));
    expect(await mfa.saveEnrollmentAction(fd({ challengeId: sent.challengeId }))).toMatchObject({
      status: "error",
      message: expect.stringContaining("allows only authenticator apps"),
    });
    expect(await snapshot(u.user.id)).toMatchObject({ factors: [], mfaEnabled: false, codes: [] });
  });
});

describe("bad input gets a clear message and changes nothing", () => {
  const codes: [string, unknown, string][] = [
    ["5 digits", "12345", "The code is 6 digits, numbers only."],
    ["7 digits", "1234567", "The code is 6 digits, numbers only."],
    ["letters", "12a456", "The code is 6 digits, numbers only."],
    ["empty", "", "Enter the 6-digit code."],
    ["100 kB", "1".repeat(100_000), "The code is 6 digits, numbers only."],
    ["missing", null, "The code is 6 digits, numbers only."],
  ];

  for (const [name, code, message] of codes) {
    it(`an enrolment code that is ${name}`, async () => {
      const u = await signedIn();
      await password();
      const begun = await beginEnrollment();
      const before = await snapshot(u.user.id);
      const form = fd({ challengeId: begun.challengeId });
      if (code !== null) form.set("code", code as string);
      expect(await methods.confirmTotpEnrollmentAction(form)).toEqual({ status: "error", field: "code", message });
      expect(await snapshot(u.user.id)).toEqual(before);
      const [row] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, begun.challengeId));
      expect(row.attempts).toBe(0);
    });
  }

  it("a code posted as a file is refused like a missing one", async () => {
    await signedIn();
    await password();
    const begun = await beginEnrollment();
    const form = fd({ challengeId: begun.challengeId });
    form.set("code", new Blob(["123456"]), "code.txt");
    expect(await methods.confirmTotpEnrollmentAction(form)).toEqual({ status: "error", field: "code", message: "The code is 6 digits, numbers only." });
  });

  it("an authenticator step-up code with letters, without counting an attempt", async () => {
    const u = await signedIn({ totp: true });
    await password();
    const opened = await methods.startStepUpAction(fd({ method: "totp" }));
    if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
    const before = await snapshot(u.user.id);
    expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "totp", code: "abcdef" }))).toEqual({
      status: "error",
      field: "code",
      message: "The code is 6 digits, numbers only.",
    });
    expect(await snapshot(u.user.id)).toEqual(before);
    const [row] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, opened.challengeId));
    expect(row).toMatchObject({ attempts: 0, verifiedAt: null });
  });

  const backups: [string, string, string][] = [
    ["too short", "abcd-efgh", "A backup code is 24 letters and numbers, like abcd-efgh-jkmn-pqrs-tvwx-yz23."],
    ["with symbols", "abcd-efgh-jkmn-pqrs-tvwx-yz2!", "A backup code is 24 letters and numbers, like abcd-efgh-jkmn-pqrs-tvwx-yz23."],
    ["only dashes and spaces", " - - ", "Enter one of your backup codes."],
  ];
  for (const [name, code, message] of backups) {
    it(`a backup code ${name}`, async () => {
      const u = await signedIn({ totp: true });
      await password();
      const opened = await methods.startStepUpAction(fd({ method: "backup" }));
      if (opened.status !== "opened") throw new Error(JSON.stringify(opened));
      const before = await snapshot(u.user.id);
      expect(await methods.checkStepUpAction(fd({ challengeId: opened.challengeId, method: "backup", code }))).toEqual({ status: "error", field: "code", message });
      expect(await snapshot(u.user.id)).toEqual(before);
    });
  }

  it("an unknown method, a malformed challenge id and an unknown kind to remove", async () => {
    const u = await signedIn({ totp: true });
    await password();
    const before = await snapshot(u.user.id);
    expect(await methods.startStepUpAction(fd({ method: "email" }))).toEqual({ status: "error", message: "Choose how to confirm it is you." });
    expect(await methods.checkStepUpAction(fd({ challengeId: "'; drop table users; --", method: "totp", code: "123456" }))).toMatchObject({
      status: "error",
      message: "This verification is no longer open. Start again.",
    });
    expect(await methods.removeMethodAction(fd({ kind: "password" }))).toEqual({ status: "error", message: "Choose a method to remove." });
    expect(await methods.confirmTotpEnrollmentAction(fd({ challengeId: "x".repeat(10_000), code: "123456" }))).toMatchObject({ status: "error" });
    expect(await snapshot(u.user.id)).toEqual(before);
  });

  const allActions = [
    () => methods.startStepUpAction(fd({ method: "totp" })),
    () => methods.checkStepUpAction(fd({})),
    () => methods.beginTotpEnrollmentAction(fd({})),
    () => methods.confirmTotpEnrollmentAction(fd({})),
    () => methods.removeMethodAction(fd({ kind: "totp" })),
    () => methods.regenerateBackupCodesAction(fd({})),
  ];

  it("every action refuses a signed-out request", async () => {
    request.sessionToken = null;
    for (const run of allActions) expect(await outcome(run)).toEqual({ redirect: "/login" });
  });

  it("every action refuses a session that has not finished signing in, and changes nothing", async () => {
    const u = await signedIn({ totp: true });
    const pending = await createSession(t.db, { userId: u.user.id, mfaState: "pending", handoff: false });
    request.sessionToken = pending.token;
    const before = await snapshot(u.user.id);
    for (const run of allActions) expect(await outcome(run)).toEqual({ redirect: "/login/verify" });
    expect(await snapshot(u.user.id)).toEqual(before);
  });
});
