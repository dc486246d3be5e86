import "./helpers/mock-next";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, emailOutbox, memberships, mfaFactors, organisations, otpChallenges, sessions, users } from "@/db/schema";
import { confirmPassword } from "@/lib/auth/reauth";
import { createSession } from "@/lib/auth/sessions";
import { decrypt } from "@/lib/crypto/encryption";
import { sealedPropsContext } from "@/lib/email/outbox";
import type { Actor } from "@/lib/mfa/actor";
import { openChallenge } from "@/lib/mfa/challenge";
import { applyFactorChange } from "@/lib/mfa/enrollment";
import { MFA_ERRORS } from "@/lib/mfa/errors";
import {
  ACCESS_CODE_TTL_MS,
  checkReenrolEmailCode,
  generateAccessCode,
  normalizeAccessCode,
  redeemAccessCode,
  REENROL_PROOF_TTL_MS,
  sendReenrolEmailCode,
} from "@/lib/mfa/reenrol";
import { checkEnrollmentCode, completeSmsEnrollment, startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { beginTotpEnrollment, confirmTotpEnrollment } from "@/lib/mfa/totp/enrollment";
import { totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { resetMemberMfa } from "@/lib/org/members";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";
import { formData as fd, request } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

const org = await import("@/app/(app)/org/settings/actions");
const reenrolActions = await import("@/app/(app)/account/reenrol-actions");
const mfaActions = await import("@/app/(app)/account/mfa-actions");
const methodActions = await import("@/app/(app)/account/methods-actions");

/**
 * Enrolling again after an admin's MFA reset (NIST SP 800-63B 4.1.2.1, 6.1.2.3; ASVS 5.0 6.4.3): the reset
 * leaves an account that its password alone opens, so the next enrolment must prove more than the password,
 * either a code emailed to the account's address or the one-time temporary access code the admin was shown.
 */

let t: TestDb;
const idle = { status: "idle" } as const;
const MINUTE = 60_000;
const sms = recordingSms();

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t.close();
});

/** An organisation whose admin (with a phone) resets Max, who had a phone too; Max is then signed in with his password. */
async function afterReset(proof: "email" | "access_code" = "email", options: { role?: "admin" | "member" } = {}) {
  const [o] = await t.db.insert(organisations).values({ name: "Reset Org" }).returning();
  const person = async (role: "admin" | "member", name: string, phone: string) => {
    const { user, org: own } = await makeUser(t.db, { role, phone, email: uniqueEmail(name.toLowerCase()) });
    await t.db.update(users).set({ name }).where(eq(users.id, user.id));
    await t.db.update(memberships).set({ organisationId: o.id }).where(eq(memberships.userId, user.id));
    await t.db.delete(organisations).where(eq(organisations.id, own.id));
    return user;
  };
  const admin = await person("admin", "Ada", `+31612${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`);
  const member = await person(options.role ?? "member", "Max", `+31613${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`);
  const adminSession = await createSession(t.db, { userId: admin.id, mfaState: "verified", handoff: false });
  await grantStepUp(t.db, { userId: admin.id, sessionId: adminSession.session.id });
  request.sessionToken = adminSession.token;
  const reset = await org.resetMemberMfaAction(idle, fd({ userId: member.id, proof }));
  expect(reset).toMatchObject({ status: "success" });
  const signedIn = await signIn(member.id, new Date(), true);
  return { orgId: o.id, admin, adminToken: adminSession.token, member, reset, ...signedIn };
}

/**
 * A new browser of the user, signed in with the password only (they have no factor), the password re-entered
 * (`confirm`: through the real check; otherwise stamped as the check leaves it, for many browsers at once).
 */
async function signIn(userId: string, now = new Date(), confirm = false) {
  const { token, session } = await createSession(t.db, { userId, mfaState: "not_required", handoff: false, now });
  if (confirm) expect((await confirmPassword(t.db, { userId, sessionId: session.id, password: TEST_PASSWORD, now })).ok).toBe(true);
  else await t.db.update(sessions).set({ reauthenticatedAt: now }).where(eq(sessions.id, session.id));
  const actor = async (): Promise<Actor> => {
    const [row] = await t.db.select().from(sessions).where(eq(sessions.id, session.id));
    const [m] = await t.db.select().from(memberships).where(eq(memberships.userId, userId));
    return { userId, sessionId: session.id, organisationId: m?.organisationId ?? null, reauthenticatedAt: row.reauthenticatedAt };
  };
  return { token, sessionId: session.id, actor };
}

const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0];
const factorsOf = (id: string) => t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, id));
const ctx = (now = new Date()) => ({ sms: sms.sender, host: "accounts.example.com", now, info: { ip: "203.0.113.4", userAgent: "vitest" } });

/** The code in the newest email_code message to the user, opened as the sender would. */
async function emailedCode(userId: string) {
  const rows = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, userId), eq(emailOutbox.template, "email_code")));
  const row = rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (!row) throw new Error("no email_code queued");
  return { row, code: (JSON.parse(decrypt(row.sealedProps as string, sealedPropsContext(row.id))) as { code: string }).code };
}

/** The whole SMS enrolment for an actor, from the number to Save. */
async function enrolSms(actor: Actor, phone = "+447400123456", now = new Date()) {
  const started = await startSmsEnrollment(t.db, ctx(now), actor, { phone });
  if (!started.ok) return started;
  const checked = await checkEnrollmentCode(t.db, actor, { challengeId: started.challengeId, code: sms.lastCode(phone), now });
  expect(checked.ok).toBe(true);
  return completeSmsEnrollment(t.db, actor, { challengeId: started.challengeId, now });
}

describe("after an admin's reset, the password alone cannot enrol a factor", () => {
  it("marks the member: the reset records which proof the admin chose", async () => {
    const s = await afterReset("email");
    expect(await userRow(s.member.id)).toMatchObject({ mfaEnabled: false, mfaReenrolProof: "email" });
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, s.member.id), eq(auditEvents.action, "org.member_mfa_reset")));
    expect(event.detail).toMatchObject({ proof: "email" });
  });

  it("refuses to text an enrolment code or to make an authenticator key, through the actions and the domain", async () => {
    const s = await afterReset("email");
    request.sessionToken = s.token;
    const sentBefore = sms.sent.length;
    expect(await mfaActions.sendEnrollmentCodeAction(fd({ phone: "7400 123456", phoneCountry: "GB" }))).toEqual({
      status: "error",
      message: MFA_ERRORS.reenrol_proof_required,
    });
    expect(await methodActions.beginTotpEnrollmentAction(fd({}))).toEqual({ status: "error", message: MFA_ERRORS.reenrol_proof_required });
    expect(sms.sent.length).toBe(sentBefore);
    expect(await t.db.select().from(otpChallenges).where(and(eq(otpChallenges.userId, s.member.id), eq(otpChallenges.purpose, "enroll")))).toEqual([]);
  });

  it("refuses to save a number or an app even when the enrolment challenge was verified (a forged or raced path)", async () => {
    const s = await afterReset("email");
    const actor = await s.actor();
    const now = new Date();
    // An SMS enrolment verified as if the checks before it had been skipped.
    const smsChallenge = await openChallenge(t.db, { userId: s.member.id, sessionId: s.sessionId, purpose: "enroll", phone: "+447400123456", code: "123456", now });
    await t.db.update(otpChallenges).set({ verifiedAt: now }).where(eq(otpChallenges.id, smsChallenge.id));
    expect(await completeSmsEnrollment(t.db, actor, { challengeId: smsChallenge.id, now })).toEqual({ ok: false, error: "reenrol_proof_required" });
    // An authenticator-app enrolment with a right code from its key.
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const totp = await openChallenge(t.db, { userId: s.member.id, sessionId: s.sessionId, purpose: "enroll", secretCiphertext: encryptTotpSecret(s.member.id, secret), now });
    expect(await confirmTotpEnrollment(t.db, actor, { challengeId: totp.id, code: totpCodeAt(secret, now), now })).toEqual({ ok: false, error: "reenrol_proof_required" });
    expect(await factorsOf(s.member.id)).toEqual([]);
    expect(await userRow(s.member.id)).toMatchObject({ mfaEnabled: false, mfaReenrolProof: "email" });
    // And a path that forgets the proof altogether fails at the change itself, inside its transaction.
    await expect(
      t.db.transaction((tx) => applyFactorChange(tx, actor, { action: "mfa.enabled", reason: "test", detail: {}, issueBackupCodes: true, now })),
    ).rejects.toThrow(/re-enrolment proof/);
    expect(await userRow(s.member.id)).toMatchObject({ mfaEnabled: false });
  });
});

describe("with the email proof", () => {
  it("emails a 6-digit code (hashed in the database, sealed in the outbox); the right code lets this session enrol, once", async () => {
    const s = await afterReset("email");
    request.sessionToken = s.token;
    const sent = await reenrolActions.sendReenrolCodeAction();
    expect(sent).toMatchObject({ status: "sent", email: s.member.email });
    const { row, code } = await emailedCode(s.member.id);
    expect(row).toMatchObject({ template: "email_code", toAddress: s.member.email, props: { name: "Max", minutes: 10 } });
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(row.props)).not.toContain(code);
    const challenges = await t.db.select().from(otpChallenges).where(and(eq(otpChallenges.userId, s.member.id), eq(otpChallenges.purpose, "reenrol")));
    expect(JSON.stringify(challenges)).not.toContain(code);

    const challengeId = (sent as { challengeId: string }).challengeId;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    expect(await reenrolActions.checkReenrolCodeAction(fd({ challengeId, code: wrong }))).toEqual({
      status: "error",
      field: "code",
      message: `${MFA_ERRORS.code_wrong} 4 tries left.`,
    });
    expect(await reenrolActions.checkReenrolCodeAction(fd({ challengeId, code: `${code.slice(0, 3)} ${code.slice(3)}` }))).toEqual({ status: "proven" });

    // Now the same SMS enrolment that was refused goes through, and clears the mark.
    const saved = await enrolSms(await s.actor());
    expect(saved).toMatchObject({ ok: true, backupCodes: expect.any(Array) });
    expect(await userRow(s.member.id)).toMatchObject({ mfaEnabled: true, mfaReenrolProof: null });
    const actions = (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, s.member.id))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["mfa.reenrol_proven", "mfa.enabled"]));
    // The proof was spent: its code works no more.
    expect(await reenrolActions.checkReenrolCodeAction(fd({ challengeId, code }))).toMatchObject({ status: "error" });
  });

  it("a proof belongs to the session that made it: another browser of the member still cannot enrol", async () => {
    const s = await afterReset("email");
    const actor = await s.actor();
    const sent = await sendReenrolEmailCode(t.db, actor);
    if (!sent.ok) throw new Error(sent.error);
    expect(await checkReenrolEmailCode(t.db, actor, { challengeId: sent.challengeId, code: (await emailedCode(s.member.id)).code })).toEqual({ ok: true });
    const other = await signIn(s.member.id);
    expect(await enrolSms(await other.actor())).toEqual({ ok: false, error: "reenrol_proof_required" });
    expect(await enrolSms(actor)).toMatchObject({ ok: true });
  });

  it("the code expires after 10 minutes, locks after 5 wrong tries, and the proof lasts 30 minutes", async () => {
    const s = await afterReset("email");
    const t0 = new Date();
    const actor = await s.actor();
    const first = await sendReenrolEmailCode(t.db, actor, { now: t0 });
    if (!first.ok) throw new Error(first.error);
    const firstCode = (await emailedCode(s.member.id)).code;
    const late = new Date(t0.getTime() + 10 * MINUTE + 1000);
    await t.db.update(sessions).set({ reauthenticatedAt: late }).where(eq(sessions.id, s.sessionId));
    expect(await checkReenrolEmailCode(t.db, await s.actor(), { challengeId: first.challengeId, code: firstCode, now: late })).toEqual({ ok: false, error: "code_expired" });

    const second = await sendReenrolEmailCode(t.db, await s.actor(), { now: late });
    if (!second.ok) throw new Error(second.error);
    const code = (await emailedCode(s.member.id)).code;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    const fresh = await s.actor();
    const results = await Promise.all(Array.from({ length: 8 }, () => checkReenrolEmailCode(t.db, fresh, { challengeId: second.challengeId, code: wrong, now: late })));
    expect(results.filter((r) => !r.ok && r.error === "code_wrong")).toHaveLength(4);
    expect(await checkReenrolEmailCode(t.db, await s.actor(), { challengeId: second.challengeId, code, now: late })).toEqual({ ok: false, error: "code_locked" });

    const third = await sendReenrolEmailCode(t.db, await s.actor(), { now: new Date(late.getTime() + MINUTE) });
    if (!third.ok) throw new Error(third.error);
    const provenAt = new Date(late.getTime() + MINUTE);
    expect(await checkReenrolEmailCode(t.db, await s.actor(), { challengeId: third.challengeId, code: (await emailedCode(s.member.id)).code, now: provenAt })).toEqual({
      ok: true,
    });
    const tooLate = new Date(provenAt.getTime() + REENROL_PROOF_TTL_MS + 1000);
    await t.db.update(sessions).set({ reauthenticatedAt: tooLate }).where(eq(sessions.id, s.sessionId));
    expect(await enrolSms(await s.actor(), "+447400123456", tooLate)).toEqual({ ok: false, error: "reenrol_proof_required" });
  });

  it("20 parallel sends email at most 5 codes an hour (reserved before the code is made), 30 seconds apart per browser", async () => {
    const s = await afterReset("email");
    const sessionsOf = await Promise.all(Array.from({ length: 20 }, () => signIn(s.member.id)));
    const results = await Promise.all(sessionsOf.map(async (b) => sendReenrolEmailCode(t.db, await b.actor())));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.error === "email_limit")).toHaveLength(15);
    expect(await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, s.member.id), eq(emailOutbox.template, "email_code")))).toHaveLength(5);
    const again = await sendReenrolEmailCode(t.db, await sessionsOf[results.findIndex((r) => r.ok)].actor());
    expect(again).toEqual({ ok: false, error: "resend_cooldown" });
  });

  it("asks for nothing of a member who was never reset, and refuses the access code when the admin chose email", async () => {
    const { user } = await makeUser(t.db);
    const b = await signIn(user.id);
    expect(await sendReenrolEmailCode(t.db, await b.actor())).toEqual({ ok: false, error: "reenrol_not_needed" });
    const s = await afterReset("email");
    expect(await redeemAccessCode(t.db, await s.actor(), { code: generateAccessCode() })).toEqual({ ok: false, error: "reenrol_wrong_proof" });
  });
});

describe("with a temporary access code", () => {
  it("is shown to the admin once, stored only as a keyed hash, never in the audit trail", async () => {
    const s = await afterReset("access_code");
    const accessCode = (s.reset as { accessCode?: { code: string; expiresAt: string } }).accessCode;
    expect(accessCode?.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(new Date(accessCode?.expiresAt ?? 0).getTime() - Date.now()).toBeGreaterThan(ACCESS_CODE_TTL_MS - MINUTE);
    const raw = JSON.stringify(await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, s.member.id)));
    const compact = accessCode?.code.replace(/-/g, "") ?? "";
    expect(raw).not.toContain(compact);
    expect(JSON.stringify(await t.db.select().from(auditEvents))).not.toContain(compact);
    expect(await userRow(s.member.id)).toMatchObject({ mfaReenrolProof: "access_code" });
  });

  it("lets the member enrol with it (an authenticator app), works once, and not with the email proof", async () => {
    const s = await afterReset("access_code");
    const code = (s.reset as { accessCode: { code: string } }).accessCode.code;
    request.sessionToken = s.token;
    expect(await reenrolActions.sendReenrolCodeAction()).toEqual({ status: "error", message: MFA_ERRORS.reenrol_wrong_proof });
    expect(await reenrolActions.redeemAccessCodeAction(fd({ code: "AAAA-BBBB-CCCC-DDDD" }))).toEqual({
      status: "error",
      field: "code",
      message: `${MFA_ERRORS.access_code_wrong} 4 tries left.`,
    });
    // Typed in lower case, with spaces for dashes: still the code.
    expect(await reenrolActions.redeemAccessCodeAction(fd({ code: code.toLowerCase().replace(/-/g, " ") }))).toEqual({ status: "proven" });
    const actor = await s.actor();
    const begun = await beginTotpEnrollment(t.db, actor, {});
    if (!begun.ok) throw new Error(begun.error);
    expect(await confirmTotpEnrollment(t.db, actor, { challengeId: begun.challengeId, code: totpCodeAt(begun.secret), now: new Date() })).toMatchObject({
      ok: true,
      change: "enabled",
    });
    expect(await userRow(s.member.id)).toMatchObject({ mfaEnabled: true, mfaReenrolProof: null });
    const [proven] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, s.member.id), eq(auditEvents.action, "mfa.reenrol_proven")));
    expect(proven.detail).toEqual({ via: "access_code" });

    // Reset again: the used code does not come back to life.
    request.sessionToken = s.adminToken;
    await org.resetMemberMfaAction(idle, fd({ userId: s.member.id, proof: "access_code" }));
    const b = await signIn(s.member.id);
    expect(await redeemAccessCode(t.db, await b.actor(), { code })).toMatchObject({ ok: false, error: "access_code_wrong" });
  });

  it("10 parallel redeems of the right code from 10 browsers: exactly one gets the proof", async () => {
    const s = await afterReset("access_code");
    const code = (s.reset as { accessCode: { code: string } }).accessCode.code;
    const browsers = await Promise.all(Array.from({ length: 10 }, () => signIn(s.member.id)));
    const results = await Promise.all(browsers.map(async (b) => redeemAccessCode(t.db, await b.actor(), { code })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(r).toEqual({ ok: false, error: "access_code_unavailable" });
    const winner = browsers[results.findIndex((r) => r.ok)];
    expect(await enrolSms(await winner.actor())).toMatchObject({ ok: true });
  });

  it("expires after 24 hours", async () => {
    const s = await afterReset("access_code");
    const code = (s.reset as { accessCode: { code: string } }).accessCode.code;
    const later = new Date(Date.now() + ACCESS_CODE_TTL_MS + 1000);
    const b = await signIn(s.member.id, later);
    expect(await redeemAccessCode(t.db, await b.actor(), { code, now: later })).toEqual({ ok: false, error: "access_code_unavailable" });
  });

  it("closes after 5 wrong tries: then even the right code is refused", async () => {
    const s = await afterReset("access_code");
    const code = (s.reset as { accessCode: { code: string } }).accessCode.code;
    const actor = await s.actor();
    const wrong = await Promise.all(Array.from({ length: 8 }, () => redeemAccessCode(t.db, actor, { code: generateAccessCode() })));
    expect(wrong.filter((r) => !r.ok && r.error === "access_code_wrong")).toHaveLength(4);
    expect(await redeemAccessCode(t.db, actor, { code })).toEqual({ ok: false, error: "access_code_unavailable" });
  });

  it("reads what people type and refuses the rest without counting a try", () => {
    expect(normalizeAccessCode("7k3m q9xd-2bhp r4tw")).toEqual({ ok: true, code: "7K3MQ9XD2BHPR4TW" });
    expect(normalizeAccessCode("OOOO-IIII-LLLL-0000")).toEqual({ ok: true, code: "0000111111110000" });
    for (const bad of ["", "7K3M", "7K3M-Q9XD-2BHP-R4TU", 42, ["7K3MQ9XD2BHPR4TW"], "x".repeat(100)])
      expect(normalizeAccessCode(bad).ok).toBe(false);
    const codes = new Set(Array.from({ length: 200 }, () => generateAccessCode()));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(normalizeAccessCode(c).ok).toBe(true);
  });
});

describe("the admin's side", () => {
  it("a member waiting to enrol again can be reset again, to switch to an access code; the email proof then no longer works", async () => {
    const s = await afterReset("email");
    request.sessionToken = s.adminToken;
    const again = await org.resetMemberMfaAction(idle, fd({ userId: s.member.id, proof: "access_code" }));
    expect(again).toMatchObject({ status: "success", accessCode: { code: expect.any(String) } });
    expect(await userRow(s.member.id)).toMatchObject({ mfaReenrolProof: "access_code" });
    expect(await sendReenrolEmailCode(t.db, await (await signIn(s.member.id)).actor())).toEqual({ ok: false, error: "reenrol_wrong_proof" });
  });

  it("refuses an unknown proof at its field and changes nothing", async () => {
    const s = await afterReset("email");
    const member = await makeUser(t.db, { phone: "+31614000001" });
    await t.db.update(memberships).set({ organisationId: s.orgId }).where(eq(memberships.userId, member.user.id));
    request.sessionToken = s.adminToken;
    expect(await org.resetMemberMfaAction(idle, fd({ userId: member.user.id, proof: "sms" }))).toEqual({
      status: "error",
      fieldErrors: { proof: "Choose how they confirm it is them." },
    });
    expect(await factorsOf(member.user.id)).toHaveLength(1);
  });

  it("resetting another admin is announced to every other admin, naming who and by whom", async () => {
    const s = await afterReset("email", { role: "admin" });
    const notices = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, s.orgId), eq(auditEvents.action, "org.admin_mfa_reset")));
    expect(notices.map((n) => n.userId)).toEqual([s.admin.id]);
    expect(notices[0].detail).toMatchObject({ targetName: "Max", actorName: "Ada" });
  });

  it("the domain refuses an admin's reset of a member of another organisation", async () => {
    const s = await afterReset("email");
    const outsider = await makeUser(t.db, { phone: "+31614000002" });
    const [adminSession] = await t.db.select().from(sessions).where(eq(sessions.userId, s.admin.id));
    expect(
      await resetMemberMfa(t.db, { userId: s.admin.id, sessionId: adminSession.id, organisationId: s.orgId }, { userId: outsider.user.id, proof: "access_code" }),
    ).toEqual({ ok: false, error: "not_found" });
    expect(await userRow(outsider.user.id)).toMatchObject({ mfaEnabled: true, mfaReenrolProof: null });
  });
});
