import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, mfaFactors, otpChallenges, sessions, users } from "@/db/schema";
import { createSession, findActiveSession } from "@/lib/auth/sessions";
import { confirmPassword, REAUTH_WINDOW_MS } from "@/lib/auth/reauth";
import type { Actor } from "@/lib/mfa/actor";
import { removeOwnFactors } from "@/lib/mfa/remove";
import type { SendContext } from "@/lib/mfa/sms/delivery";
import { checkEnrollmentCode, completeSmsEnrollment, startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { checkStepUp, startStepUp } from "@/lib/mfa/step-up";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";

/** Switching MFA off is removing every factor; a text-message step-up is a step-up by SMS. */
const disableMfa = (db: TestDb["db"], actor: Actor, input: { stepUpChallengeId: string; now: Date }) => removeOwnFactors(db, actor, { which: "all", ...input });
const startSmsStepUp = (db: TestDb["db"], ctx: SendContext, actor: Actor) => startStepUp(db, actor, { method: "sms", sms: ctx });
/** The registration's code check: an enrolment code, or the registered number's code as a step-up. */
const checkCode = async (db: TestDb["db"], actor: Actor, input: { challengeId: string; purpose: "enroll" | "step_up"; code: string; now: Date }) =>
  input.purpose === "enroll" ? checkEnrollmentCode(db, actor, input) : checkStepUp(db, actor, { ...input, method: "sms" });

let t: TestDb;
const T0 = new Date("2026-03-01T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const PHONE = "+31612345678";
const NEW_PHONE = "+447400123456";

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** A signed-in user (current browser plus one other) on the My account page. */
async function setup(options: { phone?: string; mfaRequired?: boolean } = {}) {
  const { user, org } = await makeUser(t.db, { phone: options.phone, mfaRequired: options.mfaRequired });
  const current = await createSession(t.db, { userId: user.id, mfaState: options.phone ? "verified" : "not_required", now: T0, handoff: false });
  const other = await createSession(t.db, { userId: user.id, mfaState: options.phone ? "verified" : "not_required", now: T0, handoff: false });
  const sms = recordingSms();
  const ctx = (now: Date) => ({ sms: sms.sender, host: "accounts.example.com", now, info: { ip: "203.0.113.4", userAgent: "vitest" } });
  /** The actor as the data-access layer builds it: from the session row as it is now. */
  const actor = async (): Promise<Actor> => {
    const [row] = await t.db.select().from(sessions).where(eq(sessions.id, current.session.id));
    return { userId: user.id, sessionId: row.id, organisationId: org.id, reauthenticatedAt: row.reauthenticatedAt };
  };
  const confirm = async (now: Date, password = TEST_PASSWORD) =>
    (await confirmPassword(t.db, { userId: user.id, sessionId: current.session.id, password, now })).ok;
  const factors = () => t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, user.id));
  const mfaEnabled = async () => (await t.db.select().from(users).where(eq(users.id, user.id)))[0].mfaEnabled;
  const events = async () => (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id))).map((e) => e.action);
  const challenges = () => t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id));
  return { user, org, current, other, sms, ctx, actor, confirm, factors, mfaEnabled, events, challenges };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** Password, number, code checked: everything but Save. */
async function registerUpToSave(s: Setup, phone = PHONE, start = T0) {
  expect(await s.confirm(start)).toBe(true);
  const started = await startSmsEnrollment(t.db, s.ctx(at(start.getTime() - T0.getTime() + SECOND)), await s.actor(), { phone });
  if (!started.ok) throw new Error(`enrolment did not start: ${started.error}`);
  const checked = await checkCode(t.db, await s.actor(), { challengeId: started.challengeId, purpose: "enroll", code: s.sms.lastCode(phone), now: at(start.getTime() - T0.getTime() + 2 * SECOND) });
  expect(checked.ok).toBe(true);
  return started.challengeId;
}

/** A verified step-up code from the registered number. */
async function verifiedStepUp(s: Setup, now: Date) {
  const started = await startSmsStepUp(t.db, s.ctx(now), await s.actor());
  if (!started.ok) throw new Error(`step-up did not start: ${started.error}`);
  const checked = await checkCode(t.db, await s.actor(), { challengeId: started.challengeId, purpose: "step_up", code: s.sms.lastCode(), now });
  expect(checked.ok).toBe(true);
  return started.challengeId;
}

describe("step 2: the current password", () => {
  it("a wrong password is refused and leaves the session without a fresh confirmation", async () => {
    const s = await setup();
    expect(await s.confirm(T0, "not my password")).toBe(false);
    expect((await s.actor()).reauthenticatedAt).toBeNull();
  });

  it("the right password stamps the session with the time it was confirmed", async () => {
    const s = await setup();
    expect(await s.confirm(T0)).toBe(true);
    expect((await s.actor()).reauthenticatedAt).toEqual(T0);
  });

  it("a later wrong password does not move an earlier confirmation", async () => {
    const s = await setup();
    await s.confirm(T0);
    expect(await s.confirm(at(MINUTE), "not my password")).toBe(false);
    expect((await s.actor()).reauthenticatedAt).toEqual(T0);
  });
});

describe("step 3: the phone number", () => {
  it("is refused without the password step (the form posted without the step before it), and nothing is sent", async () => {
    const s = await setup();
    expect(await startSmsEnrollment(t.db, s.ctx(T0), await s.actor(), { phone: PHONE })).toEqual({ ok: false, error: "step_up_required" });
    expect(s.sms.sent).toHaveLength(0);
    expect(await s.challenges()).toEqual([]);
  });

  it("is refused once the password confirmation is 10 minutes old", async () => {
    const s = await setup();
    await s.confirm(T0);
    expect(await startSmsEnrollment(t.db, s.ctx(at(REAUTH_WINDOW_MS)), await s.actor(), { phone: PHONE })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect(s.sms.sent).toHaveLength(0);
  });

  it("is accepted within the 10 minutes and texts one code to that number", async () => {
    const s = await setup();
    await s.confirm(T0);
    const started = await startSmsEnrollment(t.db, s.ctx(at(9 * MINUTE)), await s.actor(), { phone: PHONE });
    expect(started).toMatchObject({ ok: true, delivery: { status: "sent" } });
    expect(s.sms.sent.map((m) => m.to)).toEqual([PHONE]);
    expect(await s.challenges()).toMatchObject([{ purpose: "enroll", phone: PHONE, sessionId: s.current.session.id }]);
  });

  it("refuses a premium-rate number and a country off the allowlist, sending nothing", async () => {
    const s = await setup();
    await s.confirm(T0);
    expect(await startSmsEnrollment(t.db, s.ctx(at(SECOND)), await s.actor(), { phone: "+319001234567" })).toEqual({ ok: false, error: "phone_premium" });
    expect(await startSmsEnrollment(t.db, s.ctx(at(SECOND)), await s.actor(), { phone: "+2348031234567" })).toEqual({ ok: false, error: "phone_country" });
    expect(s.sms.sent).toHaveLength(0);
  });
});

describe("step 4: the code, then Save", () => {
  it("a wrong code is refused and a right one is accepted, with nothing registered yet", async () => {
    const s = await setup();
    await s.confirm(T0);
    const started = await startSmsEnrollment(t.db, s.ctx(at(SECOND)), await s.actor(), { phone: PHONE });
    if (!started.ok) throw new Error(started.error);
    const code = s.sms.lastCode();
    const wrong = code === "000000" ? "111111" : "000000";
    expect(await checkCode(t.db, await s.actor(), { challengeId: started.challengeId, purpose: "enroll", code: wrong, now: at(2 * SECOND) })).toEqual({
      ok: false,
      error: "code_wrong",
      reason: "code_wrong",
      attemptsLeft: 4,
    });
    expect((await checkCode(t.db, await s.actor(), { challengeId: started.challengeId, purpose: "enroll", code, now: at(3 * SECOND) })).ok).toBe(true);
    expect(await s.factors()).toEqual([]);
    expect(await s.mfaEnabled()).toBe(false);
  });

  it("Save before the code was checked is refused and stores no factor", async () => {
    const s = await setup();
    await s.confirm(T0);
    const started = await startSmsEnrollment(t.db, s.ctx(at(SECOND)), await s.actor(), { phone: PHONE });
    if (!started.ok) throw new Error(started.error);
    expect(await completeSmsEnrollment(t.db, await s.actor(), { challengeId: started.challengeId, now: at(2 * SECOND) })).toEqual({
      ok: false,
      error: "challenge_missing",
    });
    expect(await s.factors()).toEqual([]);
    expect(await s.mfaEnabled()).toBe(false);
    expect(await findActiveSession(t.db, s.other.token, at(3 * SECOND))).not.toBeNull();
  });

  it("Save after the code was checked stores the factor, turns MFA on and ends the other sessions", async () => {
    const s = await setup();
    const challengeId = await registerUpToSave(s);

    const saved = await completeSmsEnrollment(t.db, await s.actor(), { challengeId, now: at(3 * SECOND), info: { ip: "203.0.113.4", userAgent: "vitest" } });

    expect(saved).toEqual({ ok: true, phone: PHONE, changed: false, backupCodes: expect.any(Array) });
    expect(await s.factors()).toMatchObject([{ kind: "sms", phone: PHONE, verifiedAt: at(3 * SECOND) }]);
    expect((await s.factors())[0].phone).toMatch(/^\+[1-9]\d{1,14}$/);
    expect(await s.mfaEnabled()).toBe(true);
    expect(await findActiveSession(t.db, s.current.token, at(4 * SECOND))).not.toBeNull();
    expect(await findActiveSession(t.db, s.other.token, at(4 * SECOND))).toBeNull();

    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, s.user.id), eq(auditEvents.action, "mfa.enabled")));
    expect(event.detail).toEqual({ method: "sms", phoneLast4: "5678", otherSessionsEnded: 1 });
    expect(event).toMatchObject({ organisationId: s.org.id, ip: "203.0.113.4" });
    expect(JSON.stringify(event)).not.toContain(PHONE.slice(1));
  });

  it("Save works once: a second Save with the same challenge is refused", async () => {
    const s = await setup();
    const challengeId = await registerUpToSave(s);
    expect((await completeSmsEnrollment(t.db, await s.actor(), { challengeId, now: at(3 * SECOND) })).ok).toBe(true);
    // Now a factor exists, so the replay is first asked for the current factor; either way nothing changes.
    expect(await completeSmsEnrollment(t.db, await s.actor(), { challengeId, now: at(4 * SECOND) })).toMatchObject({ ok: false });
    expect(await completeSmsEnrollment(t.db, await s.actor(), { challengeId, stepUpChallengeId: challengeId, now: at(4 * SECOND) })).toMatchObject({
      ok: false,
    });
    expect((await s.events()).filter((e) => e.startsWith("mfa."))).toEqual(["mfa.enabled"]);
    expect(await s.factors()).toHaveLength(1);
  });

  it("Save is refused once the password confirmation has gone stale", async () => {
    const s = await setup();
    const challengeId = await registerUpToSave(s);
    expect(await completeSmsEnrollment(t.db, await s.actor(), { challengeId, now: at(REAUTH_WINDOW_MS) })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect(await s.factors()).toEqual([]);
  });

  it("Save from another session of the same user is refused", async () => {
    const s = await setup();
    const challengeId = await registerUpToSave(s);
    const actor = { ...(await s.actor()), sessionId: s.other.session.id };
    expect(await completeSmsEnrollment(t.db, actor, { challengeId, now: at(3 * SECOND) })).toEqual({ ok: false, error: "challenge_missing" });
    expect(await s.factors()).toEqual([]);
  });

  it("abandoning after the code (never pressing Save) leaves MFA off and no factor", async () => {
    const s = await setup();
    await registerUpToSave(s);
    expect(await s.factors()).toEqual([]);
    expect(await s.mfaEnabled()).toBe(false);
    expect(await s.events()).not.toContain("mfa.enabled");
  });
});

describe("changing the number", () => {
  it("needs a checked code from the current number: without it nothing is sent to the new one", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    expect(await startSmsEnrollment(t.db, s.ctx(at(SECOND)), await s.actor(), { phone: NEW_PHONE })).toEqual({ ok: false, error: "factor_required" });
    expect(s.sms.sent).toHaveLength(0);
  });

  it("refuses a step-up code that was sent but not checked", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const stepUp = await startSmsStepUp(t.db, s.ctx(at(SECOND)), await s.actor());
    if (!stepUp.ok) throw new Error(stepUp.error);
    expect(s.sms.sent.map((m) => m.to)).toEqual([PHONE]);
    expect(await startSmsEnrollment(t.db, s.ctx(at(2 * SECOND)), await s.actor(), { phone: NEW_PHONE, stepUpChallengeId: stepUp.challengeId })).toEqual({
      ok: false,
      error: "factor_required",
    });
    expect(s.sms.sent.map((m) => m.to)).toEqual([PHONE]);
  });

  it("refuses the number already registered", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    expect(await startSmsEnrollment(t.db, s.ctx(at(SECOND)), await s.actor(), { phone: PHONE })).toEqual({ ok: false, error: "phone_in_use" });
  });

  it("with a checked code from the current number, moves the factor to the new number", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const stepUpId = await verifiedStepUp(s, at(SECOND));
    const started = await startSmsEnrollment(t.db, s.ctx(at(2 * SECOND)), await s.actor(), { phone: NEW_PHONE, stepUpChallengeId: stepUpId });
    if (!started.ok) throw new Error(started.error);
    expect(s.sms.sent.at(-1)?.to).toBe(NEW_PHONE);
    await checkCode(t.db, await s.actor(), { challengeId: started.challengeId, purpose: "enroll", code: s.sms.lastCode(NEW_PHONE), now: at(3 * SECOND) });

    expect(await completeSmsEnrollment(t.db, await s.actor(), { challengeId: started.challengeId, now: at(4 * SECOND) })).toEqual({
      ok: false,
      error: "factor_required",
    });
    expect((await s.factors())[0].phone).toBe(PHONE);

    expect(await completeSmsEnrollment(t.db, await s.actor(), { challengeId: started.challengeId, stepUpChallengeId: stepUpId, now: at(5 * SECOND) })).toEqual({
      ok: true,
      phone: NEW_PHONE,
      changed: true,
      backupCodes: null,
    });
    expect(await s.factors()).toMatchObject([{ phone: NEW_PHONE }]);
    expect(await s.events()).toContain("mfa.phone_changed");
    expect(await findActiveSession(t.db, s.other.token, at(6 * SECOND))).toBeNull();
  });

  it("refuses a step-up code checked in another session", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const otherActor = { ...(await s.actor()), sessionId: s.other.session.id };
    const stepUp = await startSmsStepUp(t.db, s.ctx(at(SECOND)), otherActor);
    if (!stepUp.ok) throw new Error(stepUp.error);
    await checkCode(t.db, otherActor, { challengeId: stepUp.challengeId, purpose: "step_up", code: s.sms.lastCode(), now: at(SECOND) });
    expect(await startSmsEnrollment(t.db, s.ctx(at(2 * SECOND)), await s.actor(), { phone: NEW_PHONE, stepUpChallengeId: stepUp.challengeId })).toEqual({
      ok: false,
      error: "factor_required",
    });
  });
});

describe("the step-up code", () => {
  it("needs the password first", async () => {
    const s = await setup({ phone: PHONE });
    expect(await startSmsStepUp(t.db, s.ctx(T0), await s.actor())).toEqual({ ok: false, error: "step_up_required" });
    expect(s.sms.sent).toHaveLength(0);
  });

  it("needs a registered number", async () => {
    const s = await setup();
    await s.confirm(T0);
    expect(await startSmsStepUp(t.db, s.ctx(at(SECOND)), await s.actor())).toEqual({ ok: false, error: "no_factor" });
  });
});

describe("turning MFA off", () => {
  it("is refused when the organisation requires MFA, even with password and code", async () => {
    const s = await setup({ phone: PHONE, mfaRequired: true });
    await s.confirm(T0);
    const stepUpId = await verifiedStepUp(s, at(SECOND));
    expect(await disableMfa(t.db, await s.actor(), { stepUpChallengeId: stepUpId, now: at(2 * SECOND) })).toEqual({
      ok: false,
      error: "org_requires_mfa",
    });
    expect(await s.factors()).toHaveLength(1);
    expect(await s.mfaEnabled()).toBe(true);
  });

  it("is refused without a fresh password", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const stepUpId = await verifiedStepUp(s, at(SECOND));
    expect(await disableMfa(t.db, await s.actor(), { stepUpChallengeId: stepUpId, now: at(REAUTH_WINDOW_MS + SECOND) })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect(await s.mfaEnabled()).toBe(true);
  });

  it("is refused with a step-up code that was sent but not checked", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const stepUp = await startSmsStepUp(t.db, s.ctx(at(SECOND)), await s.actor());
    if (!stepUp.ok) throw new Error(stepUp.error);
    expect(await disableMfa(t.db, await s.actor(), { stepUpChallengeId: stepUp.challengeId, now: at(2 * SECOND) })).toEqual({
      ok: false,
      error: "factor_required",
    });
    expect(await s.factors()).toHaveLength(1);
  });

  it("with password and a checked code removes the factor, turns MFA off, records it and ends other sessions", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const stepUpId = await verifiedStepUp(s, at(SECOND));
    expect(await disableMfa(t.db, await s.actor(), { stepUpChallengeId: stepUpId, now: at(2 * SECOND) })).toEqual({ ok: true, mfaEnabled: false });
    expect(await s.factors()).toEqual([]);
    expect(await s.mfaEnabled()).toBe(false);
    expect(await s.events()).toContain("mfa.disabled");
    expect(await findActiveSession(t.db, s.current.token, at(3 * SECOND))).not.toBeNull();
    expect(await findActiveSession(t.db, s.other.token, at(3 * SECOND))).toBeNull();
  });

  it("uses the step-up code once", async () => {
    const s = await setup({ phone: PHONE });
    await s.confirm(T0);
    const stepUpId = await verifiedStepUp(s, at(SECOND));
    expect((await disableMfa(t.db, await s.actor(), { stepUpChallengeId: stepUpId, now: at(2 * SECOND) })).ok).toBe(true);
    expect(await disableMfa(t.db, await s.actor(), { stepUpChallengeId: stepUpId, now: at(3 * SECOND) })).toEqual({
      ok: false,
      error: "factor_required",
    });
  });
});
