import crypto from "node:crypto";
import { asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, invitations, memberships, mfaFactors, organisations, otpChallenges, sessions, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import { ORG_ERRORS } from "@/lib/org/errors";
import { can, needsStepUp, ORG_OPERATIONS, type OrgOperation, STEP_UP_OPERATIONS } from "@/lib/org/permissions";
import { sha256 } from "@/lib/crypto/tokens";
import { getTestDb, type TestDb } from "./helpers/db";
import { outcome, request, formData as fd } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const org = await import("@/app/(app)/org/settings/actions");
const settingsPage = (await import("@/app/(app)/org/settings/page")).default;
const securityLogPage = (await import("@/app/(app)/org/settings/security-log/page")).default;

/**
 * The authorization table for every organisation action (ASVS 5.0 8.2, 8.3: checked on the server, per tenant): who may do what to
 * organisation A. Each cell checks the answer and that nothing in the database changed.
 */

let t: TestDb;
const PASSWORD = "right-password-1";
const idle = { status: "idle" } as const;

type Person = { id: string; email: string; token: string; sessionId: string };
const A = { orgId: "", admin: {} as Person, member: {} as Person, target: {} as Person, invitationId: "", pendingAdminToken: "", adminOtherSessionId: "" };
const B = { orgId: "", admin: {} as Person, member: {} as Person, invitationId: "" };
const C = { orgId: "", admin: {} as Person };

async function person(orgId: string, role: "admin" | "member", name: string, options: { phone?: string } = {}): Promise<Person> {
  const email = `${name.toLowerCase()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
  const [user] = await t.db
    .insert(users)
    .values({ name, email, passwordHash: await hashPassword(PASSWORD), mfaEnabled: Boolean(options.phone), emailVerifiedAt: new Date() })
    .returning();
  await t.db.insert(memberships).values({ userId: user.id, organisationId: orgId, role });
  if (options.phone) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: options.phone, verifiedAt: new Date() });
  const { token, session } = await createSession(t.db, { userId: user.id, mfaState: options.phone ? "verified" : "not_required", handoff: false });
  return { id: user.id, email, token, sessionId: session.id };
}

async function invitation(orgId: string, email: string) {
  const [row] = await t.db
    .insert(invitations)
    .values({ organisationId: orgId, email, role: "member", tokenHash: sha256(crypto.randomBytes(32).toString("base64url")), expiresAt: new Date(Date.now() + 86_400_000) })
    .returning();
  return row.id;
}

/** Everything an organisation action could touch, for the users and invitations of the given organisations. */
async function snapshot(orgIds: string[]) {
  const db = t.db;
  const members = await db.select().from(memberships).where(inArray(memberships.organisationId, orgIds)).orderBy(asc(memberships.id));
  const userIds = members.map((m) => m.userId);
  return JSON.stringify({
    orgs: await db.select().from(organisations).where(inArray(organisations.id, orgIds)).orderBy(asc(organisations.id)),
    members,
    users: await db
      .select({ id: users.id, name: users.name, mfa: users.mfaEnabled, hash: users.passwordHash })
      .from(users)
      .where(inArray(users.id, userIds))
      .orderBy(asc(users.id)),
    factors: await db.select().from(mfaFactors).where(inArray(mfaFactors.userId, userIds)).orderBy(asc(mfaFactors.id)),
    sessions: await db
      .select({ id: sessions.id, revoked: sessions.revokedAt, reauth: sessions.reauthenticatedAt, state: sessions.mfaState })
      .from(sessions)
      .where(inArray(sessions.userId, userIds))
      .orderBy(asc(sessions.id)),
    invitations: await db.select().from(invitations).where(inArray(invitations.organisationId, orgIds)).orderBy(asc(invitations.id)),
    audit: (await db.select({ id: auditEvents.id }).from(auditEvents).where(inArray(auditEvents.organisationId, orgIds))).length,
  });
}
const everything = () => snapshot([A.orgId, B.orgId, C.orgId]);
const orgA = () => snapshot([A.orgId]);

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  // Also with the header that let requests skip Next.js middleware (CVE-2025-29927): nothing here depends on the gate.
  request.headers.set("x-middleware-subrequest", "middleware:middleware:middleware:middleware:middleware");
  A.orgId = (await t.db.insert(organisations).values({ name: "Org A" }).returning())[0].id;
  B.orgId = (await t.db.insert(organisations).values({ name: "Org B" }).returning())[0].id;
  C.orgId = (await t.db.insert(organisations).values({ name: "Org C", mfaRequired: true, mfaRequiredAt: new Date() }).returning())[0].id;
  A.admin = await person(A.orgId, "admin", "Ada", { phone: "+31612340001" });
  A.member = await person(A.orgId, "member", "Max");
  A.target = await person(A.orgId, "member", "Tess", { phone: "+31612340002" });
  A.invitationId = await invitation(A.orgId, "invited-a@example.com");
  A.pendingAdminToken = (await createSession(t.db, { userId: A.admin.id, mfaState: "pending", handoff: false })).token;
  A.adminOtherSessionId = (await createSession(t.db, { userId: A.admin.id, mfaState: "verified", handoff: false })).session.id;
  B.admin = await person(B.orgId, "admin", "Bob", { phone: "+31612340003" });
  // B's admin has proven it is them (the step-up): what stops them below is the tenant boundary alone.
  await grantStepUp(t.db, { userId: B.admin.id, sessionId: B.admin.sessionId });
  B.member = await person(B.orgId, "member", "Bea");
  B.invitationId = await invitation(B.orgId, "invited-b@example.com");
  C.admin = await person(C.orgId, "admin", "Cy");
});

afterAll(async () => {
  request.headers.delete("x-middleware-subrequest");
  await t.close();
});

/** Every organisation action, aimed at organisation A's member and invitation unless told otherwise. */
type Ids = { userId: string; invitationId: string; orgId: string };
/** Each action with the operation of the permission table (lib/org/permissions.ts) it performs. */
const TABLE: [string, OrgOperation, (ids: Ids) => Promise<unknown>][] = [
  ["rename the organisation", "organisation.rename", (ids) => org.renameOrganisationAction(idle, fd({ name: "Taken over", organisationId: ids.orgId }))],
  ["turn the MFA requirement on", "mfa_policy.change", (ids) => org.setMfaRequirementAction(idle, fd({ required: "on", organisationId: ids.orgId }))],
  ["set the allowed MFA methods", "mfa_policy.change", (ids) => org.setMfaMethodsAction(idle, fd({ methods: "any", organisationId: ids.orgId }))],
  ["invite someone", "invitations.create", (ids) => org.createInvitationAction(idle, fd({ email: "new-person@example.com", role: "admin", organisationId: ids.orgId }))],
  ["revoke an invitation", "invitations.revoke", (ids) => org.revokeInvitationAction(idle, fd({ invitationId: ids.invitationId }))],
  ["resend an invitation", "invitations.resend", (ids) => org.resendInvitationAction(idle, fd({ invitationId: ids.invitationId }))],
  ["change a member's role", "members.change_role", (ids) => org.changeRoleAction(idle, fd({ userId: ids.userId, role: "admin" }))],
  ["reset a member's MFA", "members.reset_mfa", (ids) => org.resetMemberMfaAction(idle, fd({ userId: ids.userId }))],
  ["remove a member", "members.remove", (ids) => org.removeMemberAction(idle, fd({ userId: ids.userId }))],
  ["open the settings page", "organisation.view_settings", () => settingsPage()],
  ["remind a member to set up MFA", "members.remind_mfa", (ids) => org.remindMembersAction(idle, fd({ userId: ids.userId }))],
  ["open the security log", "security_log.view", () => securityLogPage()],
  ["set how long trusted browsers skip MFA", "mfa_policy.change", (ids) => org.setTrustedBrowserDaysAction(idle, fd({ days: "7", organisationId: ids.orgId }))],
];
const ACTIONS: [string, (ids: Ids) => Promise<unknown>][] = TABLE.map(([name, , run]) => [name, run]);

describe("the permission table", () => {
  it("has an action in this table for every operation, so a new operation without a test fails here", () => {
    expect(new Set(TABLE.map(([, operation]) => operation))).toEqual(new Set(ORG_OPERATIONS));
  });
  it("allows every operation to admins and none to members", () => {
    for (const operation of ORG_OPERATIONS) {
      expect(can("admin", operation)).toBe(true);
      expect(can("member", operation)).toBe(false);
      expect(can(null, operation)).toBe(false);
    }
  });
});
/** The text and props a rendered server component tree carries (strings only), to search for what it would show. */
function pageText(node: unknown): string {
  const seen = new WeakSet<object>();
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string" || typeof value === "number") out.push(String(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      const props = (value as { props?: Record<string, unknown> }).props;
      for (const v of Object.values(props ?? (value as Record<string, unknown>))) walk(v);
    }
  };
  walk(node);
  return out.join("");
}

const aIds = (): Ids => ({ userId: A.target.id, invitationId: A.invitationId, orgId: A.orgId });

describe.each([
  // The table says members may do none of these (checked above); each is refused on the server.
  ["a member (not an admin)", () => A.member.token, "/"],
  ["a session still pending its second factor", () => A.pendingAdminToken, "/login/verify"],
  ["a signed-out request", () => null, "/login"],
  ["an admin held at MFA setup by their organisation's requirement", () => C.admin.token, "/account/mfa-setup"],
])("%s", (_label, token, target) => {
  for (const [name, run] of ACTIONS) {
    it(`is sent to ${target} by "${name}" and nothing changes`, async () => {
      request.sessionToken = token();
      const before = await everything();
      expect(await outcome(() => run(aIds()))).toEqual({ redirect: target });
      expect(await everything()).toBe(before);
    });
  }
});

describe("an admin of another organisation, with organisation A's ids", () => {
  const unknownIds = (): Ids => ({ userId: crypto.randomUUID(), invitationId: crypto.randomUUID(), orgId: A.orgId });

  for (const [name, run] of ACTIONS.slice(4, 9)) {
    it(`"${name}" is refused with the same answer as an unknown id, and nothing changes`, async () => {
      request.sessionToken = B.admin.token;
      const before = await everything();
      const foreign = await outcome(() => run(aIds()));
      const unknown = await outcome(() => run(unknownIds()));
      expect(foreign).toEqual(unknown);
      expect(foreign).toEqual({
        value: { status: "error", message: name.endsWith("an invitation") ? ORG_ERRORS.invitation_not_found : ORG_ERRORS.not_found },
      });
      expect(await everything()).toBe(before);
    });
  }

  for (const [name, run] of ACTIONS.slice(0, 4)) {
    it(`"${name}" with organisation A's id in the form acts on their own organisation only: A is unchanged`, async () => {
      request.sessionToken = B.admin.token;
      const before = await orgA();
      const result = await outcome(() => run(aIds()));
      expect(result).toHaveProperty("value.status", expect.stringMatching(/success|created/));
      expect(await orgA()).toBe(before);
    });
  }

  it(`"open the settings page" shows their own organisation and nothing of A`, async () => {
    request.sessionToken = B.admin.token;
    const before = await everything();
    const result = await outcome(() => settingsPage());
    const text = pageText(result);
    expect(text).toContain(B.member.email);
    for (const email of [A.admin.email, A.member.email, A.target.email, "invited-a@example.com"]) expect(text).not.toContain(email);
    expect(text).not.toContain("Org A");
    expect(await everything()).toBe(before);
  });

  it("a malformed id gets the same not-found answer and changes nothing", async () => {
    request.sessionToken = B.admin.token;
    const before = await everything();
    for (const userId of ["x", "1 or 1=1", `${A.target.id}'`, "a".repeat(5000)]) {
      expect(await org.removeMemberAction(idle, fd({ userId }))).toEqual({ status: "error", message: ORG_ERRORS.not_found });
      expect(await org.resetMemberMfaAction(idle, fd({ userId }))).toEqual({ status: "error", message: ORG_ERRORS.not_found });
      expect(await org.changeRoleAction(idle, fd({ userId, role: "member" }))).toEqual({ status: "error", message: ORG_ERRORS.not_found });
    }
    expect(await everything()).toBe(before);
  });
});

describe("an admin of organisation A without a fresh step-up (ASVS 5.0 7.5.1, GitHub \"sudo mode\")", () => {
  const admin = () => ({ userId: A.admin.id, sessionId: A.admin.sessionId });
  /** Forgets every step-up of the admin's session, then sets up the case. */
  const fresh = async (arrange: () => Promise<unknown>) => {
    await t.db.delete(otpChallenges).where(inArray(otpChallenges.sessionId, [A.admin.sessionId, A.adminOtherSessionId]));
    await arrange();
  };
  const CASES: [string, () => Promise<unknown>][] = [
    // Ada has a factor (SMS), so her password alone is half the proof.
    ["with the password only", () => t.db.update(sessions).set({ reauthenticatedAt: new Date() }).where(eq(sessions.id, A.admin.sessionId))],
    ["with a proof older than 10 minutes", () => grantStepUp(t.db, admin(), new Date(Date.now() - 10 * 60_000 - 1_000))],
    [
      "with a proof from another session of theirs",
      async () => {
        await t.db.update(sessions).set({ reauthenticatedAt: new Date() }).where(eq(sessions.id, A.admin.sessionId));
        await grantStepUp(t.db, { userId: A.admin.id, sessionId: A.adminOtherSessionId });
      },
    ],
  ];
  /** The cells of the table above whose operation the permission table puts behind a step-up. */
  const STEP_UP_CELLS = TABLE.filter(([, operation]) => needsStepUp(operation));

  it("the permission table puts exactly the changes to who can get in behind it, and every one has a cell here", () => {
    expect([...STEP_UP_OPERATIONS].sort()).toEqual(["invitations.create", "members.change_role", "members.remove", "members.reset_mfa", "mfa_policy.change"]);
    expect(new Set(STEP_UP_CELLS.map(([, operation]) => operation))).toEqual(new Set(STEP_UP_OPERATIONS));
  });

  describe.each(CASES)("%s", (_label, arrange) => {
    for (const [name, operation, run] of STEP_UP_CELLS) {
      it(`"${name}" (${operation}) is refused with "Confirm it is you first." and nothing changes`, async () => {
        await fresh(arrange);
        request.sessionToken = A.admin.token;
        const before = await everything();
        expect(await outcome(() => run(aIds()))).toEqual({ value: { status: "error", message: ORG_ERRORS.step_up_required, stepUp: true } });
        expect(await everything()).toBe(before);
      });
    }
  });

  for (const [name, operation, run] of TABLE.filter(([, operation]) => !needsStepUp(operation))) {
    it(`"${name}" (${operation}) needs the role only: it lets nobody in`, async () => {
      await fresh(async () => {});
      request.sessionToken = A.admin.token;
      const ids = { ...aIds(), invitationId: await invitation(A.orgId, `revocable-${crypto.randomUUID()}@example.com`) };
      const result = await outcome(() => run(ids));
      if (operation === "organisation.view_settings" || operation === "security_log.view") expect(result).toHaveProperty("value");
      // Organisation A does not require MFA: the reminder is answered by the domain, not refused for want of a proof.
      else if (operation === "members.remind_mfa") expect(result).toEqual({ value: { status: "error", message: ORG_ERRORS.mfa_not_required } });
      else expect(result).toMatchObject({ value: { status: "success" } });
    });
  }
});

// Last, because these change organisation A: the allowed twin of every refused cell above.
describe("an admin of organisation A (allowed)", () => {
  beforeAll(async () => {
    await grantStepUp(t.db, { userId: A.admin.id, sessionId: A.admin.sessionId });
  });

  it("opens the settings page with A's members and MFA status (last four digits only)", async () => {
    request.sessionToken = A.admin.token;
    const result = await outcome(() => settingsPage());
    const text = pageText(result);
    expect(text).toContain(A.target.email);
    expect(text).toContain("SMS ending in 0002");
    expect(text).not.toContain("+31612340002");
    expect(text).not.toContain(B.member.email);
  });

  it("renames the organisation", async () => {
    request.sessionToken = A.admin.token;
    expect(await org.renameOrganisationAction(idle, fd({ name: "  Org A, renamed  " }))).toMatchObject({ status: "success" });
    const [row] = await t.db.select().from(organisations).where(eq(organisations.id, A.orgId));
    expect(row.name).toBe("Org A, renamed");
  });

  it("invites someone", async () => {
    request.sessionToken = A.admin.token;
    const result = await org.createInvitationAction(idle, fd({ email: "Someone@Example.com", role: "member" }));
    expect(result).toMatchObject({ status: "created", email: "someone@example.com", link: expect.stringMatching(/^http:\/\/localhost\/invite\/[\w-]{43}$/) });
  });

  it("revokes an invitation", async () => {
    request.sessionToken = A.admin.token;
    expect(await org.revokeInvitationAction(idle, fd({ invitationId: A.invitationId }))).toMatchObject({ status: "success" });
    const [row] = await t.db.select().from(invitations).where(eq(invitations.id, A.invitationId));
    expect(row.revokedAt).not.toBeNull();
  });

  it("changes a member's role", async () => {
    request.sessionToken = A.admin.token;
    expect(await org.changeRoleAction(idle, fd({ userId: A.member.id, role: "admin" }))).toMatchObject({ status: "success" });
    const [row] = await t.db.select().from(memberships).where(eq(memberships.userId, A.member.id));
    expect(row.role).toBe("admin");
  });

  it("resets a member's MFA", async () => {
    request.sessionToken = A.admin.token;
    expect(await org.resetMemberMfaAction(idle, fd({ userId: A.target.id }))).toMatchObject({ status: "success" });
    expect(await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, A.target.id))).toEqual([]);
  });

  it("removes a member", async () => {
    request.sessionToken = A.admin.token;
    expect(await org.removeMemberAction(idle, fd({ userId: A.target.id }))).toMatchObject({ status: "success" });
    expect(await t.db.select().from(memberships).where(eq(memberships.userId, A.target.id))).toEqual([]);
  });

  it("turns the MFA requirement on after the step-up", async () => {
    request.sessionToken = A.admin.token;
    expect(await org.setMfaRequirementAction(idle, fd({ required: "on" }))).toMatchObject({ status: "success" });
    const [row] = await t.db.select().from(organisations).where(eq(organisations.id, A.orgId));
    expect(row.mfaRequired).toBe(true);
    expect(row.mfaRequiredAt).toBeInstanceOf(Date);
  });
});
