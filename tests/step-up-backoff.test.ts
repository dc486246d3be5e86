import bcrypt from "bcrypt";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, sessions, users } from "@/db/schema";
import { changePassword } from "@/lib/auth/password-change";
import { createSession } from "@/lib/auth/sessions";
import { confirmPassword } from "@/lib/auth/reauth";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, TEST_PASSWORD } from "./helpers/fixtures";
import { request, formData as fd } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const mfa = await import("@/app/(app)/account/mfa-actions");
const account = await import("@/app/(app)/account/actions");
const orgSettings = await import("@/app/(app)/org/settings/actions");

let t: TestDb;
const T0 = new Date("2030-01-01T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const WRONG = "not my password";
const THROTTLED = /^Too many wrong passwords\. Try again in \d+ seconds\.$/;

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await t.close();
});

/** A signed-in user; `confirm` re-enters a password in this session at a given moment. */
async function signedIn(role: "admin" | "member" = "member") {
  const { user, org } = await makeUser(t.db, { role });
  const { token, session } = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
  const confirm = (password: string, now: Date, sessionId = session.id) =>
    confirmPassword(t.db, { userId: user.id, sessionId, organisationId: org.id, password, now, info: { ip: "203.0.113.9", userAgent: "vitest" } });
  const stamped = async () => (await t.db.select({ r: sessions.reauthenticatedAt }).from(sessions).where(eq(sessions.id, session.id)))[0].r;
  return { user, org, token, session, confirm, stamped };
}

describe("confirming the password while signed in backs off after wrong guesses", () => {
  it("four wrong passwords say so; the fifth blocks for 30 seconds and says when to try again", async () => {
    const s = await signedIn();
    for (let i = 0; i < 4; i++) expect(await s.confirm(WRONG, at(i * 1000))).toEqual({ ok: false, error: "password_wrong" });
    expect(await s.confirm(WRONG, at(4000))).toEqual({ ok: false, error: "password_throttled", retryAt: at(34_000) });
  });

  it("refuses even the right password while blocked, without running bcrypt, and leaves the session unstamped", async () => {
    const s = await signedIn();
    for (let i = 0; i < 5; i++) await s.confirm(WRONG, T0);
    const compare = vi.spyOn(bcrypt, "compare");
    expect(await s.confirm(TEST_PASSWORD, at(29_000))).toEqual({ ok: false, error: "password_throttled", retryAt: at(30_000) });
    expect(compare).not.toHaveBeenCalled();
    expect(await s.stamped()).toBeNull();
  });

  it("after the delay the right password works and clears the count; the next wrong one doubles nothing", async () => {
    const s = await signedIn();
    for (let i = 0; i < 5; i++) await s.confirm(WRONG, T0);
    expect(await s.confirm(TEST_PASSWORD, at(30_000))).toEqual({ ok: true });
    expect(await s.stamped()).toEqual(at(30_000));
    for (let i = 0; i < 4; i++) expect(await s.confirm(WRONG, at(31_000))).toEqual({ ok: false, error: "password_wrong" });
  });

  it("each further wrong password doubles the delay", async () => {
    const s = await signedIn();
    for (let i = 0; i < 5; i++) await s.confirm(WRONG, T0);
    expect(await s.confirm(WRONG, at(30_000))).toEqual({ ok: false, error: "password_throttled", retryAt: at(90_000) });
  });

  it("the count lives in the database: every session of the user and the password-change form share it; other users do not", async () => {
    const s = await signedIn();
    const other = await createSession(t.db, { userId: s.user.id, mfaState: "not_required", handoff: false });
    for (let i = 0; i < 3; i++) await s.confirm(WRONG, T0);
    await s.confirm(WRONG, T0, other.session.id);
    const change = await changePassword(
      t.db,
      { userId: s.user.id, sessionId: s.session.id, organisationId: s.org.id },
      { currentPassword: WRONG, newPassword: "a brand new passphrase", now: T0 },
    );
    expect(change).toEqual({ ok: false, field: "currentPassword", message: expect.stringMatching(THROTTLED) });
    expect(await s.confirm(TEST_PASSWORD, at(1000), other.session.id)).toMatchObject({ ok: false, error: "password_throttled" });

    const bystander = await signedIn();
    expect(await bystander.confirm(TEST_PASSWORD, at(1000))).toEqual({ ok: true });
  });

  it("a blocked password change changes nothing, even with the right current password", async () => {
    const s = await signedIn();
    for (let i = 0; i < 5; i++) await s.confirm(WRONG, T0);
    const [before] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, s.user.id));
    const change = await changePassword(
      t.db,
      { userId: s.user.id, sessionId: s.session.id, organisationId: s.org.id },
      { currentPassword: TEST_PASSWORD, newPassword: "a brand new passphrase", now: at(1000) },
    );
    expect(change).toMatchObject({ ok: false, field: "currentPassword" });
    const [after] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, s.user.id));
    expect(after.hash).toBe(before.hash);
  });

  it("audits each wrong password (never the password itself) and nothing while blocked", async () => {
    const s = await signedIn();
    for (let i = 0; i < 6; i++) await s.confirm(WRONG, T0);
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, s.user.id), eq(auditEvents.action, "step_up.failed_password")));
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({ organisationId: s.org.id, ip: "203.0.113.9" });
    expect(JSON.stringify(events)).not.toContain(WRONG);
  });
});

describe("every form that asks for the current password shows the throttle", () => {
  async function blocked(role: "admin" | "member" = "member") {
    const s = await signedIn(role);
    request.sessionToken = s.token;
    for (let i = 0; i < 5; i++) await s.confirm(WRONG, new Date());
    return s;
  }

  it("the MFA dialogs' password step", async () => {
    const s = await blocked();
    const result = await mfa.confirmPasswordAction(fd({ password: TEST_PASSWORD }));
    expect(result).toEqual({ status: "error", field: "password", message: expect.stringMatching(THROTTLED) });
    expect(await s.stamped()).toBeNull();
  });

  it("the MFA dialogs' password step says a wrong password is wrong before the limit", async () => {
    const s = await signedIn();
    request.sessionToken = s.token;
    expect(await mfa.confirmPasswordAction(fd({ password: WRONG }))).toEqual({ status: "error", field: "password", message: "That password is not right." });
  });

  it("changing the password", async () => {
    await blocked();
    const result = await account.changePasswordAction({ status: "idle" }, fd({ currentPassword: TEST_PASSWORD, newPassword: "a brand new passphrase" }));
    expect(result).toEqual({ status: "error", fieldErrors: { currentPassword: expect.stringMatching(THROTTLED) } });
  });

  it("requiring MFA and choosing methods in organisation settings: their password is the step-up dialog's, blocked the same", async () => {
    const s = await blocked("admin");
    const confirmed = await mfa.confirmPasswordAction(fd({ password: TEST_PASSWORD }));
    expect(confirmed).toEqual({ status: "error", field: "password", message: expect.stringMatching(THROTTLED) });
    // Without the proof the changes are refused, whatever password the form carries.
    const required = await orgSettings.setMfaRequirementAction({ status: "idle" }, fd({ required: "on", password: TEST_PASSWORD }));
    expect(required).toEqual({ status: "error", message: "Confirm it is you first.", stepUp: true });
    const methods = await orgSettings.setMfaMethodsAction({ status: "idle" }, fd({ methods: "totp_only", password: TEST_PASSWORD }));
    expect(methods).toEqual({ status: "error", message: "Confirm it is you first.", stepUp: true });
    expect(await s.stamped()).toBeNull();
    const orgEvents = await t.db.select().from(auditEvents).where(eq(auditEvents.organisationId, s.org.id));
    expect(orgEvents.map((e) => e.action).filter((a) => a.startsWith("org."))).toEqual([]);
  });
});
