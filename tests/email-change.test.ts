import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, emailTokens, mfaFactors, sessions, users } from "@/db/schema";
import { cancelEmailChange, confirmEmailChange, findEmailChangeLink, pendingEmailChange, requestEmailChange } from "@/lib/auth/email-change";
import { changePassword } from "@/lib/auth/password-change";
import { findResetLink, requestPasswordReset } from "@/lib/auth/password-reset";
import { createSession } from "@/lib/auth/sessions";
import { issueEmailToken } from "@/lib/email/tokens";
import type { Actor } from "@/lib/mfa/actor";
import { generateTotpSecret } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { getTestDb, type TestDb } from "./helpers/db";
import { latestQueued, queuedEmails, tokenOf } from "./helpers/emails";
import { makeUser, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";
import { grantStepUp } from "./helpers/step-up";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

const info = { ip: "198.51.100.23", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36" };

/** A signed-in user (password re-entered just now) with a second session elsewhere; with `totp`, MFA is on. */
async function signedIn(options: { totp?: boolean } = {}) {
  const { user, org } = await makeUser(t.db);
  if (options.totp) {
    await t.db.insert(mfaFactors).values({ userId: user.id, kind: "totp", secretCiphertext: encryptTotpSecret(user.id, generateTotpSecret()), verifiedAt: new Date() });
    await t.db.update(users).set({ mfaEnabled: true }).where(eq(users.id, user.id));
  }
  const state = options.totp ? "verified" : "not_required";
  const here = await createSession(t.db, { userId: user.id, mfaState: state, handoff: false });
  const elsewhere = await createSession(t.db, { userId: user.id, mfaState: state, handoff: false });
  const now = new Date();
  await t.db.update(sessions).set({ reauthenticatedAt: now }).where(eq(sessions.id, here.session.id));
  const actor: Actor = { userId: user.id, sessionId: here.session.id, organisationId: org.id, reauthenticatedAt: now };
  return { user, org, actor, here: here.session.id, elsewhere: elsewhere.session.id };
}

const emailOf = async (userId: string) => (await t.db.select().from(users).where(eq(users.id, userId)))[0];
const revoked = async (sessionId: string) => (await t.db.select().from(sessions).where(eq(sessions.id, sessionId)))[0].revokedAt !== null;

describe("asking to change the email address", () => {
  it("needs the password re-entered within 10 minutes, and a factor for a user with MFA, spent once", async () => {
    const plain = await signedIn();
    expect(await requestEmailChange(t.db, { ...plain.actor, reauthenticatedAt: null }, { newEmail: uniqueEmail("n"), stepUpChallengeId: null })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    const stale = new Date(Date.now() - 11 * 60_000);
    expect(await requestEmailChange(t.db, { ...plain.actor, reauthenticatedAt: stale }, { newEmail: uniqueEmail("n"), stepUpChallengeId: null })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect((await requestEmailChange(t.db, plain.actor, { newEmail: uniqueEmail("n"), stepUpChallengeId: null })).ok).toBe(true);

    const mfa = await signedIn({ totp: true });
    const wanted = uniqueEmail("mfa-new");
    expect(await requestEmailChange(t.db, mfa.actor, { newEmail: wanted, stepUpChallengeId: null })).toEqual({ ok: false, error: "factor_required" });
    expect(await queuedEmails(t.db, wanted)).toEqual([]);
    expect(await pendingEmailChange(t.db, mfa.user.id)).toBeNull();
    const proof = await grantStepUp(t.db, { userId: mfa.user.id, sessionId: mfa.here });
    expect(await requestEmailChange(t.db, mfa.actor, { newEmail: wanted, stepUpChallengeId: proof })).toEqual({ ok: true, pending: wanted });
    // Spent: the same proof does not allow a second change.
    expect(await requestEmailChange(t.db, mfa.actor, { newEmail: uniqueEmail("again"), stepUpChallengeId: proof })).toEqual({ ok: false, error: "factor_required" });
  });

  it("keeps the step-up when the address is refused (it is the current one), so only the address is asked again", async () => {
    const mfa = await signedIn({ totp: true });
    const proof = await grantStepUp(t.db, { userId: mfa.user.id, sessionId: mfa.here });
    expect(await requestEmailChange(t.db, mfa.actor, { newEmail: mfa.user.email.toUpperCase(), stepUpChallengeId: proof })).toEqual({ ok: false, error: "same_address" });
    expect((await requestEmailChange(t.db, mfa.actor, { newEmail: uniqueEmail("later"), stepUpChallengeId: proof })).ok).toBe(true);
  });

  it("sends a 24-hour change_email link to the new address only, and shows the change as pending", async () => {
    const { user, actor } = await signedIn();
    const wanted = uniqueEmail("new");
    expect(await requestEmailChange(t.db, actor, { newEmail: wanted, stepUpChallengeId: null, info })).toEqual({ ok: true, pending: wanted });
    const message = await latestQueued(t.db, wanted, "change_email");
    expect(message).toMatchObject({ userId: user.id, props: { name: user.name, hours: 24 } });
    expect(message.props.link).toMatch(/^http:\/\/localhost:3000\/confirm-email\/[A-Za-z0-9_-]{43}$/);
    expect(await queuedEmails(t.db, user.email)).toEqual([]);
    const pending = await pendingEmailChange(t.db, user.id);
    expect(pending?.email).toBe(wanted);
    expect(pending && pending.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, "email.change_requested")));
    expect(event.detail).toEqual({ newAddress: `${wanted[0]}•••@example.com` });
  });

  it("answers the same for an address another account has, but emails nobody", async () => {
    const { user, actor } = await signedIn();
    const other = await makeUser(t.db);
    const result = await requestEmailChange(t.db, actor, { newEmail: other.user.email, stepUpChallengeId: null });
    expect(result).toEqual({ ok: true, pending: other.user.email });
    expect((await pendingEmailChange(t.db, user.id))?.email).toBe(other.user.email);
    expect(await queuedEmails(t.db, other.user.email)).toEqual([]);
    expect(await queuedEmails(t.db, user.email)).toEqual([]);
  });

  it("takes at most 5 requests per user per hour, with 20 at once", async () => {
    const { user, actor } = await signedIn();
    const wanted = Array.from({ length: 20 }, () => uniqueEmail("burst"));
    const results = await Promise.all(wanted.map((newEmail) => requestEmailChange(t.db, actor, { newEmail, stepUpChallengeId: null })));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.error === "throttled")).toHaveLength(15);
    const sent = (await Promise.all(wanted.map((w) => queuedEmails(t.db, w)))).flat();
    expect(sent).toHaveLength(5);
    const tokens = await t.db.select().from(emailTokens).where(eq(emailTokens.userId, user.id));
    expect(tokens).toHaveLength(5);
  });

  it("can be cancelled: the link stops working and nothing is pending", async () => {
    const { user, actor } = await signedIn();
    const wanted = uniqueEmail("cancel");
    await requestEmailChange(t.db, actor, { newEmail: wanted, stepUpChallengeId: null });
    const token = tokenOf(await latestQueued(t.db, wanted, "change_email"));
    expect(await cancelEmailChange(t.db, actor)).toBe(true);
    expect(await pendingEmailChange(t.db, user.id)).toBeNull();
    expect(await confirmEmailChange(t.db, { token })).toEqual({ ok: false, error: "used" });
    expect((await emailOf(user.id)).email).toBe(user.email);
    expect(await cancelEmailChange(t.db, actor)).toBe(false);
  });
});

describe("confirming the new address", () => {
  it("switches the address, marks it verified, tells the old address, ends the other sessions and voids reset links", async () => {
    const { user, actor, here, elsewhere } = await signedIn();
    const resetIp = { ip: "10.9.9.9", userAgent: null };
    expect(await requestPasswordReset(t.db, { email: user.email, info: resetIp })).toBe("queued");
    const resetToken = tokenOf(await latestQueued(t.db, user.email, "password_reset"));
    const wanted = uniqueEmail("confirmed");
    await requestEmailChange(t.db, actor, { newEmail: wanted, stepUpChallengeId: null });
    const token = tokenOf(await latestQueued(t.db, wanted, "change_email"));
    expect(await findEmailChangeLink(t.db, token)).toEqual({ ok: true, newEmail: wanted, currentEmail: user.email });

    const result = await confirmEmailChange(t.db, { token, sessionId: here, info });
    expect(result).toEqual({ ok: true, userId: user.id, email: wanted, otherSessionsEnded: 1, keptSession: true });
    const row = await emailOf(user.id);
    expect(row.email).toBe(wanted);
    expect(row.emailVerifiedAt).not.toBeNull();
    expect(await revoked(here)).toBe(false);
    expect(await revoked(elsewhere)).toBe(true);
    expect(await findResetLink(t.db, resetToken)).toEqual({ ok: false, problem: "used" });

    const notice = await latestQueued(t.db, user.email, "security_notice");
    expect(notice.props).toMatchObject({
      kind: "email_changed",
      name: user.name,
      origin: { browser: "Chrome on macOS", ip: info.ip },
      detail: { newAddress: `${wanted[0]}•••@example.com` },
      actionLink: "http://localhost:3000/login",
    });
    expect(JSON.stringify(notice.props)).not.toContain(wanted);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, "email.changed")));
    expect(event).toMatchObject({ ip: info.ip, detail: { otherSessionsEnded: 1 } });
    // Once: the link does not work again.
    expect(await confirmEmailChange(t.db, { token })).toEqual({ ok: false, error: "used" });
  });

  it("works signed out (the link alone), ending every session of the account", async () => {
    const { user, actor, here, elsewhere } = await signedIn();
    const wanted = uniqueEmail("phone");
    await requestEmailChange(t.db, actor, { newEmail: wanted, stepUpChallengeId: null });
    const token = tokenOf(await latestQueued(t.db, wanted, "change_email"));
    // Another account's session in this browser is not kept, and not touched.
    const stranger = await signedIn();
    const result = await confirmEmailChange(t.db, { token, sessionId: stranger.here });
    expect(result).toMatchObject({ ok: true, otherSessionsEnded: 2, keptSession: false });
    expect(await revoked(here)).toBe(true);
    expect(await revoked(elsewhere)).toBe(true);
    expect(await revoked(stranger.here)).toBe(false);
    expect((await emailOf(user.id)).email).toBe(wanted);
  });

  it("refuses when the address was taken meanwhile, changing nothing and keeping the link", async () => {
    const { user, actor } = await signedIn();
    const wanted = uniqueEmail("contested");
    await requestEmailChange(t.db, actor, { newEmail: wanted, stepUpChallengeId: null });
    const token = tokenOf(await latestQueued(t.db, wanted, "change_email"));
    await makeUser(t.db, { email: wanted });
    expect(await confirmEmailChange(t.db, { token })).toEqual({ ok: false, error: "address_taken" });
    expect((await emailOf(user.id)).email).toBe(user.email);
    expect(await queuedEmails(t.db, user.email)).toEqual([]);
    expect((await findEmailChangeLink(t.db, token)).ok).toBe(true);
  });

  it("gives one address to one account when two confirm it at once (the unique index decides)", async () => {
    const a = await signedIn();
    const b = await signedIn();
    const wanted = uniqueEmail("race");
    // Both asked before either confirmed: the address was free then, so both links went out.
    await requestEmailChange(t.db, a.actor, { newEmail: wanted, stepUpChallengeId: null });
    await requestEmailChange(t.db, b.actor, { newEmail: wanted, stepUpChallengeId: null });
    const links = (await queuedEmails(t.db, wanted)).filter((m) => m.template === "change_email").map((m) => tokenOf(m));
    expect(links).toHaveLength(2);
    const results = await Promise.all(links.map((token) => confirmEmailChange(t.db, { token })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, error: "address_taken" });
    const owners = await t.db.select().from(users).where(eq(users.email, wanted));
    expect(owners).toHaveLength(1);
  });

  it("refuses an expired link (24 hours), a reset link and a verification link", async () => {
    const { user, actor } = await signedIn();
    const wanted = uniqueEmail("late");
    const then = new Date(Date.now() - 25 * 3_600_000);
    const { token } = await issueEmailToken(t.db, { userId: user.id, purpose: "change_email", email: wanted }, then);
    expect(await confirmEmailChange(t.db, { token })).toEqual({ ok: false, error: "expired" });
    const { token: verify } = await issueEmailToken(t.db, { userId: user.id, purpose: "verify_email", email: user.email });
    const { token: reset } = await issueEmailToken(t.db, { userId: user.id, purpose: "reset_password", email: user.email });
    expect(await confirmEmailChange(t.db, { token: verify })).toEqual({ ok: false, error: "invalid" });
    expect(await confirmEmailChange(t.db, { token: reset })).toEqual({ ok: false, error: "invalid" });
    expect((await emailOf(user.id)).email).toBe(user.email);
    expect(actor.userId).toBe(user.id);
  });

  it("is void once the password changes (a session thief's pending change dies with the new password)", async () => {
    const { user, actor } = await signedIn();
    const wanted = uniqueEmail("thief");
    await requestEmailChange(t.db, actor, { newEmail: wanted, stepUpChallengeId: null });
    const token = tokenOf(await latestQueued(t.db, wanted, "change_email"));
    const changed = await changePassword(t.db, actor, { currentPassword: TEST_PASSWORD, newPassword: "owner takes it back" });
    expect(changed.ok).toBe(true);
    expect(await confirmEmailChange(t.db, { token })).toEqual({ ok: false, error: "used" });
    expect((await emailOf(user.id)).email).toBe(user.email);
  });
});
