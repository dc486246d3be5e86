import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, memberships, mfaFactors, organisations, otpChallenges, rateLimits, sessions, trustedBrowsers } from "@/db/schema";
import { eventLabel } from "@/lib/audit/kinds";
import { deviceCookieName } from "@/lib/auth/cookies";
import { deviceHash, newDeviceId } from "@/lib/auth/devices";
import { changePassword } from "@/lib/auth/password-change";
import { checkResetCode, completePasswordReset, requestPasswordReset, sendResetCode } from "@/lib/auth/password-reset";
import { createSession, signOutOtherSessions } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import {
  effectiveTrustDays,
  forgetAllOwnTrustedBrowsers,
  forgetOwnTrustedBrowser,
  listTrustedBrowsers,
  rememberTicked,
  TRUSTED_BROWSER_DAYS,
} from "@/lib/auth/trusted-browsers";
import { sha256 } from "@/lib/crypto/tokens";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { mfaBackoffKey } from "@/lib/mfa/code-check";
import { resetMfaByOperator } from "@/lib/mfa/operator-reset";
import { removeOwnFactors } from "@/lib/mfa/remove";
import { signInWithCode } from "@/lib/mfa/sign-in";
import { generateTotpSecret } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import type { OrgActor } from "@/lib/org/errors";
import { removeMember, resetMemberMfa } from "@/lib/org/members";
import { setMfaMethods, setTrustedBrowserDays } from "@/lib/org/mfa-settings";
import { getTestDb, type TestDb } from "./helpers/db";
import { latestQueued, tokenOf } from "./helpers/emails";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";
import { request } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);

const { POST } = await import("@/app/(auth)/login/verify/code/route");

let t: TestDb;
const sms = recordingSms();
const DAY = 24 * 60 * 60_000;
// Real time: the admin's step-up (sudo mode) is checked against the database's rows at `now`.
const T0 = new Date();
const at = (ms: number) => new Date(T0.getTime() + ms);
const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const info = { ip: "203.0.113.30", userAgent: CHROME };

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  request.signedIn.length = 0;
  request.cookies.clear();
});

// A number per user, so the per-number SMS budget never decides a test.
let phones = 0;
const newPhone = () => `+3161${String(1_000_000 + (phones++ % 8_000_000)).padStart(7, "0")}`;

type Made = Awaited<ReturnType<typeof makeUser>> & { phone: string };

async function smsUser(options: { role?: "admin" | "member" } = {}): Promise<Made> {
  const phone = newPhone();
  return { ...(await makeUser(t.db, { phone, role: options.role })), phone };
}

function passwordStep(u: Made, options: { deviceId?: string | null; now?: Date } = {}) {
  const now = options.now ?? T0;
  return signInWithPassword(t.db, { sms: sms.sender, host: "accounts.example.com", now }, { email: u.user.email, password: TEST_PASSWORD, deviceId: options.deviceId ?? null }, info);
}

/** Password, then the texted code, with "Don't ask again" ticked or not. Returns the verified session's token. */
async function signInWithSms(u: Made, options: { deviceId: string | null; remember: boolean; now?: Date }) {
  const now = options.now ?? T0;
  const first = await passwordStep(u, { deviceId: options.deviceId, now });
  if (!first.ok || first.mfaState !== "pending") throw new Error(`expected a pending sign-in, got ${JSON.stringify(first)}`);
  const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(first.token)));
  const challenge = await findOpenChallenge(t.db, session.id, "login");
  if (!challenge) throw new Error("no login challenge");
  const result = await signInWithCode(t.db, first.token, {
    challengeId: challenge.id,
    method: "sms",
    code: sms.lastCode(u.phone),
    deviceId: options.deviceId,
    remember: options.remember,
    now: new Date(now.getTime() + 1000),
    info,
  });
  if (!result.ok) throw new Error(`expected a right code, got ${JSON.stringify(result)}`);
  return result.token;
}

const trusted = (userId: string) => t.db.select().from(trustedBrowsers).where(eq(trustedBrowsers.userId, userId));
const events = (userId: string) => t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId));
const textsTo = (phone: string) => sms.sent.filter((m) => m.to === phone).length;

/** A signed-in actor of `u` (its own verified session), for the changes that need one. */
async function actorOf(u: Made, now = T0) {
  const { session } = await createSession(t.db, { userId: u.user.id, mfaState: "verified", now, handoff: false });
  return { userId: u.user.id, sessionId: session.id, organisationId: u.org.id, reauthenticatedAt: now };
}

/** An admin of `u`'s organisation, signed in with a fresh step-up. */
async function adminOf(u: Made): Promise<OrgActor> {
  const admin = await makeUser(t.db, { role: "admin" });
  await t.db.update(memberships).set({ organisationId: u.org.id }).where(eq(memberships.userId, admin.user.id));
  const { session } = await createSession(t.db, { userId: admin.user.id, mfaState: "verified", handoff: false });
  const actor = { userId: admin.user.id, sessionId: session.id, organisationId: u.org.id };
  await grantStepUp(t.db, actor);
  return actor;
}

describe("ticking “Don't ask again on this browser”", () => {
  it("lets the next password sign-in on that browser in without a challenge or a text, as a verified session", async () => {
    const u = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    const texts = textsTo(u.phone);
    const challenges = (await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, u.user.id))).length;

    const later = at(2 * DAY);
    const result = await passwordStep(u, { deviceId: device, now: later });
    expect(result).toMatchObject({ ok: true, mfaState: "verified" });
    if (!result.ok) return;
    const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(result.token)));
    expect(session.mfaState).toBe("verified");
    expect(textsTo(u.phone)).toBe(texts);
    expect((await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, u.user.id))).length).toBe(challenges);
    const pending = await t.db.select().from(sessions).where(and(eq(sessions.userId, u.user.id), eq(sessions.mfaState, "pending"), eq(sessions.createdAt, later)));
    expect(pending).toHaveLength(0);
    const [row] = await trusted(u.user.id);
    expect(row.lastUsedAt).toEqual(later);
  });

  it("stores the browser hashed, per user, for 30 days, with its user agent", async () => {
    const u = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    const rows = await trusted(u.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].deviceHash).toBe(deviceHash(device));
    expect(JSON.stringify(rows)).not.toContain(device);
    expect(rows[0].userAgent).toBe(CHROME);
    expect(rows[0].expiresAt.getTime() - rows[0].createdAt.getTime()).toBe(TRUSTED_BROWSER_DAYS * DAY);
  });

  it("audits the trust and the sign-in that skipped the code (mfa: true, method: trusted_browser)", async () => {
    const u = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    await passwordStep(u, { deviceId: device, now: at(DAY) });
    const all = await events(u.user.id);
    expect(all.filter((e) => e.action === "trusted_browser.added")).toHaveLength(1);
    const signIns = all.filter((e) => e.action === "sign_in.succeeded");
    expect(signIns.map((e) => e.detail)).toContainEqual({ mfa: true, method: "sms" });
    const skipped = signIns.filter((e) => e.detail?.method === "trusted_browser");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ detail: { mfa: true, method: "trusted_browser" }, organisationId: u.org.id, ip: info.ip });
    expect(eventLabel(skipped[0].action, skipped[0].detail)).toBe("Signed in from a trusted browser");
  });

  it("without the box ticked, trusts nothing: the next sign-in asks for a code", async () => {
    const u = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: false });
    expect(await trusted(u.user.id)).toHaveLength(0);
    expect(await passwordStep(u, { deviceId: device, now: at(DAY) })).toMatchObject({ ok: true, mfaState: "pending" });
  });

  it("without a device id, trusts nothing", async () => {
    const u = await smsUser();
    await signInWithSms(u, { deviceId: null, remember: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
    expect(await events(u.user.id)).not.toContainEqual(expect.objectContaining({ action: "trusted_browser.added" }));
  });

  it("where the organisation turned remembering off, a ticked box (a forged form) trusts nothing", async () => {
    const u = await smsUser();
    await t.db.update(organisations).set({ trustedBrowserDays: 0 }).where(eq(organisations.id, u.org.id));
    await signInWithSms(u, { deviceId: newDeviceId(), remember: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
  });

  it("reads the checkbox as ticked only for “on” or “true”", () => {
    for (const yes of ["on", "true"]) expect(rememberTicked(yes)).toBe(true);
    for (const no of ["ON", "yes", "1", "", "on ", null, undefined, 1, true, ["on"]]) expect(rememberTicked(no)).toBe(false);
  });

  it("an organisation's days cut the user's 30, and no organisation means 30", () => {
    expect(effectiveTrustDays(null)).toBe(30);
    expect(effectiveTrustDays(7)).toBe(7);
    expect(effectiveTrustDays(0)).toBe(0);
    expect(effectiveTrustDays(30)).toBe(30);
  });
});

describe("the code form (POST /login/verify/code) passes the box through, with and without JavaScript", () => {
  async function pendingInBrowser(device: string) {
    const u = await smsUser();
    const first = await passwordStep(u, { deviceId: device });
    if (!first.ok || first.mfaState !== "pending") throw new Error("expected a pending sign-in");
    const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(first.token)));
    const challenge = await findOpenChallenge(t.db, session.id, "login");
    request.sessionToken = first.token;
    request.cookies.set(deviceCookieName(), device);
    return { u, challengeId: challenge?.id ?? "", code: sms.lastCode(u.phone) };
  }
  function post(fields: Record<string, string>, accept = "application/json") {
    const body = new URLSearchParams(fields).toString();
    return POST(
      new Request("http://localhost/login/verify/code", {
        method: "POST",
        body,
        headers: { origin: "http://localhost", host: "localhost", accept, "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) },
      }),
    );
  }

  it("remember=on (the script's post) trusts the browser whose device cookie came with it", async () => {
    const device = newDeviceId();
    const s = await pendingInBrowser(device);
    const res = await post({ challengeId: s.challengeId, code: s.code, method: "sms", remember: "on" });
    expect(await res.json()).toMatchObject({ status: "signed_in" });
    const rows = await trusted(s.u.user.id);
    expect(rows.map((r) => r.deviceHash)).toEqual([deviceHash(device)]);
  });

  it("the same form posted without JavaScript (a 303) trusts it too", async () => {
    const device = newDeviceId();
    const s = await pendingInBrowser(device);
    const res = await post({ challengeId: s.challengeId, code: s.code, method: "sms", remember: "on" }, "text/html");
    expect(res.status).toBe(303);
    expect(await trusted(s.u.user.id)).toHaveLength(1);
  });

  it("any other value, or none, is not ticked", async () => {
    for (const fields of [{ remember: "yes" }, {}] as Record<string, string>[]) {
      const s = await pendingInBrowser(newDeviceId());
      const res = await post({ challengeId: s.challengeId, code: s.code, method: "sms", ...fields });
      expect(await res.json()).toMatchObject({ status: "signed_in" });
      expect(await trusted(s.u.user.id)).toHaveLength(0);
    }
  });
});

describe("where the trust does not count, the sign-in asks for a code as before", () => {
  async function trustedUser() {
    const u = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    return { u, device };
  }

  it("another browser", async () => {
    const { u } = await trustedUser();
    expect(await passwordStep(u, { deviceId: newDeviceId(), now: at(DAY) })).toMatchObject({ ok: true, mfaState: "pending" });
  });

  it("no device id", async () => {
    const { u } = await trustedUser();
    expect(await passwordStep(u, { deviceId: null, now: at(DAY) })).toMatchObject({ ok: true, mfaState: "pending" });
  });

  it("another user on the same browser", async () => {
    const { device } = await trustedUser();
    const other = await smsUser();
    const texts = textsTo(other.phone);
    expect(await passwordStep(other, { deviceId: device, now: at(DAY) })).toMatchObject({ ok: true, mfaState: "pending" });
    expect(textsTo(other.phone)).toBe(texts + 1);
  });

  it("after 30 days (and still within them, it counts)", async () => {
    const { u, device } = await trustedUser();
    expect(await passwordStep(u, { deviceId: device, now: at(TRUSTED_BROWSER_DAYS * DAY - 60_000) })).toMatchObject({ mfaState: "verified" });
    expect(await passwordStep(u, { deviceId: device, now: at(TRUSTED_BROWSER_DAYS * DAY + 60_000) })).toMatchObject({ mfaState: "pending" });
  });

  it("when the organisation's days fall below the trust's age, from the next sign-in, without the row being rewritten", async () => {
    const { u, device } = await trustedUser();
    const [before] = await trusted(u.user.id);
    await t.db.update(organisations).set({ trustedBrowserDays: 7 }).where(eq(organisations.id, u.org.id));
    expect(await passwordStep(u, { deviceId: device, now: at(6 * DAY) })).toMatchObject({ mfaState: "verified" });
    expect(await passwordStep(u, { deviceId: device, now: at(8 * DAY) })).toMatchObject({ mfaState: "pending" });
    const [after] = await trusted(u.user.id);
    expect(after.expiresAt).toEqual(before.expiresAt);
  });

  it("when the organisation turned remembering off", async () => {
    const { u, device } = await trustedUser();
    await t.db.update(organisations).set({ trustedBrowserDays: 0 }).where(eq(organisations.id, u.org.id));
    expect(await passwordStep(u, { deviceId: device, now: at(60_000) })).toMatchObject({ mfaState: "pending" });
  });

  it("a wrong password on the trusted browser is still refused", async () => {
    const { u, device } = await trustedUser();
    const result = await signInWithPassword(t.db, { sms: sms.sender, host: "h", now: at(DAY) }, { email: u.user.email, password: "not the password", deviceId: device }, info);
    expect(result).toEqual({ ok: false, error: "invalid_credentials" });
  });

  it("the code's backoff stops other browsers but not the trusted one (it skips the code)", async () => {
    const { u, device } = await trustedUser();
    const block = { count: 10, windowStart: T0, strikes: 10, blockedUntil: at(10 * DAY) };
    await t.db.insert(rateLimits).values({ key: mfaBackoffKey(u.user.id), ...block }).onConflictDoUpdate({ target: rateLimits.key, set: block });
    expect(await passwordStep(u, { deviceId: device, now: at(DAY) })).toMatchObject({ ok: true, mfaState: "verified" });
    expect(await passwordStep(u, { deviceId: newDeviceId(), now: at(DAY) })).toMatchObject({ ok: false, error: "mfa_throttled" });
  });
});

describe("trust ends with", () => {
  async function trustedUser(options: { role?: "admin" | "member" } = {}) {
    const u = await smsUser(options);
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    await signInWithSms(u, { deviceId: newDeviceId(), remember: true });
    expect(await trusted(u.user.id)).toHaveLength(2);
    return { u, device };
  }
  async function expectForgotten(u: Made, device: string) {
    expect(await trusted(u.user.id)).toHaveLength(0);
    expect(await passwordStep(u, { deviceId: device, now: at(DAY) })).toMatchObject({ mfaState: u.user.mfaEnabled ? "pending" : "not_required" });
  }

  it("a password change", async () => {
    const { u, device } = await trustedUser();
    const actor = await actorOf(u);
    expect(await changePassword(t.db, actor, { currentPassword: TEST_PASSWORD, newPassword: "another long passphrase", now: T0 })).toMatchObject({ ok: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
    const next = await signInWithPassword(t.db, { sms: sms.sender, host: "h", now: at(DAY) }, { email: u.user.email, password: "another long passphrase", deviceId: device }, info);
    expect(next).toMatchObject({ ok: true, mfaState: "pending" });
  });

  it("a password reset", async () => {
    const { u, device } = await trustedUser();
    expect(await requestPasswordReset(t.db, { email: u.user.email, info })).toBe("queued");
    const token = tokenOf(await latestQueued(t.db, u.user.email, "password_reset"));
    await sendResetCode(t.db, { sms: sms.sender, host: "accounts.example.com", info }, token);
    expect(await checkResetCode(t.db, token, { method: "sms", code: sms.lastCode(u.phone), info })).toMatchObject({ ok: true });
    expect(await completePasswordReset(t.db, { token, password: "a brand new passphrase", info })).toMatchObject({ ok: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
    const next = await signInWithPassword(t.db, { sms: sms.sender, host: "h", now: at(DAY) }, { email: u.user.email, password: "a brand new passphrase", deviceId: device }, info);
    expect(next).toMatchObject({ ok: true, mfaState: "pending" });
  });

  it("removing one factor (another stays)", async () => {
    const { u, device } = await trustedUser();
    await t.db.insert(mfaFactors).values({ userId: u.user.id, kind: "totp", secretCiphertext: encryptTotpSecret(u.user.id, generateTotpSecret()), verifiedAt: T0 });
    const actor = await actorOf(u);
    const stepUpChallengeId = await grantStepUp(t.db, actor, T0);
    expect(await removeOwnFactors(t.db, actor, { which: "totp", stepUpChallengeId, now: T0 })).toMatchObject({ ok: true, mfaEnabled: true });
    await expectForgotten(u, device);
  });

  it("turning MFA off", async () => {
    const { u } = await trustedUser();
    const actor = await actorOf(u);
    const stepUpChallengeId = await grantStepUp(t.db, actor, T0);
    expect(await removeOwnFactors(t.db, actor, { which: "all", stepUpChallengeId, now: T0 })).toMatchObject({ ok: true, mfaEnabled: false });
    expect(await trusted(u.user.id)).toHaveLength(0);
  });

  it("an admin's MFA reset of the member", async () => {
    const { u } = await trustedUser();
    const admin = await adminOf(u);
    expect(await resetMemberMfa(t.db, admin, { userId: u.user.id })).toMatchObject({ ok: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
  });

  it("an operator's MFA reset from the command line", async () => {
    const { u } = await trustedUser();
    expect(await resetMfaByOperator(t.db, u.user.email)).toMatchObject({ ok: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
  });

  it("“Sign out all other sessions”", async () => {
    const { u, device } = await trustedUser();
    const actor = await actorOf(u);
    expect(await signOutOtherSessions(t.db, actor, { info })).toMatchObject({ trustedBrowsersForgotten: 2 });
    await expectForgotten(u, device);
    const [event] = (await events(u.user.id)).filter((e) => e.action === "session.others_revoked");
    expect(event.detail).toMatchObject({ trustedBrowsersForgotten: 2 });
  });

  it("being removed from the organisation", async () => {
    const { u } = await trustedUser();
    const admin = await adminOf(u);
    expect(await removeMember(t.db, admin, { userId: u.user.id })).toMatchObject({ ok: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
  });

  it("the organisation allowing fewer methods (the trust may have been earned with one no longer allowed)", async () => {
    const { u } = await trustedUser();
    const admin = await adminOf(u);
    expect(await setMfaMethods(t.db, admin, { methods: "passkey_only", info })).toEqual({ ok: true, changed: true });
    expect(await trusted(u.user.id)).toHaveLength(0);
    const [event] = (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, admin.userId))).filter((e) => e.action === "org.mfa_methods_changed");
    expect(event.detail).toMatchObject({ methods: "passkey_only", trustedBrowsersForgotten: 2 });
  });

  it("the organisation turning remembering off: every member's, in that organisation only", async () => {
    const { u } = await trustedUser();
    const elsewhere = await trustedUser();
    const admin = await adminOf(u);
    expect(await setTrustedBrowserDays(t.db, admin, { days: 0, info })).toMatchObject({ ok: true, changed: true, forgotten: 2 });
    expect(await trusted(u.user.id)).toHaveLength(0);
    expect(await trusted(elsewhere.u.user.id)).toHaveLength(2);
  });
});

describe("the organisation's setting", () => {
  it("is audited with from and to, and needs the admin's fresh step-up", async () => {
    const u = await smsUser();
    const admin = await adminOf(u);
    expect(await setTrustedBrowserDays(t.db, admin, { days: 7, info })).toEqual({ ok: true, changed: true, forgotten: 0 });
    const [event] = (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, admin.userId))).filter((e) => e.action === "org.trusted_browsers_changed");
    expect(event).toMatchObject({ organisationId: u.org.id, detail: { from: 30, to: 7 } });
    expect(await setTrustedBrowserDays(t.db, admin, { days: 7 })).toMatchObject({ ok: true, changed: false });

    // Without a fresh step-up (sudo mode) nothing changes.
    await t.db.update(sessions).set({ reauthenticatedAt: null }).where(eq(sessions.id, admin.sessionId));
    expect(await setTrustedBrowserDays(t.db, admin, { days: 30 })).toEqual({ ok: false, error: "step_up_required" });
    const [org] = await t.db.select().from(organisations).where(eq(organisations.id, u.org.id));
    expect(org.trustedBrowserDays).toBe(7);
  });

  it("refuses a member, and any other number of days, changing nothing", async () => {
    const u = await smsUser();
    const member = { userId: u.user.id, sessionId: (await actorOf(u)).sessionId, organisationId: u.org.id };
    await grantStepUp(t.db, member);
    expect(await setTrustedBrowserDays(t.db, member, { days: 1 })).toEqual({ ok: false, error: "forbidden" });
    const admin = await adminOf(u);
    for (const days of [2, -1, 31, 365, 1.5, Number.NaN]) expect(await setTrustedBrowserDays(t.db, admin, { days })).toEqual({ ok: false, error: "trusted_browser_days_invalid" });
    const [org] = await t.db.select().from(organisations).where(eq(organisations.id, u.org.id));
    expect(org.trustedBrowserDays).toBe(30);
    await expect(t.db.update(organisations).set({ trustedBrowserDays: 2 }).where(eq(organisations.id, u.org.id))).rejects.toThrow();
  });

  it("lowered, cuts existing trust for good: raising it again does not bring it back", async () => {
    const u = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    const admin = await adminOf(u);
    expect(await setTrustedBrowserDays(t.db, admin, { days: 1 })).toMatchObject({ ok: true, changed: true });
    const [row] = await trusted(u.user.id);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(DAY);
    expect(await setTrustedBrowserDays(t.db, admin, { days: 30 })).toMatchObject({ ok: true, changed: true });
    expect(await passwordStep(u, { deviceId: device, now: at(2 * DAY) })).toMatchObject({ mfaState: "pending" });
  });
});

describe("My account: the list, Forget and Forget all", () => {
  it("lists the user's live trusted browsers with until (the shorter limit) and marks this browser", async () => {
    const u = await smsUser();
    const here = newDeviceId();
    await signInWithSms(u, { deviceId: here, remember: true });
    await signInWithSms(u, { deviceId: newDeviceId(), remember: true, now: at(-(TRUSTED_BROWSER_DAYS + 1) * DAY) });
    await signInWithSms(await smsUser(), { deviceId: here, remember: true });
    await t.db.update(organisations).set({ trustedBrowserDays: 7 }).where(eq(organisations.id, u.org.id));
    const list = await listTrustedBrowsers(t.db, u.user.id, { deviceId: here, now: at(60_000) });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ current: true, userAgent: CHROME });
    expect(list[0].until.getTime() - list[0].createdAt.getTime()).toBe(7 * DAY);
    expect((await listTrustedBrowsers(t.db, u.user.id, { deviceId: newDeviceId(), now: at(60_000) }))[0].current).toBe(false);
  });

  it("Forget ends one of the user's own, audited; another user's id or a malformed one changes nothing", async () => {
    const u = await smsUser();
    const other = await smsUser();
    const device = newDeviceId();
    await signInWithSms(u, { deviceId: device, remember: true });
    await signInWithSms(other, { deviceId: newDeviceId(), remember: true });
    const [theirs] = await trusted(other.user.id);
    const [mine] = await trusted(u.user.id);
    const owner = { userId: u.user.id, organisationId: u.org.id };

    expect(await forgetOwnTrustedBrowser(t.db, owner, { id: theirs.id, info })).toBe(false);
    expect(await forgetOwnTrustedBrowser(t.db, owner, { id: "not-a-uuid'; drop table users; --", info })).toBe(false);
    expect(await trusted(other.user.id)).toHaveLength(1);
    expect(await passwordStep(u, { deviceId: device, now: at(DAY) })).toMatchObject({ mfaState: "verified" });

    expect(await forgetOwnTrustedBrowser(t.db, owner, { id: mine.id, info })).toBe(true);
    expect(await trusted(u.user.id)).toHaveLength(0);
    expect((await events(u.user.id)).map((e) => e.action)).toContain("trusted_browser.forgotten");
    expect(await passwordStep(u, { deviceId: device, now: at(2 * DAY) })).toMatchObject({ mfaState: "pending" });
  });

  it("Forget all ends every one of the user's own, and nobody else's, audited with the count", async () => {
    const u = await smsUser();
    const other = await smsUser();
    const shared = newDeviceId();
    await signInWithSms(u, { deviceId: shared, remember: true });
    await signInWithSms(u, { deviceId: newDeviceId(), remember: true });
    await signInWithSms(other, { deviceId: shared, remember: true });
    expect(await forgetAllOwnTrustedBrowsers(t.db, { userId: u.user.id, organisationId: u.org.id }, { info })).toBe(2);
    expect(await trusted(u.user.id)).toHaveLength(0);
    expect(await trusted(other.user.id)).toHaveLength(1);
    const [event] = (await events(u.user.id)).filter((e) => e.action === "trusted_browsers.forgotten_all");
    expect(event.detail).toEqual({ forgotten: 2 });
    expect(await passwordStep(other, { deviceId: shared, now: at(DAY) })).toMatchObject({ mfaState: "verified" });
  });
});
