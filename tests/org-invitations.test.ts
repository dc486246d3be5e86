import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, invitations, memberships, organisations, sessions, users } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { claimSession, createSession, findActiveSession } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { ORG_ERRORS, type OrgActor } from "@/lib/org/errors";
import { acceptInvitation, createInvitation, findInvitation, INVITATION_TTL_MS, listPendingInvitations } from "@/lib/org/invitations";
import { getTestDb, type TestDb } from "./helpers/db";
import { countAll } from "./helpers/fixtures";
import { outcome, request, formData as fd } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const org = await import("@/app/(app)/org/settings/actions");
const invite = await import("@/app/(auth)/invite/[token]/actions");
const invitePage = (await import("@/app/(auth)/invite/[token]/page")).default;

let t: TestDb;
const PASSWORD = "right-password-1";
const NEW_PASSWORD = "a fresh passphrase";
const idle = { status: "idle" } as const;
const ctx = { orgId: "", otherOrgId: "", adminToken: "", actor: {} as OrgActor, memberEmail: "", outsiderEmail: "" };
let n = 0;

const email = (prefix = "invitee") => `${prefix}-${++n}@example.com`;

async function state() {
  return {
    ...(await countAll(t.db)),
    invitations: JSON.stringify(await t.db.select().from(invitations).orderBy(invitations.id)),
    audit: (await t.db.select({ id: auditEvents.id }).from(auditEvents)).length,
  };
}

/** Invites through the domain (behind a step-up proven at that moment) and returns the token (what the admin's link carries). */
async function invited(address = email(), role: "admin" | "member" = "member", now?: Date) {
  await grantStepUp(t.db, ctx.actor, now);
  const result = await createInvitation(t.db, ctx.actor, { email: address, role }, { now });
  if (!result.ok) throw new Error(result.error);
  return { token: result.token, email: address, id: result.invitationId };
}

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

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  const [o] = await t.db.insert(organisations).values({ name: "Invite Org" }).returning();
  const [other] = await t.db.insert(organisations).values({ name: "Other Org" }).returning();
  ctx.orgId = o.id;
  ctx.otherOrgId = other.id;
  const hash = await hashPassword(PASSWORD);
  ctx.memberEmail = "already-member@example.com";
  ctx.outsiderEmail = "outsider@example.com";
  const [admin] = await t.db.insert(users).values({ name: "Admin", email: "inv-admin@example.com", passwordHash: hash, emailVerifiedAt: new Date() }).returning();
  const [member] = await t.db.insert(users).values({ name: "Member", email: ctx.memberEmail, passwordHash: hash }).returning();
  const [outsider] = await t.db.insert(users).values({ name: "Outsider", email: ctx.outsiderEmail, passwordHash: hash }).returning();
  await t.db.insert(memberships).values([
    { userId: admin.id, organisationId: o.id, role: "admin" },
    { userId: member.id, organisationId: o.id, role: "member" },
    { userId: outsider.id, organisationId: other.id, role: "admin" },
  ]);
  const s = await createSession(t.db, { userId: admin.id, mfaState: "not_required", handoff: false });
  ctx.adminToken = s.token;
  ctx.actor = { userId: admin.id, sessionId: s.session.id, organisationId: o.id };
});

beforeEach(async () => {
  request.sessionToken = ctx.adminToken;
  request.signedIn.length = 0;
  // Inviting needs the admin's fresh step-up (lib/org/permissions.ts); tests/org-step-up.test.ts covers it.
  await grantStepUp(t.db, ctx.actor);
});

afterAll(async () => {
  await t.close();
});

describe("inviting: bad input gets a clear message at the field and changes nothing", () => {
  const cases: [string, Record<string, string>, Record<string, string>][] = [
    ["an invalid email", { email: "not-an-email", role: "member" }, { email: "Enter a valid email address, like name@company.com." }],
    ["an empty email", { email: "   ", role: "member" }, { email: "Enter an email address." }],
    ["a 10 kB email", { email: `${"a".repeat(10_000)}@example.com`, role: "member" }, { email: "Use an email address of at most 254 characters." }],
    ["an email already a member", { email: "Already-Member@Example.com", role: "member" }, { email: ORG_ERRORS.already_member }],
    ["an unknown role", { email: "someone@example.com", role: "owner" }, { role: "Choose a role: Admin or Member." }],
    ["no role", { email: "someone@example.com" }, { role: "Choose a role: Admin or Member." }],
  ];
  for (const [name, values, fieldErrors] of cases) {
    it(`refuses ${name}`, async () => {
      const before = await state();
      expect(await org.createInvitationAction(idle, fd(values))).toEqual({ status: "error", fieldErrors });
      expect(await state()).toEqual(before);
    });
  }
});

describe("inviting an email with an account in another organisation", () => {
  /** What the admin sees, with the one thing that must differ (the link's token) blanked out. */
  const answer = async (address: string) => {
    const result = await org.createInvitationAction(idle, fd({ email: address, role: "member" }));
    return JSON.parse(JSON.stringify(result).replace(/\/invite\/[\w-]{43}/, "/invite/TOKEN").replaceAll(address, "EMAIL"));
  };

  it("answers exactly like an invitation to an email without an account: created, with a link", async () => {
    const elsewhere = await answer(ctx.outsiderEmail);
    const nobody = await answer(email("nobody"));
    expect(elsewhere).toMatchObject({ status: "created", link: expect.stringContaining("/invite/TOKEN") });
    expect(elsewhere).toEqual(nobody);
    expect(await listPendingInvitations(t.db, ctx.orgId)).toContainEqual(expect.objectContaining({ email: ctx.outsiderEmail }));
  });

  it("tells the person, once signed in on the invitation page, that their account already belongs to an organisation", async () => {
    const { token } = await invited(ctx.outsiderEmail);
    const [outsider] = await t.db.select().from(users).where(eq(users.email, ctx.outsiderEmail));
    request.sessionToken = (await createSession(t.db, { userId: outsider.id, mfaState: "not_required", handoff: false })).token;
    const text = pageText(await invitePage({ params: Promise.resolve({ token }) }));
    expect(text).toContain(ORG_ERRORS.already_in_organisation);
    expect(text).not.toContain("Choose a password");
    expect(await invite.joinWithInvitationAction({ status: "idle" }, fd({ token }))).toEqual({ status: "error", message: ORG_ERRORS.already_in_organisation });
    const [membership] = await t.db.select().from(memberships).where(eq(memberships.userId, outsider.id));
    expect(membership.organisationId).toBe(ctx.otherOrgId);
  });
});

describe("the invitation link", () => {
  it("carries a 256-bit random token; the database keeps only its SHA-256, and the audit event neither", async () => {
    const result = await org.createInvitationAction(idle, fd({ email: "link@example.com", role: "admin" }));
    if (result.status !== "created") throw new Error(JSON.stringify(result));
    const token = result.link.split("/invite/")[1];
    expect(token).toMatch(/^[\w-]{43}$/);
    const rows = await t.db.select().from(invitations).where(eq(invitations.email, "link@example.com"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tokenHash: sha256(token), role: "admin", organisationId: ctx.orgId, invitedBy: ctx.actor.userId });
    expect(JSON.stringify(await t.db.select().from(invitations))).not.toContain(token);
    expect(JSON.stringify(await t.db.select().from(auditEvents))).not.toContain(token);
    expect(rows[0].expiresAt.getTime() - rows[0].createdAt.getTime()).toBe(INVITATION_TTL_MS);
  });

  it("the invitation page shows the organisation and the invited email, to a signed-out visitor", async () => {
    const { token, email: address } = await invited();
    request.sessionToken = null;
    const text = pageText(await outcome(() => invitePage({ params: Promise.resolve({ token }) })));
    expect(text).toContain("Join Invite Org");
    expect(text).toContain(address);
  });

  it("a newer invitation to the same email replaces the pending one (the old link stops working)", async () => {
    const first = await invited("twice@example.com");
    const second = await invited("twice@example.com");
    expect(await findInvitation(t.db, first.token)).toEqual({ ok: false, error: "invitation_revoked" });
    expect(await findInvitation(t.db, second.token)).toMatchObject({ ok: true, email: "twice@example.com" });
    const pending = (await listPendingInvitations(t.db, ctx.orgId)).filter((i) => i.email === "twice@example.com");
    expect(pending).toHaveLength(1);
  });
});

describe("accepting", () => {
  it("creates the account and membership in one go, signs them in, and records it (no password in the event)", async () => {
    const { token, email: address } = await invited(email(), "admin");
    request.sessionToken = null;
    const result = await outcome(() => invite.acceptInvitationAction({ status: "idle" }, fd({ token, name: "  Nia Newcomer ", password: NEW_PASSWORD })));
    expect(result).toEqual({ redirect: "/" });
    expect(request.signedIn).toHaveLength(1);
    expect(request.signedIn[0].provider).toBe("session");
    const [user] = await t.db.select().from(users).where(eq(users.email, address));
    expect(user.name).toBe("Nia Newcomer");
    expect(await verifyPassword(NEW_PASSWORD, user.passwordHash)).toBe(true);
    const [membership] = await t.db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(membership).toMatchObject({ organisationId: ctx.orgId, role: "admin" });
    // The session is handed to next-auth once, then it is the signed-in session.
    const sessionToken = String(request.signedIn[0].options.token);
    expect(await claimSession(t.db, sessionToken)).toMatchObject({ userId: user.id, mfaState: "not_required" });
    expect(await findActiveSession(t.db, sessionToken)).toMatchObject({ user: { id: user.id }, organisation: { id: ctx.orgId } });
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.map((e) => e.action)).toContain("org.invitation_accepted");
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it("a used link: a clear message on the page and in the action, nothing created", async () => {
    const { token } = await invited();
    request.sessionToken = null;
    await outcome(() => invite.acceptInvitationAction({ status: "idle" }, fd({ token, name: "First", password: NEW_PASSWORD })));
    const before = await state();
    expect(await invite.acceptInvitationAction({ status: "idle" }, fd({ token, name: "Second", password: NEW_PASSWORD }))).toEqual({
      status: "error",
      message: ORG_ERRORS.invitation_used,
      name: "Second",
    });
    expect(pageText(await invitePage({ params: Promise.resolve({ token }) }))).toContain(ORG_ERRORS.invitation_used);
    expect(await state()).toEqual(before);
  });

  it("an expired link (7 days): accepted a minute before, refused a minute after, nothing created", async () => {
    const day = 24 * 60 * 60_000;
    const almost = await invited(email(), "member", new Date(Date.now() - 7 * day + 60_000));
    const expired = await invited(email(), "member", new Date(Date.now() - 7 * day - 60_000));
    request.sessionToken = null;
    const before = await state();
    expect(await invite.acceptInvitationAction({ status: "idle" }, fd({ token: expired.token, name: "Late", password: NEW_PASSWORD }))).toEqual({
      status: "error",
      message: ORG_ERRORS.invitation_expired,
      name: "Late",
    });
    expect(pageText(await invitePage({ params: Promise.resolve({ token: expired.token }) }))).toContain(ORG_ERRORS.invitation_expired);
    expect(await state()).toEqual(before);
    expect(await outcome(() => invite.acceptInvitationAction({ status: "idle" }, fd({ token: almost.token, name: "Just in time", password: NEW_PASSWORD })))).toEqual({
      redirect: "/",
    });
  });

  it("a revoked link: refused with its own message, nothing created", async () => {
    const { token, id } = await invited();
    expect(await org.revokeInvitationAction(idle, fd({ invitationId: id }))).toMatchObject({ status: "success" });
    request.sessionToken = null;
    const before = await state();
    expect(await invite.acceptInvitationAction({ status: "idle" }, fd({ token, name: "Nope", password: NEW_PASSWORD }))).toMatchObject({
      status: "error",
      message: ORG_ERRORS.invitation_revoked,
    });
    expect(await state()).toEqual(before);
  });

  it("an altered or malformed token: 'not valid', nothing created", async () => {
    const { token } = await invited();
    const altered = (token[0] === "A" ? "B" : "A") + token.slice(1);
    request.sessionToken = null;
    const before = await state();
    for (const bad of [altered, token.slice(0, -1), `${token}x`, "", "../../etc/passwd", "x".repeat(1_000_000)]) {
      expect(await invite.acceptInvitationAction({ status: "idle" }, fd({ token: bad, name: "Mallory", password: NEW_PASSWORD }))).toMatchObject({
        status: "error",
        message: ORG_ERRORS.invitation_invalid,
      });
      expect(pageText(await invitePage({ params: Promise.resolve({ token: bad }) }))).toContain(ORG_ERRORS.invitation_invalid);
    }
    expect(await state()).toEqual(before);
    // The original still works: a wrong guess does not burn it.
    expect(await findInvitation(t.db, token)).toMatchObject({ ok: true });
  });

  it("name and password follow the sign-up rules; refused input keeps the invitation unused", async () => {
    const { token } = await invited();
    request.sessionToken = null;
    const before = await state();
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ name: "", password: NEW_PASSWORD }, { name: "Enter your name." }],
      [{ name: "x".repeat(10_000), password: NEW_PASSWORD }, { name: "Use at most 100 characters." }],
      [{ name: "Sam", password: "short" }, { password: "Use at least 8 characters." }],
      [{ name: "Sam", password: "é".repeat(40) }, { password: expect.stringContaining("Use at most 72 bytes") }],
    ];
    for (const [values, fieldErrors] of cases) {
      const result = await invite.acceptInvitationAction({ status: "idle" }, fd({ token, ...values }));
      expect(result).toMatchObject({ status: "error", fieldErrors });
      expect(JSON.stringify(result)).not.toContain(values.password);
    }
    expect(await state()).toEqual(before);
    expect(await findInvitation(t.db, token)).toMatchObject({ ok: true });
  });

  it("an email that got an account after the invitation: refused, and the invitation is not used up", async () => {
    const { token, email: address } = await invited();
    await t.db.insert(users).values({ name: "Early bird", email: address, passwordHash: await hashPassword(PASSWORD) });
    request.sessionToken = null;
    const before = await state();
    expect(await acceptInvitation(t.db, { token, name: "Late bird", password: NEW_PASSWORD })).toEqual({ ok: false, error: "email_taken" });
    expect(await state()).toEqual(before);
    const [row] = await t.db.select().from(invitations).where(eq(invitations.tokenHash, sha256(token)));
    expect(row.acceptedAt).toBeNull();
  });

  it("is single use under parallel accepts: two at once make one user, one membership, one session", async () => {
    const { token, email: address } = await invited();
    request.sessionToken = null;
    const before = await countAll(t.db);
    const results = await Promise.all([
      outcome(() => invite.acceptInvitationAction({ status: "idle" }, fd({ token, name: "Racer One", password: NEW_PASSWORD }))),
      outcome(() => invite.acceptInvitationAction({ status: "idle" }, fd({ token, name: "Racer Two", password: NEW_PASSWORD }))),
    ]);
    expect(results.filter((r) => "redirect" in r)).toHaveLength(1);
    expect(results.filter((r) => "value" in r)).toEqual([{ value: { status: "error", message: ORG_ERRORS.invitation_used, name: expect.any(String) } }]);
    expect(request.signedIn).toHaveLength(1);
    const after = await countAll(t.db);
    expect(after.users).toBe(before.users + 1);
    expect(after.memberships).toBe(before.memberships + 1);
    expect(after.sessions).toBe(before.sessions + 1);
    expect(await t.db.select().from(users).where(eq(users.email, address))).toHaveLength(1);
  });

  it("is single use under many parallel domain calls too", async () => {
    const { token } = await invited();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => acceptInvitation(t.db, { token, name: `Racer ${i}`, password: NEW_PASSWORD })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual(Array(5).fill("invitation_used"));
  });

  it("joining an organisation that requires MFA lands on setup from the first request", async () => {
    await t.db.update(organisations).set({ mfaRequired: true }).where(eq(organisations.id, ctx.orgId));
    try {
      const { token } = await invited();
      const result = await acceptInvitation(t.db, { token, name: "Gated", password: NEW_PASSWORD });
      if (!result.ok) throw new Error(result.error);
      await claimSession(t.db, result.sessionToken);
      request.sessionToken = result.sessionToken;
      const home = (await import("@/app/(app)/page")).default;
      expect(await outcome(() => home())).toEqual({ redirect: "/account/mfa-setup" });
      // Through the action, the sign-in goes straight there.
      const next = await invited();
      request.sessionToken = null;
      expect(await outcome(() => invite.acceptInvitationAction({ status: "idle" }, fd({ token: next.token, name: "Gated Too", password: NEW_PASSWORD })))).toEqual({
        redirect: "/account/mfa-setup",
      });
    } finally {
      await t.db.update(organisations).set({ mfaRequired: false }).where(eq(organisations.id, ctx.orgId));
    }
  });

  it("a visitor already signed in is asked to sign out first instead of seeing the form", async () => {
    const { token } = await invited();
    request.sessionToken = ctx.adminToken;
    const text = pageText(await invitePage({ params: Promise.resolve({ token }) }));
    expect(text).toContain("Sign out and continue");
    expect(text).not.toContain("Choose a password");
  });
});

describe("revoking", () => {
  it("an accepted invitation cannot be revoked; it is no longer pending", async () => {
    const { token, id } = await invited();
    await acceptInvitation(t.db, { token, name: "Accepted", password: NEW_PASSWORD });
    const before = await state();
    expect(await org.revokeInvitationAction(idle, fd({ invitationId: id }))).toEqual({ status: "error", message: ORG_ERRORS.invitation_not_found });
    expect(await state()).toEqual(before);
  });

  it("revoking writes an audit event; revoking twice is refused the second time", async () => {
    const { id } = await invited();
    expect(await org.revokeInvitationAction(idle, fd({ invitationId: id }))).toMatchObject({ status: "success" });
    expect(await org.revokeInvitationAction(idle, fd({ invitationId: id }))).toEqual({ status: "error", message: ORG_ERRORS.invitation_not_found });
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "org.invitation_revoked"), eq(auditEvents.organisationId, ctx.orgId)));
    expect(events.some((e) => e.detail?.invitationId === id)).toBe(true);
  });

  it("pending invitations leave out revoked, accepted and expired ones", async () => {
    const pending = await listPendingInvitations(t.db, ctx.orgId);
    const rows = await t.db.select().from(invitations).where(eq(invitations.organisationId, ctx.orgId));
    const now = Date.now();
    const expected = rows.filter((r) => !r.acceptedAt && !r.revokedAt && r.expiresAt.getTime() > now).map((r) => r.id).sort();
    expect(pending.map((p) => p.id).sort()).toEqual(expected);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, ctx.actor.userId))).toHaveLength(1);
  });
});
