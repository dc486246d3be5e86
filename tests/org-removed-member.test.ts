import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, invitations, memberships, organisations } from "@/db/schema";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { claimSession, createSession, findActiveSession } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { ORG_ERRORS, type OrgActor } from "@/lib/org/errors";
import { createInvitation, joinWithInvitation } from "@/lib/org/invitations";
import { createOrganisation } from "@/lib/org/organisation";
import { getTestDb, type TestDb } from "./helpers/db";
import { countAll, makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";
import { outcome, request, formData as fd } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const orgSettings = await import("@/app/(app)/org/settings/actions");
const homeActions = await import("@/app/(app)/actions");
const invite = await import("@/app/(auth)/invite/[token]/actions");
const home = (await import("@/app/(app)/page")).default;
const settingsPage = (await import("@/app/(app)/org/settings/page")).default;
const accountPage = (await import("@/app/(app)/account/page")).default;
const invitePage = (await import("@/app/(auth)/invite/[token]/page")).default;
const { NoOrganisation } = await import("@/app/(app)/_components/no-organisation");
const { CreateOrganisationForm } = await import("@/app/(app)/_components/create-organisation-form");
const { AcceptForm } = await import("@/app/(auth)/invite/[token]/accept-form");
const { JoinForm } = await import("@/app/(auth)/invite/[token]/join-form");

let t: TestDb;
const idle = { status: "idle" } as const;

/** The strings and component types a server-rendered tree carries (function components are not expanded). */
function tree(node: unknown) {
  const seen = new WeakSet<object>();
  const text: string[] = [];
  const types = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (typeof value === "string" || typeof value === "number") text.push(String(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      const element = value as { type?: unknown; props?: Record<string, unknown> };
      if (element.type) types.add(element.type);
      for (const v of Object.values(element.props ?? (value as Record<string, unknown>))) walk(v);
    }
  };
  walk(node);
  return { text: text.join(""), has: (type: unknown) => types.has(type) };
}

/** An organisation with a signed-in admin (the mocked browser) and a member, who is then removed. */
async function removedMember(options: { phone?: string } = {}) {
  const { user: admin, org } = await makeUser(t.db, { role: "admin" });
  const adminSession = await createSession(t.db, { userId: admin.id, mfaState: "not_required", handoff: false });
  const { user, org: own } = await makeUser(t.db, { role: "member", phone: options.phone });
  await t.db.update(memberships).set({ organisationId: org.id }).where(eq(memberships.userId, user.id));
  await t.db.delete(organisations).where(eq(organisations.id, own.id));
  const memberSession = await createSession(t.db, { userId: user.id, mfaState: options.phone ? "verified" : "not_required", handoff: false });
  request.sessionToken = adminSession.token;
  const actor: OrgActor = { userId: admin.id, sessionId: adminSession.session.id, organisationId: org.id };
  // The admin's changes below (removing, inviting) need a fresh step-up; tests/org-step-up.test.ts covers without.
  await grantStepUp(t.db, actor);
  expect(await orgSettings.removeMemberAction(idle, fd({ userId: user.id }))).toMatchObject({ status: "success" });
  return { admin, adminToken: adminSession.token, actor, org, user, oldToken: memberSession.token };
}

/** The removed member signs in again with their password (no second factor) and is the mocked browser. */
async function signBackIn(email: string) {
  const result = await signInWithPassword(t.db, { sms: recordingSms().sender, host: "localhost" }, { email, password: TEST_PASSWORD });
  if (!result.ok) throw new Error(result.error);
  request.sessionToken = result.token;
  return result;
}

const membershipOf = async (userId: string) => (await t.db.select().from(memberships).where(eq(memberships.userId, userId)))[0] ?? null;

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});

beforeEach(() => {
  request.sessionToken = null;
});

afterAll(async () => {
  await t.close();
});

describe("a removed member", () => {
  it("is signed out everywhere at removal, can sign in again, and lands on a clear empty state", async () => {
    const r = await removedMember();
    expect(await findActiveSession(t.db, r.oldToken)).toBeNull();
    await signBackIn(r.user.email);
    const page = tree(await home());
    expect(page.text).toContain("Your account and its sign-in methods are unchanged. Choose how to go on below.");
    expect(page.has(NoOrganisation)).toBe(true);
    const empty = tree(await NoOrganisation({ email: r.user.email }));
    expect(empty.text).toContain("You are no longer part of an organisation");
    expect(empty.text).toContain(`invite ${r.user.email} again`);
    expect(empty.has(CreateOrganisationForm)).toBe(true);
  });

  it("a member of an organisation does not see the empty state", async () => {
    const r = await removedMember();
    request.sessionToken = r.adminToken;
    const page = tree(await home());
    expect(page.has(NoOrganisation)).toBe(false);
    expect(page.text).toContain("You are an admin of Test Org.");
  });

  it("reaches My account, and organisation settings send them home (pages and actions alike)", async () => {
    const r = await removedMember();
    await signBackIn(r.user.email);
    expect(await outcome(() => accountPage())).toHaveProperty("value");
    expect(await outcome(() => settingsPage())).toEqual({ redirect: "/" });
    expect(await outcome(() => orgSettings.renameOrganisationAction(idle, fd({ name: "Taken over" })))).toEqual({ redirect: "/" });
    expect(await outcome(() => orgSettings.createInvitationAction(idle, fd({ email: "x@example.com", role: "admin" })))).toEqual({ redirect: "/" });
    const [org] = await t.db.select().from(organisations).where(eq(organisations.id, r.org.id));
    expect(org.name).toBe("Test Org");
  });
});

describe("starting an organisation of their own", () => {
  it("makes them its admin, is audited, and the home page shows it", async () => {
    const r = await removedMember();
    await signBackIn(r.user.email);
    expect(await outcome(() => homeActions.createOrganisationAction(idle, fd({ name: "  Fresh Start Ltd " })))).toEqual({ redirect: "/org/settings?created=1" });
    const membership = await membershipOf(r.user.id);
    expect(membership).toMatchObject({ role: "admin" });
    const [org] = await t.db.select().from(organisations).where(eq(organisations.id, membership.organisationId));
    expect(org.name).toBe("Fresh Start Ltd");
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, r.user.id), eq(auditEvents.action, "org.created")));
    expect(event).toMatchObject({ organisationId: org.id, detail: { name: "Fresh Start Ltd" } });
    expect(tree(await home()).text).toContain("You are an admin of Fresh Start Ltd.");
  });

  const cases: [string, Record<string, string>, string][] = [
    ["an empty name", { name: "   " }, "Enter the organisation's name."],
    ["no name at all", {}, "Enter the organisation's name."],
    ["a 10 kB name", { name: "x".repeat(10_240) }, "Use at most 100 characters."],
    ["a name with a line break", { name: "Acme\nEvil" }, "Use a name without line breaks or control characters."],
  ];
  for (const [label, values, message] of cases) {
    it(`refuses ${label} at the field and creates nothing`, async () => {
      const r = await removedMember();
      await signBackIn(r.user.email);
      const before = await countAll(t.db);
      expect(await homeActions.createOrganisationAction(idle, fd(values))).toEqual({ status: "error", fieldErrors: { name: message } });
      expect(await countAll(t.db)).toEqual(before);
    });
  }

  it("is refused to someone who already belongs to an organisation, and creates nothing", async () => {
    const r = await removedMember();
    request.sessionToken = r.adminToken;
    const before = await countAll(t.db);
    expect(await homeActions.createOrganisationAction(idle, fd({ name: "Second Org" }))).toEqual({
      status: "error",
      message: ORG_ERRORS.already_in_organisation,
    });
    expect(await countAll(t.db)).toEqual(before);
  });

  it("needs a signed-in session", async () => {
    const before = await countAll(t.db);
    expect(await outcome(() => homeActions.createOrganisationAction(idle, fd({ name: "Anon Org" })))).toEqual({ redirect: "/login" });
    expect(await countAll(t.db)).toEqual(before);
  });

  it("a double submit makes one organisation", async () => {
    const r = await removedMember();
    const results = await Promise.all([
      createOrganisation(t.db, r.user.id, "Twice A"),
      createOrganisation(t.db, r.user.id, "Twice B"),
    ]);
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    expect(results.find((x) => !x.ok)).toEqual({ ok: false, error: "already_in_organisation" });
    const orgs = await t.db.select().from(organisations).where(eq(organisations.name, "Twice A"));
    const orgsB = await t.db.select().from(organisations).where(eq(organisations.name, "Twice B"));
    expect(orgs.length + orgsB.length).toBe(1);
  });
});

describe("rejoining by invitation", () => {
  async function invitedBack(role: "admin" | "member" = "member") {
    const r = await removedMember();
    request.sessionToken = r.adminToken;
    const created = await orgSettings.createInvitationAction(idle, fd({ email: r.user.email, role }));
    if (created.status !== "created") throw new Error(JSON.stringify(created));
    return { ...r, token: created.link.split("/invite/")[1] };
  }

  it("an admin may invite the removed member's email again", async () => {
    const r = await invitedBack();
    const [row] = await t.db.select().from(invitations).where(eq(invitations.tokenHash, sha256(r.token)));
    expect(row).toMatchObject({ email: r.user.email, organisationId: r.org.id, acceptedAt: null });
  });

  it("signed out, the invitation page asks them to sign in (not to create a second account)", async () => {
    const r = await invitedBack();
    request.sessionToken = null;
    const page = tree(await invitePage({ params: Promise.resolve({ token: r.token }) }));
    expect(page.text).toContain(`You already have an account for ${r.user.email}.`);
    expect(page.text).toContain("Sign in to join");
    expect(page.text).toContain(`/login?callbackUrl=${encodeURIComponent(`/invite/${r.token}`)}`);
    expect(page.has(AcceptForm)).toBe(false);
    // The new-account form refuses the email too, and the invitation stays usable.
    expect(await invite.acceptInvitationAction(idle, fd({ token: r.token, name: "Again", password: "another passphrase" }))).toMatchObject({
      status: "error",
      message: ORG_ERRORS.email_taken,
    });
  });

  it("signed in, they join with one click into the invited role, keep their session, and it is audited", async () => {
    const r = await invitedBack("admin");
    const signedIn = await signBackIn(r.user.email);
    const joinPage = tree(await invitePage({ params: Promise.resolve({ token: r.token }) }));
    expect(joinPage.has(JoinForm)).toBe(true);
    expect(joinPage.text).toContain(`You are signed in as ${r.user.email}.`);
    expect(joinPage.text).toContain("Not you? Sign out");
    expect(await outcome(() => invite.joinWithInvitationAction(idle, fd({ token: r.token })))).toEqual({ redirect: "/" });
    expect(await membershipOf(r.user.id)).toMatchObject({ organisationId: r.org.id, role: "admin" });
    const [row] = await t.db.select().from(invitations).where(eq(invitations.tokenHash, sha256(r.token)));
    expect(row.acceptedAt).not.toBeNull();
    expect(await findActiveSession(t.db, signedIn.token)).toMatchObject({ organisation: { id: r.org.id }, membership: { role: "admin" } });
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, r.user.id), eq(auditEvents.action, "org.invitation_accepted")));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ organisationId: r.org.id, detail: { role: "admin", existingAccount: true } });
    expect(JSON.stringify(events)).not.toContain(r.token);
    // The link is used up.
    expect(await invite.joinWithInvitationAction(idle, fd({ token: r.token }))).toEqual({ status: "error", message: ORG_ERRORS.invitation_used });
  });

  it("into an organisation that requires MFA, a member without it goes straight to setup", async () => {
    const r = await invitedBack();
    await t.db.update(organisations).set({ mfaRequired: true }).where(eq(organisations.id, r.org.id));
    await signBackIn(r.user.email);
    expect(await outcome(() => invite.joinWithInvitationAction(idle, fd({ token: r.token })))).toEqual({ redirect: "/account/mfa-setup" });
    expect(await outcome(() => home())).toEqual({ redirect: "/account/mfa-setup" });
  });

  it("an invitation for another email is refused and stays unused", async () => {
    const r = await invitedBack();
    const other = await removedMember();
    await signBackIn(other.user.email);
    const before = await countAll(t.db);
    expect(await invite.joinWithInvitationAction(idle, fd({ token: r.token }))).toEqual({ status: "error", message: ORG_ERRORS.invitation_other_account });
    expect(await countAll(t.db)).toEqual(before);
    const [row] = await t.db.select().from(invitations).where(eq(invitations.tokenHash, sha256(r.token)));
    expect(row.acceptedAt).toBeNull();
    // The page does not offer the button to the wrong account either.
    expect(tree(await invitePage({ params: Promise.resolve({ token: r.token }) })).has(JoinForm)).toBe(false);
  });

  it("someone who started an organisation since is told an account has one organisation, and the invitation stays unused", async () => {
    const r = await invitedBack();
    await signBackIn(r.user.email);
    await createOrganisation(t.db, r.user.id, "Meanwhile Ltd");
    expect(await invite.joinWithInvitationAction(idle, fd({ token: r.token }))).toEqual({ status: "error", message: ORG_ERRORS.already_in_organisation });
    expect(tree(await invitePage({ params: Promise.resolve({ token: r.token }) })).text).toContain(ORG_ERRORS.already_in_organisation);
    const [row] = await t.db.select().from(invitations).where(eq(invitations.tokenHash, sha256(r.token)));
    expect(row.acceptedAt).toBeNull();
  });

  it("bad tokens get a clear message and change nothing", async () => {
    const r = await invitedBack();
    await signBackIn(r.user.email);
    const before = await countAll(t.db);
    for (const bad of ["", "x".repeat(100_000), `${r.token.slice(0, -1)}!`, (r.token[0] === "A" ? "B" : "A") + r.token.slice(1)]) {
      expect(await invite.joinWithInvitationAction(idle, fd({ token: bad }))).toEqual({ status: "error", message: ORG_ERRORS.invitation_invalid });
    }
    expect(await countAll(t.db)).toEqual(before);
    expect(await membershipOf(r.user.id)).toBeNull();
  });

  it("needs a fully signed-in session", async () => {
    const r = await invitedBack();
    request.sessionToken = null;
    expect(await outcome(() => invite.joinWithInvitationAction(idle, fd({ token: r.token })))).toEqual({ redirect: "/login" });
    expect(await membershipOf(r.user.id)).toBeNull();
  });

  it("a session still waiting for its second factor cannot join", async () => {
    const r = await removedMember({ phone: "+31612340001" });
    const created = await createInvitation(t.db, r.actor, { email: r.user.email, role: "member" });
    if (!created.ok) throw new Error(created.error);
    const pending = await signInWithPassword(t.db, { sms: recordingSms().sender, host: "localhost" }, { email: r.user.email, password: TEST_PASSWORD });
    if (!pending.ok) throw new Error(pending.error);
    await claimSession(t.db, pending.token);
    request.sessionToken = pending.token;
    expect(await outcome(() => invite.joinWithInvitationAction(idle, fd({ token: created.token })))).toEqual({ redirect: "/login/verify" });
    expect(await membershipOf(r.user.id)).toBeNull();
  });

  it("joining and starting an organisation at the same moment leave one membership", async () => {
    const r = await invitedBack();
    const results = await Promise.all([
      joinWithInvitation(t.db, { token: r.token, userId: r.user.id }),
      createOrganisation(t.db, r.user.id, "Racing Ltd"),
    ]);
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    expect(await t.db.select().from(memberships).where(eq(memberships.userId, r.user.id))).toHaveLength(1);
  });
});
