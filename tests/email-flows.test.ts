import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailOutbox, memberships, sessions, smsMessages, users } from "@/db/schema";
import { sha256 } from "@/lib/crypto/tokens";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { completeLoginChallenge } from "@/lib/mfa/sign-in";
import { newDeviceId } from "@/lib/auth/devices";
import { changePassword } from "@/lib/auth/password-change";
import { createSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import type { Actor } from "@/lib/mfa/actor";
import { startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { acceptInvitation, createInvitation, findInvitation, joinWithInvitation, resendInvitation } from "@/lib/org/invitations";
import { getTestDb, type TestDb } from "./helpers/db";
import { linkToken, queuedEmails } from "./helpers/emails";
import { countRows, makeUser, recordingSms, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";
import { grantStepUp } from "./helpers/step-up";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** A signed-in user of `makeUser` with a session, as actions see them. */
async function signedIn(options: Parameters<typeof makeUser>[1] = {}) {
  const made = await makeUser(t.db, options);
  const { session } = await createSession(t.db, { userId: made.user.id, mfaState: "not_required", handoff: false });
  const actor: Actor = { userId: made.user.id, sessionId: session.id, organisationId: made.org.id, reauthenticatedAt: new Date() };
  return { ...made, actor };
}

describe("an address not yet proven", () => {
  it("cannot text a phone number: refused before anything is sent; once proven, the same request sends", async () => {
    const { user, actor } = await signedIn({ emailVerified: false });
    const sms = recordingSms();
    const ctx = { sms: sms.sender, host: "localhost" };
    const before = await countRows(t.db, smsMessages);
    expect(await startSmsEnrollment(t.db, ctx, actor, { phone: "+31612345678" })).toEqual({ ok: false, error: "email_unverified" });
    expect(sms.sent).toHaveLength(0);
    expect(await countRows(t.db, smsMessages)).toBe(before);
    await t.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
    expect(await startSmsEnrollment(t.db, ctx, actor, { phone: "+31612345678" })).toMatchObject({ ok: true });
    expect(sms.sent).toHaveLength(1);
  });

  it("cannot invite anyone, even with a fresh step-up; nothing is created or emailed", async () => {
    const { actor } = await signedIn({ emailVerified: false, role: "admin" });
    await grantStepUp(t.db, actor);
    const before = await countRows(t.db, emailOutbox);
    const orgActor = { ...actor, organisationId: actor.organisationId ?? "" };
    expect(await createInvitation(t.db, orgActor, { email: "new@example.com", role: "member" })).toEqual({ ok: false, error: "email_unverified" });
    expect(await countRows(t.db, emailOutbox)).toBe(before);
  });
});

describe("invitations by email", () => {
  async function admin() {
    const made = await signedIn({ role: "admin" });
    await t.db.update(users).set({ name: "Iris Inviter" }).where(eq(users.id, made.user.id));
    await grantStepUp(t.db, made.actor);
    return { ...made, orgActor: { ...made.actor, organisationId: made.org.id } };
  }

  it("emails the invitation, naming the organisation and the admin, with the link that opens it", async () => {
    const { orgActor } = await admin();
    const to = uniqueEmail("invitee");
    const created = await createInvitation(t.db, orgActor, { email: to, role: "admin" });
    if (!created.ok) throw new Error(created.error);
    expect(created.emailed).toBe(true);
    const [email] = await queuedEmails(t.db, to);
    expect(email).toMatchObject({ template: "invitation", userId: null, props: { organisation: "Test Org", inviter: "Iris Inviter", role: "admin" } });
    expect(email.props.link).toBe(`http://localhost:3000/invite/${created.token}`);
    expect(await findInvitation(t.db, created.token)).toMatchObject({ ok: true, email: to });
  });

  it("Resend makes a new link and voids the old; three emails an invitation an hour however many clicks at once", async () => {
    const { orgActor } = await admin();
    const to = uniqueEmail("resend");
    const created = await createInvitation(t.db, orgActor, { email: to, role: "member" });
    if (!created.ok) throw new Error(created.error);
    const results = await Promise.all(Array.from({ length: 10 }, () => resendInvitation(t.db, orgActor, created.invitationId)));
    const sent = results.filter((r) => r.ok);
    expect(sent).toHaveLength(2);
    expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 8 }, () => ({ ok: false, error: "throttled" })));
    const emails = (await queuedEmails(t.db, to)).filter((m) => m.template === "invitation");
    expect(emails).toHaveLength(3);
    // Only the newest link works; the refused resends changed nothing.
    const newest = await linkToken(t.db, to, "invitation");
    expect(await findInvitation(t.db, newest)).toMatchObject({ ok: true });
    expect(await findInvitation(t.db, created.token)).toMatchObject({ ok: false, error: "invitation_invalid" });
  });

  it("Resend of an invitation of another organisation is refused like an unknown one", async () => {
    const a = await admin();
    const b = await admin();
    const created = await createInvitation(t.db, a.orgActor, { email: uniqueEmail(), role: "member" });
    if (!created.ok) throw new Error(created.error);
    expect(await resendInvitation(t.db, b.orgActor, created.invitationId)).toEqual({ ok: false, error: "invitation_not_found" });
  });

  it("accepting proves the address it was sent to; so does joining with an existing account", async () => {
    const { orgActor } = await admin();
    const to = uniqueEmail("accept");
    const created = await createInvitation(t.db, orgActor, { email: to, role: "member" });
    if (!created.ok) throw new Error(created.error);
    const accepted = await acceptInvitation(t.db, { token: created.token, name: "New Person", password: "a fresh passphrase" });
    if (!accepted.ok) throw new Error(accepted.error);
    expect((await t.db.select().from(users).where(eq(users.id, accepted.userId)))[0].emailVerifiedAt).toBeInstanceOf(Date);

    const existing = await makeUser(t.db, { emailVerified: false });
    await t.db.delete(memberships).where(eq(memberships.userId, existing.user.id));
    const again = await createInvitation(t.db, orgActor, { email: existing.user.email, role: "member" });
    if (!again.ok) throw new Error(again.error);
    expect(await joinWithInvitation(t.db, { token: again.token, userId: existing.user.id })).toMatchObject({ ok: true });
    expect((await t.db.select().from(users).where(eq(users.id, existing.user.id)))[0].emailVerifiedAt).toBeInstanceOf(Date);
  });
});

describe("security notices", () => {
  const notices = async (to: string) => (await queuedEmails(t.db, to)).filter((m) => m.template === "security_notice");

  it("a password change is told to the owner, with when and from which browser, and a way out if it was not them", async () => {
    const { user, actor } = await signedIn();
    const info = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Chrome/131.0 Safari/537.36" };
    const result = await changePassword(t.db, actor, { currentPassword: TEST_PASSWORD, newPassword: "another long passphrase", info });
    expect(result).toMatchObject({ ok: true });
    const [notice] = await notices(user.email);
    expect(notice.props).toMatchObject({
      name: "Test User",
      kind: "password_changed",
      origin: { browser: "Chrome on macOS", ip: "203.0.113.7" },
      actionLink: "http://localhost:3000/forgot-password",
    });
    expect(Date.now() - new Date(String(notice.props.at)).getTime()).toBeLessThan(60_000);
  });

  it("a refused change is not told (nothing changed)", async () => {
    const { user, actor } = await signedIn();
    await changePassword(t.db, actor, { currentPassword: "not the password", newPassword: "another long passphrase" });
    expect(await notices(user.email)).toEqual([]);
  });

  it("a sign-in from a browser new to the account is told once; the same browser again is not", async () => {
    const { user } = await makeUser(t.db);
    const ctx = { sms: recordingSms().sender, host: "localhost" };
    const deviceId = newDeviceId();
    const info = { ip: "198.51.100.4", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0" };
    for (let i = 0; i < 3; i++) expect(await signInWithPassword(t.db, ctx, { email: user.email, password: TEST_PASSWORD, deviceId }, info)).toMatchObject({ ok: true });
    const told = await notices(user.email);
    expect(told).toHaveLength(1);
    expect(told[0].props).toMatchObject({ kind: "new_browser_sign_in", origin: { browser: "Firefox on Windows", ip: "198.51.100.4" } });
    // A wrong password is no sign-in: nothing is told.
    await signInWithPassword(t.db, ctx, { email: user.email, password: "wrong password", deviceId: newDeviceId() }, info);
    expect(await notices(user.email)).toHaveLength(1);
  });

  it("a sign-in without a device id is told every time: leaving the cookie out does not keep it quiet", async () => {
    const { user } = await makeUser(t.db);
    const ctx = { sms: recordingSms().sender, host: "localhost" };
    for (let i = 0; i < 2; i++) await signInWithPassword(t.db, ctx, { email: user.email, password: TEST_PASSWORD }, {});
    expect((await notices(user.email)).map((n) => n.props.kind)).toEqual(["new_browser_sign_in", "new_browser_sign_in"]);
  });

  it("a sign-in finished with a code is told once per new browser, in the same statement as the sign-in", async () => {
    const { user, org } = await makeUser(t.db, { phone: "+31612345679" });
    const sms = recordingSms();
    const deviceId = newDeviceId();
    const info = { ip: "192.0.2.44", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1" };
    for (let i = 0; i < 2; i++) {
      const pending = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost" }, { email: user.email, password: TEST_PASSWORD, deviceId }, info);
      if (!pending.ok || pending.mfaState !== "pending") throw new Error("expected a pending sign-in");
      const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(pending.token)));
      const challenge = await findOpenChallenge(t.db, session.id, "login");
      if (!challenge) throw new Error("no challenge");
      // Nothing is told before the second factor is proven.
      if (i === 0) expect(await notices(user.email)).toEqual([]);
      const done = await completeLoginChallenge(t.db, { sessionId: session.id, userId: user.id, organisationId: org.id }, { challengeId: challenge.id, code: sms.lastCode(), deviceId, info });
      expect(done).toMatchObject({ ok: true });
    }
    const told = await notices(user.email);
    expect(told.map((n) => n.props)).toEqual([expect.objectContaining({ kind: "new_browser_sign_in", origin: { browser: "Safari on iOS", ip: "192.0.2.44" } })]);
  });
});

describe("the organisation's requirement", () => {
  it("turned on is told to each member without MFA, with the deadline of a grace period; members with MFA are not told", async () => {
    const { setMfaRequirement } = await import("@/lib/org/mfa-settings");
    const admin = await makeUser(t.db, { role: "admin", phone: "+31612340001" });
    const without = await makeUser(t.db);
    const withMfa = await makeUser(t.db, { phone: "+31612340002" });
    await t.db.update(memberships).set({ organisationId: admin.org.id }).where(eq(memberships.userId, without.user.id));
    await t.db.update(memberships).set({ organisationId: admin.org.id }).where(eq(memberships.userId, withMfa.user.id));
    const { session } = await createSession(t.db, { userId: admin.user.id, mfaState: "verified", handoff: false });
    const orgActor = { userId: admin.user.id, sessionId: session.id, organisationId: admin.org.id };
    await grantStepUp(t.db, orgActor);
    const now = new Date();
    const deadline = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 14));
    const result = await setMfaRequirement(t.db, orgActor, { required: true, enforceFrom: deadline, now });
    expect(result).toMatchObject({ ok: true, change: "turned_on" });
    const notices = async (to: string) => (await queuedEmails(t.db, to)).filter((m) => m.template === "security_notice");
    expect((await notices(without.user.email)).map((n) => n.props)).toEqual([
      expect.objectContaining({ kind: "org_requires_mfa", detail: { organisation: "Test Org", from: deadline.toISOString() } }),
    ]);
    expect(await notices(withMfa.user.email)).toEqual([]);
    expect(await notices(admin.user.email)).toEqual([]);
  });
});
