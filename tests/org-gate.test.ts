import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, memberships, organisations, sessions, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import { hasFreshStepUp } from "@/lib/mfa/step-up";
import { ORG_ERRORS } from "@/lib/org/errors";
import { getTestDb, type TestDb } from "./helpers/db";
import { outcome, request, formData as fd } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const org = await import("@/app/(app)/org/settings/actions");
const mfa = await import("@/app/(app)/account/mfa-actions");
const account = await import("@/app/(app)/account/actions");
const pages = {
  home: (await import("@/app/(app)/page")).default,
  account: (await import("@/app/(app)/account/page")).default,
  settings: (await import("@/app/(app)/org/settings/page")).default,
  mfaSetup: (await import("@/app/(app)/account/mfa-setup/page")).default,
  appLayout: (await import("@/app/(app)/layout")).default,
};
const { getCurrentSession, requireSession } = await import("@/lib/auth/dal");

let t: TestDb;
const PASSWORD = "right-password-1";
const idle = { status: "idle" } as const;
const people = { orgId: "", adminToken: "", adminSessionId: "", adminId: "", memberToken: "", memberId: "" };

const admin = () => ({ userId: people.adminId, sessionId: people.adminSessionId });

async function orgRow() {
  const [row] = await t.db.select().from(organisations).where(eq(organisations.id, people.orgId));
  return row;
}

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  const [o] = await t.db.insert(organisations).values({ name: "Gate Org" }).returning();
  people.orgId = o.id;
  const hash = await hashPassword(PASSWORD);
  // The admin already uses MFA, so turning the requirement on does not hold them up.
  const [admin] = await t.db.insert(users).values({ name: "Admin", email: "gate-admin@example.com", passwordHash: hash, mfaEnabled: true }).returning();
  const [member] = await t.db.insert(users).values({ name: "Member", email: "gate-member@example.com", passwordHash: hash }).returning();
  await t.db.insert(memberships).values([
    { userId: admin.id, organisationId: o.id, role: "admin" },
    { userId: member.id, organisationId: o.id, role: "member" },
  ]);
  const a = await createSession(t.db, { userId: admin.id, mfaState: "verified", handoff: false });
  people.adminToken = a.token;
  people.adminSessionId = a.session.id;
  people.adminId = admin.id;
  people.memberToken = (await createSession(t.db, { userId: member.id, mfaState: "not_required", handoff: false })).token;
  people.memberId = member.id;
});

afterAll(async () => {
  await t.close();
});

describe("turning the requirement on and off", () => {
  it("needs a fresh step-up: without one it is refused and changes nothing; a bad value is refused at the field", async () => {
    request.sessionToken = people.adminToken;
    const before = await orgRow();
    expect(await org.setMfaRequirementAction(idle, fd({ required: "on" }))).toEqual({ status: "error", message: ORG_ERRORS.step_up_required, stepUp: true });
    // A password in the form is no proof: the step-up is the dialog's, stored in the session.
    expect(await org.setMfaRequirementAction(idle, fd({ required: "on", password: PASSWORD }))).toMatchObject({ stepUp: true });
    await grantStepUp(t.db, admin());
    expect(await org.setMfaRequirementAction(idle, fd({ required: "maybe" }))).toEqual({ status: "error", fieldErrors: { required: "Choose on or off." } });
    expect(await orgRow()).toEqual(before);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.organisationId, people.orgId))).toEqual([]);
  });

  it("the member is not held before the change", async () => {
    request.sessionToken = people.memberToken;
    expect(await outcome(() => pages.home())).toHaveProperty("value");
  });

  it("on: the member's very next request is sent to MFA setup (no new sign-in needed)", async () => {
    request.sessionToken = people.adminToken;
    expect(await org.setMfaRequirementAction(idle, fd({ required: "on" }))).toMatchObject({ status: "success" });
    const row = await orgRow();
    expect(row.mfaRequired).toBe(true);
    expect(row.mfaRequiredAt).toBeInstanceOf(Date);

    request.sessionToken = people.memberToken;
    expect(await outcome(() => requireSession())).toEqual({ redirect: "/account/mfa-setup" });
    expect(await outcome(() => pages.home())).toEqual({ redirect: "/account/mfa-setup" });
    expect(await outcome(() => pages.account())).toEqual({ redirect: "/account/mfa-setup" });
    expect(await outcome(() => pages.settings())).toEqual({ redirect: "/account/mfa-setup" });
  });

  it("writes an audit event naming the admin and how many members lack MFA, with no password", async () => {
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organisationId, people.orgId), eq(auditEvents.action, "org.mfa_required")));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: people.adminId, detail: { membersWithoutMfa: 1 } });
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it("does not spend the admin's step-up: it still holds for the next change within the 10 minutes", async () => {
    const [row] = await t.db.select().from(sessions).where(eq(sessions.id, people.adminSessionId));
    expect(row.reauthenticatedAt).toBeInstanceOf(Date);
    expect(await hasFreshStepUp(t.db, admin(), new Date())).toBe(true);
  });

  it("the held member can still reach setup, the app shell, and My account's MFA registration actions", async () => {
    request.sessionToken = people.memberToken;
    expect(await outcome(() => pages.mfaSetup({ searchParams: Promise.resolve({}) }))).toHaveProperty("value");
    expect(await outcome(() => pages.appLayout({ children: null }))).toHaveProperty("value");
    expect(await mfa.confirmPasswordAction(fd({ password: PASSWORD }))).toEqual({ status: "ok" });
    const current = await getCurrentSession();
    expect(current?.session.reauthenticatedAt).toBeInstanceOf(Date);
  });

  it("the held member's other server actions are refused", async () => {
    request.sessionToken = people.memberToken;
    expect(await outcome(() => account.revokeOtherSessionsAction())).toEqual({ redirect: "/account/mfa-setup" });
    expect(await outcome(() => account.changePasswordAction({ status: "idle" }, fd({ currentPassword: PASSWORD, newPassword: "another-password-2" })))).toEqual({
      redirect: "/account/mfa-setup",
    });
    const [row] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, people.memberId));
    const { verifyPassword } = await import("@/lib/auth/password");
    expect(await verifyPassword(PASSWORD, row.hash)).toBe(true);
  });

  it("turning it on again changes nothing and writes no second event", async () => {
    request.sessionToken = people.adminToken;
    const before = await orgRow();
    expect(await org.setMfaRequirementAction(idle, fd({ required: "on" }))).toMatchObject({ status: "success" });
    expect(await orgRow()).toEqual(before);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "org.mfa_required"));
    expect(events).toHaveLength(1);
  });

  it("off needs a fresh step-up too, and lets the member through from their next request", async () => {
    request.sessionToken = people.adminToken;
    await grantStepUp(t.db, admin(), new Date(Date.now() - 11 * 60_000));
    expect(await org.setMfaRequirementAction(idle, fd({ required: "off" }))).toMatchObject({ status: "error", stepUp: true });
    expect((await orgRow()).mfaRequired).toBe(true);
    await grantStepUp(t.db, admin());
    expect(await org.setMfaRequirementAction(idle, fd({ required: "off" }))).toMatchObject({ status: "success" });
    const row = await orgRow();
    expect(row.mfaRequired).toBe(false);
    expect(row.mfaRequiredAt).toBeNull();
    const off = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "org.mfa_not_required"));
    expect(off).toHaveLength(1);

    request.sessionToken = people.memberToken;
    expect(await outcome(() => pages.home())).toHaveProperty("value");
  });

  it("an admin without MFA who turns it on is sent to set up their own, and comes back to the settings page", async () => {
    await t.db.update(users).set({ mfaEnabled: false }).where(eq(users.id, people.adminId));
    request.sessionToken = people.adminToken;
    expect(await outcome(() => org.setMfaRequirementAction(idle, fd({ required: "on" })))).toEqual({
      redirect: "/account/mfa-setup?callbackUrl=%2Forg%2Fsettings",
    });
    expect((await orgRow()).mfaRequired).toBe(true);
    expect(await outcome(() => pages.settings())).toEqual({ redirect: "/account/mfa-setup" });
  });
});
