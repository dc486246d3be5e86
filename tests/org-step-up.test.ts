import "./helpers/mock-next";
import { and, desc, eq, inArray } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, invitations, memberships, mfaFactors, organisations, smsMessages, users } from "@/db/schema";
import { listUserEvents } from "@/lib/audit/events";
import { createSession } from "@/lib/auth/sessions";
import { ORG_ERRORS, type OrgActor } from "@/lib/org/errors";
import { createInvitation } from "@/lib/org/invitations";
import { changeMemberRole, removeMember, resetMemberMfa } from "@/lib/org/members";
import { setMfaMethods, setMfaRequirement } from "@/lib/org/mfa-settings";
import { type OrgOperation, STEP_UP_OPERATIONS } from "@/lib/org/permissions";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";
import { request, formData as fd } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

const org = await import("@/app/(app)/org/settings/actions");
const mfa = await import("@/app/(app)/account/mfa-actions");
const methods = await import("@/app/(app)/account/methods-actions");
const { ActivityCard } = await import("@/app/(app)/account/_components/activity-card");

/**
 * Sudo mode for admin changes to who can get in (lib/org/permissions.ts `stepUp`; ASVS 5.0 7.5.1, NIST SP
 * 800-63B 4.6): inviting, changing a role, removing a member, resetting a member's MFA and changing the MFA
 * policy need the admin's password AND, when they have one, a second factor, proven in this session within
 * the last 10 minutes. A stolen admin cookie alone must not be enough to invite an attacker as admin.
 */

let t: TestDb;
const idle = { status: "idle" } as const;
const REFUSED = { status: "error", message: ORG_ERRORS.step_up_required, stepUp: true };
const MINUTE = 60_000;
let phones = 0;
const phone = () => `+3161234${String(++phones).padStart(4, "0")}`;

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await t.close();
});

/** Someone in the organisation, with a phone when `withPhone`, and a signed-in session. */
async function join(organisationId: string, role: "admin" | "member", name: string, withPhone = true) {
  const { user, org: own } = await makeUser(t.db, { role, phone: withPhone ? phone() : undefined, email: uniqueEmail(name.split(" ")[0].toLowerCase()) });
  await t.db.update(users).set({ name }).where(eq(users.id, user.id));
  await t.db.update(memberships).set({ organisationId }).where(eq(memberships.userId, user.id));
  await t.db.delete(organisations).where(eq(organisations.id, own.id));
  const { token, session } = await createSession(t.db, { userId: user.id, mfaState: withPhone ? "verified" : "not_required", handoff: false });
  return { id: user.id, name, email: user.email, phone: (await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, user.id)))[0]?.phone ?? null, token, sessionId: session.id };
}

/**
 * An organisation whose admin Ada (a phone as her factor, unless `adminFactor` is false) is the mocked
 * browser, signed in here and in a second session elsewhere, with a member Max who has a phone too.
 */
async function freshOrg({ adminFactor = true } = {}) {
  const [o] = await t.db.insert(organisations).values({ name: "Step-up Org" }).returning();
  const admin = await join(o.id, "admin", "Ada Admin", adminFactor);
  const elsewhere = await createSession(t.db, { userId: admin.id, mfaState: adminFactor ? "verified" : "not_required", handoff: false });
  const member = await join(o.id, "member", "Max Member");
  request.sessionToken = admin.token;
  const actor: OrgActor = { userId: admin.id, sessionId: admin.sessionId, organisationId: o.id };
  return { org: o, admin, member, actor, elsewhereId: elsewhere.session.id };
}
type Org = Awaited<ReturnType<typeof freshOrg>>;

const roleOf = async (userId: string) => (await t.db.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, userId)))[0]?.role ?? null;
const orgRow = async (id: string) => (await t.db.select().from(organisations).where(eq(organisations.id, id)))[0];
const orgEvents = async (id: string) => (await t.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.organisationId, id))).map((e) => e.action);

/** The password re-entered in the session the browser carries, through the step-up dialog's own action. */
const confirmPassword = async () => expect(await mfa.confirmPasswordAction(fd({ password: TEST_PASSWORD }))).toEqual({ status: "ok" });

/** The dialog's second step through its own actions: a code texted to the admin's phone, checked. */
async function proveWithTextedCode(to: string) {
  const sent = await mfa.sendStepUpCodeAction();
  if (sent.status !== "sent") throw new Error(JSON.stringify(sent));
  const [message] = await t.db.select().from(smsMessages).where(eq(smsMessages.to, to)).orderBy(desc(smsMessages.createdAt)).limit(1);
  const code = /(\d{6})/.exec(message?.body ?? "")?.[1] ?? "";
  expect(await methods.checkStepUpAction(fd({ challengeId: sent.challengeId, method: "sms", code }))).toEqual({ status: "verified" });
}

/** Each change behind the step-up: its action as the browser sends it, and whether it happened. */
const CHANGES: { operation: OrgOperation; what: string; run: (o: Org) => Promise<unknown>; happened: (o: Org) => Promise<boolean> }[] = [
  {
    operation: "invitations.create",
    what: "inviting someone as an admin",
    run: () => org.createInvitationAction(idle, fd({ email: "new-admin@example.com", role: "admin" })),
    happened: async (o) => (await t.db.select().from(invitations).where(eq(invitations.organisationId, o.org.id))).length > 0,
  },
  {
    operation: "members.change_role",
    what: "making a member an admin",
    run: (o) => org.changeRoleAction(idle, fd({ userId: o.member.id, role: "admin" })),
    happened: async (o) => (await roleOf(o.member.id)) === "admin",
  },
  {
    operation: "members.remove",
    what: "removing a member",
    run: (o) => org.removeMemberAction(idle, fd({ userId: o.member.id })),
    happened: async (o) => (await roleOf(o.member.id)) === null,
  },
  {
    operation: "members.reset_mfa",
    what: "resetting a member's MFA",
    run: (o) => org.resetMemberMfaAction(idle, fd({ userId: o.member.id })),
    happened: async (o) => (await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, o.member.id))).length === 0,
  },
  {
    operation: "mfa_policy.change",
    what: "requiring MFA for everyone",
    run: () => org.setMfaRequirementAction(idle, fd({ required: "on" })),
    happened: async (o) => (await orgRow(o.org.id)).mfaRequired,
  },
  {
    operation: "mfa_policy.change",
    what: "allowing authenticator apps only",
    run: () => org.setMfaMethodsAction(idle, fd({ methods: "totp_only" })),
    happened: async (o) => (await orgRow(o.org.id)).mfaMethods === "totp_only",
  },
];

it("covers every operation the permission table puts behind a step-up", () => {
  expect(new Set(CHANGES.map((c) => c.operation))).toEqual(new Set(STEP_UP_OPERATIONS));
});

for (const change of CHANGES) {
  describe(change.what, () => {
    /** Refused with "Confirm it is you first.", and nothing of the organisation happened or was recorded. */
    async function expectRefused(o: Org) {
      expect(await change.run(o)).toEqual(REFUSED);
      expect(await change.happened(o)).toBe(false);
      expect((await orgEvents(o.org.id)).filter((a) => a.startsWith("org."))).toEqual([]);
    }

    it(`refuses ${change.what} on the password alone when the admin has a factor`, async () => {
      const o = await freshOrg();
      await confirmPassword();
      await expectRefused(o);
    });

    it(`refuses ${change.what} once the step-up is more than 10 minutes old`, async () => {
      const o = await freshOrg();
      await grantStepUp(t.db, o.actor, new Date(Date.now() - 10 * MINUTE - 1_000));
      await expectRefused(o);
    });

    it(`refuses ${change.what} on a step-up proven in another session of the admin`, async () => {
      const o = await freshOrg();
      await confirmPassword();
      await grantStepUp(t.db, { userId: o.admin.id, sessionId: o.elsewhereId });
      await expectRefused(o);
    });

    it(`allows ${change.what} with a fresh step-up of this session`, async () => {
      const o = await freshOrg();
      await grantStepUp(t.db, o.actor);
      expect(await change.run(o)).toMatchObject({ status: expect.stringMatching(/^(success|created)$/) });
      expect(await change.happened(o)).toBe(true);
    });
  });
}

describe("the proof", () => {
  it("is the step-up dialog's own: the password, then a texted code; it covers several changes for 10 minutes, then no more", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-05-06T09:00:00Z"));
    const o = await freshOrg();
    await confirmPassword();
    await proveWithTextedCode(o.admin.phone ?? "");
    expect(await org.createInvitationAction(idle, fd({ email: "first@example.com", role: "member" }))).toMatchObject({ status: "created" });
    vi.setSystemTime(new Date("2030-05-06T09:09:30Z"));
    expect(await org.changeRoleAction(idle, fd({ userId: o.member.id, role: "admin" }))).toMatchObject({ status: "success" });
    vi.setSystemTime(new Date("2030-05-06T09:10:01Z"));
    expect(await org.createInvitationAction(idle, fd({ email: "second@example.com", role: "admin" }))).toEqual(REFUSED);
    const invited = await t.db.select({ email: invitations.email }).from(invitations).where(eq(invitations.organisationId, o.org.id));
    expect(invited.map((i) => i.email)).toEqual(["first@example.com"]);
  });

  it("is the password alone for an admin without a factor, and nothing without it", async () => {
    const o = await freshOrg({ adminFactor: false });
    expect(await org.createInvitationAction(idle, fd({ email: "no-proof@example.com", role: "admin" }))).toEqual(REFUSED);
    await confirmPassword();
    expect(await org.createInvitationAction(idle, fd({ email: "with-proof@example.com", role: "admin" }))).toMatchObject({ status: "created" });
    const invited = await t.db.select({ email: invitations.email }).from(invitations).where(eq(invitations.organisationId, o.org.id));
    expect(invited.map((i) => i.email)).toEqual(["with-proof@example.com"]);
  });

  it("is checked before anything is read for the invitation: no step-up, no hint whether an email has an account", async () => {
    const o = await freshOrg();
    expect(await org.createInvitationAction(idle, fd({ email: o.member.email, role: "member" }))).toEqual(REFUSED);
    const outsider = await makeUser(t.db, { role: "admin" });
    expect(await org.createInvitationAction(idle, fd({ email: outsider.user.email, role: "member" }))).toEqual(REFUSED);
  });

  it("is enforced by the domain itself, whoever calls it", async () => {
    const o = await freshOrg();
    await confirmPassword();
    const refused = { ok: false, error: "step_up_required" };
    expect(await createInvitation(t.db, o.actor, { email: "direct@example.com", role: "admin" })).toEqual(refused);
    expect(await changeMemberRole(t.db, o.actor, { userId: o.member.id, role: "admin" })).toEqual(refused);
    expect(await removeMember(t.db, o.actor, { userId: o.member.id })).toEqual(refused);
    expect(await resetMemberMfa(t.db, o.actor, { userId: o.member.id })).toEqual(refused);
    expect(await setMfaRequirement(t.db, o.actor, { required: true })).toEqual(refused);
    expect(await setMfaMethods(t.db, o.actor, { methods: "totp_only" })).toEqual(refused);
    expect(await roleOf(o.member.id)).toBe("member");
    expect((await orgEvents(o.org.id)).filter((a) => a.startsWith("org."))).toEqual([]);
  });
});

describe("an admin's MFA reset by another admin", () => {
  /** The lines of someone's security activity, as My account shows them. */
  // ActivityCard is an async server component (it reads the request's language): awaited, then rendered.
  const activity = async (userId: string) => renderToStaticMarkup(await ActivityCard({ events: await listUserEvents(t.db, userId) }));

  it("reaches every admin: a notice in each admin's own activity naming who reset whom, never a number", async () => {
    const o = await freshOrg();
    const bea = await join(o.org.id, "admin", "Bea Admin");
    const cy = await join(o.org.id, "admin", "Cy Admin", false);
    await grantStepUp(t.db, o.actor);
    expect(await org.resetMemberMfaAction(idle, fd({ userId: bea.id }))).toMatchObject({ status: "success" });

    const notices = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.org.id), eq(auditEvents.action, "org.admin_mfa_reset")));
    expect(notices.map((n) => n.userId).sort()).toEqual([o.admin.id, cy.id].sort());
    for (const notice of notices)
      expect(notice).toMatchObject({
        actorId: o.admin.id,
        detail: { targetName: "Bea Admin", targetEmail: bea.email, actorName: "Ada Admin", actorEmail: o.admin.email },
      });
    // The reset admin has their own event already; members hear nothing.
    const [own] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, bea.id), eq(auditEvents.action, "org.member_mfa_reset")));
    expect(own).toMatchObject({ actorId: o.admin.id });
    expect(await t.db.select().from(auditEvents).where(inArray(auditEvents.userId, [o.member.id]))).toEqual([]);
    expect(JSON.stringify(notices)).not.toContain((bea.phone ?? "").slice(3));

    expect(await activity(cy.id)).toContain(`Ada Admin (${o.admin.email}) reset the multi-factor authentication of admin Bea Admin (${bea.email})`);
    expect(await activity(o.admin.id)).toContain(`You reset the multi-factor authentication of admin Bea Admin (${bea.email})`);
    expect(await activity(bea.id)).toContain("Multi-factor authentication reset by an admin");
  });

  it("a member's MFA reset is not announced to the admins", async () => {
    const o = await freshOrg();
    await join(o.org.id, "admin", "Bea Admin");
    await grantStepUp(t.db, o.actor);
    expect(await org.resetMemberMfaAction(idle, fd({ userId: o.member.id }))).toMatchObject({ status: "success" });
    expect(await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.org.id), eq(auditEvents.action, "org.admin_mfa_reset")))).toEqual([]);
  });
});
