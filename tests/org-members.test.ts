import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, backupCodes, memberships, mfaFactors, organisations, sessions, users } from "@/db/schema";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { createSession, findActiveSession } from "@/lib/auth/sessions";
import { withLocale } from "@/lib/i18n/context";
import { ORG_ERRORS, type OrgActor } from "@/lib/org/errors";
import { changeMemberRole, describeMemberMfa, listMembers, mfaCoverage } from "@/lib/org/members";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";
import { outcome, request, formData as fd } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const org = await import("@/app/(app)/org/settings/actions");
const home = (await import("@/app/(app)/page")).default;

let t: TestDb;
const idle = { status: "idle" } as const;

/** A fresh organisation with one admin (signed in, step-up proven: tests/org-step-up.test.ts covers without) per test. */
async function freshOrg(options: { mfaRequired?: boolean } = {}) {
  const { user: admin, org: o } = await makeUser(t.db, { role: "admin", phone: "+31612399999", mfaRequired: options.mfaRequired });
  const { token, session } = await createSession(t.db, { userId: admin.id, mfaState: "verified", handoff: false });
  request.sessionToken = token;
  const actor: OrgActor = { userId: admin.id, sessionId: session.id, organisationId: o.id };
  await grantStepUp(t.db, actor);
  return { org: o, admin, token, actor };
}

/** Another user of the organisation, with a signed-in session. */
async function join(organisationId: string, role: "admin" | "member", phone?: string) {
  const { user, org: own } = await makeUser(t.db, { role, phone });
  await t.db.update(memberships).set({ organisationId }).where(eq(memberships.userId, user.id));
  await t.db.delete(organisations).where(eq(organisations.id, own.id));
  const { token, session } = await createSession(t.db, { userId: user.id, mfaState: phone ? "verified" : "not_required", handoff: false });
  return { user, token, sessionId: session.id };
}

async function roleOf(userId: string) {
  const [row] = await t.db.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, userId));
  return row?.role ?? null;
}

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

describe("members and their MFA status", () => {
  it("lists each member with 'Off' or 'SMS ending in 1234', never a full number, and counts coverage", async () => {
    const { org: o } = await freshOrg();
    await join(o.id, "member", "+447700900123");
    await join(o.id, "member");
    const members = await listMembers(t.db, o.id);
    expect(members.map((m) => describeMemberMfa(m.mfa)).sort()).toEqual(["Off", "SMS ending in 0123", "SMS ending in 9999"]);
    expect(JSON.stringify(members)).not.toMatch(/\+\d{5,}|447700/);
    expect(mfaCoverage(members)).toEqual({ enabled: 2, total: 3 });
  });

  it("names each member's methods in the page's language", () => {
    const all = { enabled: true as const, smsLast4: "0123", authenticatorApp: true, passkeys: 2 };
    expect(describeMemberMfa(all)).toBe("2 passkeys, Authenticator app, SMS ending in 0123");
    expect(withLocale("nl", () => describeMemberMfa(all))).toBe("2 toegangssleutels, Authenticator-app, Sms eindigend op 0123");
    expect(withLocale("nl", () => describeMemberMfa({ ...all, passkeys: 1, authenticatorApp: false, smsLast4: null }))).toBe("Toegangssleutel");
    expect(withLocale("nl", () => [describeMemberMfa({ enabled: false }), describeMemberMfa({ enabled: true, smsLast4: null, authenticatorApp: false, passkeys: 0 })])).toEqual(["Uit", "Aan"]);
  });

  it("only lists the caller's organisation", async () => {
    const a = await freshOrg();
    const b = await freshOrg();
    const listed = await listMembers(t.db, a.org.id);
    expect(listed.map((m) => m.userId)).toEqual([a.admin.id]);
    expect(listed.map((m) => m.userId)).not.toContain(b.admin.id);
  });
});

describe("renaming: bad input is refused at the field and changes nothing", () => {
  const cases: [string, string, string][] = [
    ["a 10 kB name", "x".repeat(10_240), "Use at most 100 characters."],
    ["an empty name", "   ", "Enter the organisation's name."],
    ["a name with a line break", "Acme\nEvil", "Use a name without line breaks or control characters."],
  ];
  for (const [label, name, message] of cases) {
    it(`refuses ${label}`, async () => {
      const { org: o } = await freshOrg();
      const result = await org.renameOrganisationAction(idle, fd({ name }));
      expect(result).toEqual({ status: "error", fieldErrors: { name: message } });
      const [row] = await t.db.select().from(organisations).where(eq(organisations.id, o.id));
      expect(row.name).toBe(o.name);
      expect(await t.db.select().from(auditEvents).where(eq(auditEvents.organisationId, o.id))).toEqual([]);
    });
  }

  it("a name of exactly 100 characters is fine, and the change is audited", async () => {
    const { org: o, admin } = await freshOrg();
    expect(await org.renameOrganisationAction(idle, fd({ name: "n".repeat(100) }))).toMatchObject({ status: "success" });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.organisationId, o.id));
    expect(event).toMatchObject({ action: "org.renamed", actorId: admin.id, detail: { from: o.name, to: "n".repeat(100) } });
  });
});

describe("the last admin", () => {
  it("cannot be demoted", async () => {
    const { admin, org: o } = await freshOrg();
    expect(await org.changeRoleAction(idle, fd({ userId: admin.id, role: "member" }))).toEqual({ status: "error", message: ORG_ERRORS.last_admin });
    expect(await roleOf(admin.id)).toBe("admin");
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.organisationId, o.id))).toEqual([]);
  });

  it("cannot be removed (nor can an admin remove themselves)", async () => {
    const { admin } = await freshOrg();
    expect(await org.removeMemberAction(idle, fd({ userId: admin.id }))).toEqual({ status: "error", message: ORG_ERRORS.cannot_remove_self });
    expect(await roleOf(admin.id)).toBe("admin");
  });

  it("with a second admin, an admin may step down", async () => {
    const { admin, org: o } = await freshOrg();
    await join(o.id, "admin");
    expect(await org.changeRoleAction(idle, fd({ userId: admin.id, role: "member" }))).toMatchObject({ status: "success" });
    expect(await roleOf(admin.id)).toBe("member");
  });

  it("two admins demoting each other at the same time leave one admin", async () => {
    const { admin, org: o, actor } = await freshOrg();
    const other = await join(o.id, "admin");
    const otherActor: OrgActor = { userId: other.user.id, sessionId: other.sessionId, organisationId: o.id };
    await grantStepUp(t.db, otherActor);
    const results = await Promise.all([
      changeMemberRole(t.db, actor, { userId: other.user.id, role: "member" }),
      changeMemberRole(t.db, otherActor, { userId: admin.id, role: "member" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // The loser was either no longer an admin by the time it ran, or would have removed the last one.
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, error: expect.stringMatching(/forbidden|last_admin/) });
    const roles = [await roleOf(admin.id), await roleOf(other.user.id)];
    expect(roles.filter((r) => r === "admin")).toHaveLength(1);
  });

  it("an unknown role is refused at the field and changes nothing", async () => {
    const { org: o } = await freshOrg();
    const member = await join(o.id, "member");
    expect(await org.changeRoleAction(idle, fd({ userId: member.user.id, role: "owner" }))).toEqual({
      status: "error",
      fieldErrors: { role: "Choose a role: Admin or Member." },
    });
    expect(await roleOf(member.user.id)).toBe("member");
  });

  it("a role change is audited with before and after", async () => {
    const { org: o, admin } = await freshOrg();
    const member = await join(o.id, "member");
    expect(await org.changeRoleAction(idle, fd({ userId: member.user.id, role: "admin" }))).toMatchObject({ status: "success" });
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.id), eq(auditEvents.action, "org.member_role_changed")));
    expect(event).toMatchObject({ userId: member.user.id, actorId: admin.id, detail: { from: "member", to: "admin" } });
  });
});

describe("resetting a member's MFA (lost phone)", () => {
  it("removes their factors and recovery codes, turns MFA off, ends all their sessions, and is audited without the number", async () => {
    const { org: o, admin } = await freshOrg({ mfaRequired: true });
    const member = await join(o.id, "member", "+31612345678");
    const second = await createSession(t.db, { userId: member.user.id, mfaState: "verified", handoff: false });
    await t.db.insert(backupCodes).values({ userId: member.user.id, codeHash: "h1" });
    const result = await org.resetMemberMfaAction(idle, fd({ userId: member.user.id }));
    expect(result).toMatchObject({ status: "success", message: expect.stringContaining("set it up again when they next sign in") });

    expect(await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, member.user.id))).toEqual([]);
    expect(await t.db.select().from(backupCodes).where(eq(backupCodes.userId, member.user.id))).toEqual([]);
    const [user] = await t.db.select().from(users).where(eq(users.id, member.user.id));
    expect(user.mfaEnabled).toBe(false);
    expect(await findActiveSession(t.db, member.token)).toBeNull();
    expect(await findActiveSession(t.db, second.token)).toBeNull();
    const revoked = await t.db.select().from(sessions).where(eq(sessions.userId, member.user.id));
    expect(revoked.every((s) => s.revokedReason === "mfa_reset_by_admin")).toBe(true);

    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "org.member_mfa_reset"));
    const mine = events.filter((e) => e.userId === member.user.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actorId: admin.id, organisationId: o.id, detail: { factorsRemoved: 1, sessionsEnded: 2 } });
    expect(JSON.stringify(events)).not.toContain("612345678");
    // The admin's own session is untouched.
    expect(await outcome(() => home())).toHaveProperty("value");
  });

  it("where the organisation requires MFA, the member's next sign-in lands on setup", async () => {
    const { org: o } = await freshOrg({ mfaRequired: true });
    const member = await join(o.id, "member", "+31612345679");
    await org.resetMemberMfaAction(idle, fd({ userId: member.user.id }));
    const sms = recordingSms();
    const signIn = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost" }, { email: member.user.email, password: TEST_PASSWORD });
    expect(signIn).toMatchObject({ ok: true, mfaState: "not_required" });
    expect(sms.sent).toEqual([]);
    request.sessionToken = signIn.ok ? signIn.token : null;
    expect(await outcome(() => home())).toEqual({ redirect: "/account/mfa-setup" });
  });

  it("refuses an admin resetting their own factor (that goes through My account, with the factor)", async () => {
    const { admin } = await freshOrg();
    expect(await org.resetMemberMfaAction(idle, fd({ userId: admin.id }))).toEqual({ status: "error", message: ORG_ERRORS.cannot_reset_self });
    expect(await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, admin.id))).toHaveLength(1);
  });

  it("refuses a member without MFA, and ends none of their sessions", async () => {
    const { org: o } = await freshOrg();
    const member = await join(o.id, "member");
    expect(await org.resetMemberMfaAction(idle, fd({ userId: member.user.id }))).toEqual({ status: "error", message: ORG_ERRORS.mfa_not_set_up });
    expect(await findActiveSession(t.db, member.token)).not.toBeNull();
  });
});

describe("removing a member", () => {
  it("takes them out of the organisation and ends every session they have; audited", async () => {
    const { org: o, admin } = await freshOrg();
    const member = await join(o.id, "member", "+31612345680");
    expect(await org.removeMemberAction(idle, fd({ userId: member.user.id }))).toMatchObject({ status: "success" });
    expect(await roleOf(member.user.id)).toBeNull();
    expect(await findActiveSession(t.db, member.token)).toBeNull();
    expect((await listMembers(t.db, o.id)).map((m) => m.userId)).toEqual([admin.id]);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.id), eq(auditEvents.action, "org.member_removed")));
    expect(event).toMatchObject({ userId: member.user.id, actorId: admin.id, detail: { role: "member", sessionsEnded: 1 } });
  });

  it("another admin can be removed while one remains", async () => {
    const { org: o } = await freshOrg();
    const other = await join(o.id, "admin");
    expect(await org.removeMemberAction(idle, fd({ userId: other.user.id }))).toMatchObject({ status: "success" });
    expect(await roleOf(other.user.id)).toBeNull();
  });

  it("an admin who was just demoted in another tab can no longer remove anyone", async () => {
    const { org: o, actor } = await freshOrg();
    const other = await join(o.id, "admin");
    const member = await join(o.id, "member");
    await t.db.update(memberships).set({ role: "member" }).where(eq(memberships.userId, actor.userId));
    const { removeMember } = await import("@/lib/org/members");
    expect(await removeMember(t.db, actor, { userId: member.user.id })).toEqual({ ok: false, error: "forbidden" });
    expect(await roleOf(member.user.id)).toBe("member");
    expect(await roleOf(other.user.id)).toBe("admin");
  });
});
