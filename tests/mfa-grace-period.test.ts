import "./helpers/mock-next";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, invitations, memberships, organisations, users } from "@/db/schema";
import { sessionCookieName } from "@/lib/auth/cookies";
import { sealSessionCookie } from "@/lib/auth/session-cookie";
import { claimSession, createSession, findActiveSession } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { ORG_ERRORS } from "@/lib/org/errors";
import { joinWithInvitation } from "@/lib/org/invitations";
import { setMfaRequirement } from "@/lib/org/mfa-settings";
import { mfaGraceDeadline, needsMfaSetup } from "@/lib/org/policy";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";
import { formData as fd, outcome, request } from "./helpers/next-mocks";
import { grantStepUp } from "./helpers/step-up";

const org = await import("@/app/(app)/org/settings/actions");
const account = await import("@/app/(app)/account/actions");
const invite = await import("@/app/(auth)/invite/[token]/actions");
const appLayout = (await import("@/app/(app)/layout")).default;
const home = (await import("@/app/(app)/page")).default;
const setupPage = (await import("@/app/(app)/account/mfa-setup/page")).default;
const { MfaDeadlineBanner } = await import("@/components/shell/mfa-deadline-banner");
const { requireSession } = await import("@/lib/auth/dal");
const { proxy } = await import("@/proxy");

/**
 * The grace period (NIST SP 800-63B 4.6 leaves the timing of a new requirement to the organisation; ASVS 5.0
 * 8.2 asks that it be enforced on the server): until the deadline a member without MFA passes the gate and the
 * DAL and sees a banner; from the deadline on they are held exactly as before, by both. The clock is the
 * system clock, controlled here (vi.setSystemTime), since the gate and the DAL read it like production does.
 */

let t: TestDb;
const idle = { status: "idle" } as const;
const DAY = 86_400_000;
/** A Monday morning; the "In 7 days" deadline is 00:00 UTC a week later. */
const T0 = new Date("2026-12-07T10:00:00Z");
const DEADLINE = new Date("2026-12-14T00:00:00Z");

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

const at = (when: Date) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(when);
};

/** A browser signed in as the user now (by the controlled clock). */
async function signIn(userId: string, mfa = false) {
  const { token } = await createSession(t.db, { userId, mfaState: mfa ? "verified" : "not_required", handoff: false, now: new Date() });
  return token;
}

/** An organisation with an admin who uses MFA (Ada) and a member without it (Max), both signed in. */
async function freshOrg() {
  const [o] = await t.db.insert(organisations).values({ name: "Grace Org" }).returning();
  const person = async (role: "admin" | "member", name: string, phone?: string) => {
    const { user, org: own } = await makeUser(t.db, { role, phone, email: uniqueEmail(name.toLowerCase()) });
    await t.db.update(users).set({ name }).where(eq(users.id, user.id));
    await t.db.update(memberships).set({ organisationId: o.id }).where(eq(memberships.userId, user.id));
    await t.db.delete(organisations).where(eq(organisations.id, own.id));
    return { id: user.id, email: user.email, token: await signIn(user.id, Boolean(phone)) };
  };
  const admin = await person("admin", "Ada", `+316123${crypto.randomInt(10_000, 99_999)}`);
  const member = await person("member", "Max");
  const adminSession = (await findActiveSession(t.db, admin.token))?.session.id ?? "";
  await grantStepUp(t.db, { userId: admin.id, sessionId: adminSession });
  return { orgId: o.id, admin: { ...admin, sessionId: adminSession }, member };
}

/** Where the gate (proxy.ts) sends a page navigation with this session cookie: a path, or null to continue. */
async function gate(token: string, path = "/") {
  const cookie = `${sessionCookieName()}=${sealSessionCookie({ st: token }, process.env.AUTH_SECRET ?? "", sessionCookieName(), 3600)}`;
  const response = await proxy(new NextRequest(new URL(path, "http://localhost"), { headers: { cookie } }));
  const location = response.headers.get("location");
  return location ? new URL(location).pathname : null;
}

/** The banner the app shell renders for the signed-in browser, as its props; null when there is none. */
async function banner() {
  const tree = await appLayout({ children: null });
  let found: Record<string, unknown> | null = null;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object" || found) return;
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    const element = node as { type?: unknown; props?: { children?: unknown } };
    if (element.type === MfaDeadlineBanner) found = element.props as Record<string, unknown>;
    else walk(element.props?.children);
  };
  walk(tree);
  return found;
}

const require = (when: Record<string, string>) => org.setMfaRequirementAction(idle, fd({ required: "on", ...when }));
const orgRow = async (id: string) => (await t.db.select().from(organisations).where(eq(organisations.id, id)))[0];
const current = async (token: string) => {
  const row = await findActiveSession(t.db, token);
  if (!row) throw new Error("no session");
  return row;
};

describe("a requirement with a grace period", () => {
  it("'In 7 days' sets the deadline to 00:00 UTC a week ahead, audited with the date", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    expect(await require({ when: "7" })).toEqual({
      status: "success",
      message: "Multi-factor authentication is required from 14 December 2026. Until then, members without it see a reminder on every page.",
    });
    const row = await orgRow(o.orgId);
    expect(row).toMatchObject({ mfaRequired: true, mfaEnforcedFrom: DEADLINE, mfaRequiredAt: T0 });
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.orgId), eq(auditEvents.action, "org.mfa_required")));
    expect(event.detail).toEqual({ membersWithoutMfa: 1, enforcedFrom: DEADLINE.toISOString(), grace: true });
  });

  it("before the deadline a member without MFA passes the gate and the DAL, works, and sees the banner with the date", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });

    request.sessionToken = o.member.token;
    expect(await gate(o.member.token, "/")).toBeNull();
    expect(await gate(o.member.token, "/account")).toBeNull();
    expect(await outcome(() => requireSession())).toHaveProperty("value");
    expect(await outcome(() => home())).toHaveProperty("value");
    expect(mfaGraceDeadline(await current(o.member.token))).toEqual(DEADLINE);
    expect(await banner()).toEqual({ organisation: "Grace Org", deadline: "14 December 2026", when: "in 7 days", urgent: false });
    // A server action of the member's own works too (the DAL, not only the gate).
    expect(await outcome(() => account.revokeOtherSessionsAction())).toEqual({ value: undefined });

    // The day before, the banner is urgent and says "tomorrow"; the member still works.
    at(new Date(DEADLINE.getTime() - 12 * 3_600_000));
    const late = await signIn(o.member.id);
    request.sessionToken = late;
    expect(await gate(late, "/")).toBeNull();
    expect(await banner()).toMatchObject({ when: "tomorrow", urgent: true });
  });

  it("one second before the deadline they pass; at the deadline and after, the gate and the DAL hold them at setup", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });

    at(new Date(DEADLINE.getTime() - 1000));
    const before = await signIn(o.member.id);
    request.sessionToken = before;
    expect(await gate(before, "/")).toBeNull();
    expect(needsMfaSetup(await current(before))).toBe(false);

    for (const moment of [DEADLINE, new Date(DEADLINE.getTime() + 3 * DAY)]) {
      at(moment);
      const token = await signIn(o.member.id);
      request.sessionToken = token;
      expect(await gate(token, "/")).toBe("/account/mfa-setup");
      expect(await gate(token, "/account")).toBe("/account/mfa-setup");
      expect(await gate(token, "/account/mfa-setup")).toBeNull();
      expect(await outcome(() => requireSession())).toEqual({ redirect: "/account/mfa-setup" });
      expect(await outcome(() => home())).toEqual({ redirect: "/account/mfa-setup" });
      expect(await outcome(() => account.revokeOtherSessionsAction())).toEqual({ redirect: "/account/mfa-setup" });
      // Held: the setup page is theirs, without a "Not now", and no banner (the requirement is in force).
      expect(await banner()).toBeNull();
      expect(JSON.stringify(await setupPage({ searchParams: Promise.resolve({}) }))).not.toContain("Not now");
    }
  });

  it("a member who has MFA is neither held nor shown the banner, before or after the deadline", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });
    expect(await banner()).toBeNull();
    at(new Date(DEADLINE.getTime() + DAY));
    const token = await signIn(o.admin.id, true);
    request.sessionToken = token;
    expect(await gate(token, "/")).toBeNull();
    expect(await outcome(() => requireSession())).toHaveProperty("value");
  });

  it("bringing the date forward to now holds the member at their very next request, in the same session", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "30" });
    request.sessionToken = o.member.token;
    expect(await gate(o.member.token)).toBeNull();

    // Postponed to a date first: still working, the banner shows the new date.
    request.sessionToken = o.admin.token;
    expect(await require({ when: "date", date: "2027-01-20" })).toMatchObject({ status: "success", message: expect.stringContaining("The deadline is now 20 January 2027.") });
    request.sessionToken = o.member.token;
    expect(await banner()).toMatchObject({ deadline: "20 January 2027" });

    request.sessionToken = o.admin.token;
    expect(await require({ when: "now" })).toMatchObject({ status: "success", message: expect.stringContaining("now required") });
    expect((await orgRow(o.orgId)).mfaEnforcedFrom).toEqual(T0);
    request.sessionToken = o.member.token;
    expect(await gate(o.member.token)).toBe("/account/mfa-setup");
    expect(await outcome(() => requireSession())).toEqual({ redirect: "/account/mfa-setup" });

    const changes = await t.db
      .select({ detail: auditEvents.detail })
      .from(auditEvents)
      .where(and(eq(auditEvents.organisationId, o.orgId), eq(auditEvents.action, "org.mfa_deadline_changed")));
    expect(changes.map((c) => c.detail?.enforcedFrom)).toEqual(["2027-01-20T00:00:00.000Z", T0.toISOString()]);
  });

  it("postponing a requirement in force lets the member work again; switching it off clears the deadline", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "now" });
    expect(await gate(o.member.token)).toBe("/account/mfa-setup");
    expect(await require({ when: "14" })).toMatchObject({ status: "success" });
    expect(await gate(o.member.token)).toBeNull();
    // "Now" on a requirement already in force changes nothing.
    await require({ when: "now" });
    expect(await require({ when: "now" })).toEqual({ status: "success", message: "Nothing to change: multi-factor authentication is already required." });
    expect(await org.setMfaRequirementAction(idle, fd({ required: "off" }))).toMatchObject({ status: "success" });
    expect(await orgRow(o.orgId)).toMatchObject({ mfaRequired: false, mfaEnforcedFrom: null, mfaRequiredAt: null });
  });

  it("refuses a bad date next to its field and changes nothing", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    const before = await orgRow(o.orgId);
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ when: "date" }, { date: "Choose the date the requirement starts." }],
      [{ when: "date", date: "14/12/2026" }, { date: "Enter a date like 2026-12-14." }],
      [{ when: "date", date: "2027-02-30" }, { date: "Enter a date like 2026-12-14." }],
      [{ when: "date", date: "2026-12-07" }, { date: "Choose a date after today, or choose Now." }],
      [{ when: "date", date: "2026-01-01" }, { date: "Choose a date after today, or choose Now." }],
      [{ when: "date", date: "2028-01-01" }, { date: "Choose a date within a year from today." }],
      [{ when: "99" }, { when: "Choose when the requirement starts." }],
      [{ when: "date", date: "x".repeat(5000) }, { date: expect.any(String) }],
    ];
    for (const [input, fieldErrors] of cases) expect(await require(input)).toEqual({ status: "error", fieldErrors });
    expect(await orgRow(o.orgId)).toEqual(before);
    // The domain holds the same limit, whoever calls it.
    const actor = { userId: o.admin.id, sessionId: o.admin.sessionId, organisationId: o.orgId };
    expect(await setMfaRequirement(t.db, actor, { required: true, enforceFrom: new Date(T0.getTime() + 400 * DAY), now: T0 })).toEqual({
      ok: false,
      error: "deadline_too_far",
    });
    expect(await orgRow(o.orgId)).toEqual(before);
  });

  it("moving the deadline still needs the admin's fresh step-up", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });
    at(new Date(T0.getTime() + 11 * 60_000));
    expect(await require({ when: "now" })).toEqual({ status: "error", message: ORG_ERRORS.step_up_required, stepUp: true });
    expect((await orgRow(o.orgId)).mfaEnforcedFrom).toEqual(DEADLINE);
  });
});

describe("joining an organisation that requires MFA", () => {
  /** An invitation to the organisation for a new address, and its token. */
  async function invitation(orgId: string, email: string) {
    const token = crypto.randomBytes(32).toString("base64url");
    await t.db.insert(invitations).values({ organisationId: orgId, email, role: "member", tokenHash: sha256(token), expiresAt: new Date(Date.now() + 7 * DAY) });
    return token;
  }

  /** The session the invitation page signed in with, claimed as next-auth would (lib/auth/sessions.ts claimSession). */
  async function claimed() {
    const token = String(request.signedIn.at(-1)?.options.token);
    expect(await claimSession(t.db, token)).not.toBeNull();
    return token;
  }

  it("during the grace period a new member gets the time that is left: they land on the home page with the banner", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });
    at(new Date(T0.getTime() + 3 * DAY));
    const token = await invitation(o.orgId, uniqueEmail("new"));
    request.sessionToken = null;
    expect(await outcome(() => invite.acceptInvitationAction(idle, fd({ token, name: "Nia New", password: TEST_PASSWORD })))).toEqual({ redirect: "/" });
    const joined = await claimed();
    request.sessionToken = joined;
    expect(await gate(joined, "/")).toBeNull();
    expect(await banner()).toMatchObject({ deadline: "14 December 2026", when: "in 4 days" });
  });

  it("after the deadline a new member is held at setup at once", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });
    at(new Date(DEADLINE.getTime() + DAY));
    const token = await invitation(o.orgId, uniqueEmail("late"));
    request.sessionToken = null;
    expect(await outcome(() => invite.acceptInvitationAction(idle, fd({ token, name: "Leo Late", password: TEST_PASSWORD })))).toEqual({
      redirect: "/account/mfa-setup",
    });
    const joined = await claimed();
    expect(await gate(joined, "/")).toBe("/account/mfa-setup");
  });

  it("an existing account joining by invitation follows the same rule", async () => {
    at(T0);
    const o = await freshOrg();
    request.sessionToken = o.admin.token;
    await require({ when: "7" });
    const { user, org: own } = await makeUser(t.db);
    await t.db.delete(organisations).where(eq(organisations.id, own.id));
    const during = await joinWithInvitation(t.db, { token: await invitation(o.orgId, user.email), userId: user.id }, { now: new Date() });
    expect(during.ok && needsMfaSetup({ user: { mfaEnabled: false, hasTotp: false, hasPasskey: false }, organisation: during.organisation }, new Date())).toBe(false);
    expect(during.ok && needsMfaSetup({ user: { mfaEnabled: false, hasTotp: false, hasPasskey: false }, organisation: during.organisation }, DEADLINE)).toBe(true);
  });
});
