import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, invitations, users } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { sha256 } from "@/lib/crypto/tokens";
import { createInvitation } from "@/lib/org/invitations";
import { grantStepUp } from "./helpers/step-up";
import { getTestDb, type TestDb } from "./helpers/db";
import { countAll, countRows, makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";
import { startHibpStandIn } from "./helpers/hibp-stand-in";
import { outcome, request, formData as fd } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);
// The real blocklist, watched: sign-in must never consult it.
vi.mock("@/lib/auth/password-blocklist", async (original) => {
  const real = await original<typeof import("@/lib/auth/password-blocklist")>();
  return { ...real, isCommonPassword: vi.fn(real.isCommonPassword) };
});

const { isCommonPassword } = await import("@/lib/auth/password-blocklist");
const { signUpAction } = await import("@/app/(auth)/signup/actions");
const invite = await import("@/app/(auth)/invite/[token]/actions");
const account = await import("@/app/(app)/account/actions");

const COMMON = "Password123";
const TOO_COMMON = expect.stringMatching(/^This password is too common: .*leaked/);
let t: TestDb;

const everything = async () => ({
  ...(await countAll(t.db)),
  audit: await countRows(t.db, auditEvents),
  invitations: JSON.stringify(await t.db.select().from(invitations).orderBy(invitations.id)),
});

/** An admin with a signed-in session and a pending invitation to `email`. */
async function adminWithInvitation(email: string) {
  const { user, org } = await makeUser(t.db, { role: "admin" });
  const session = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
  await grantStepUp(t.db, { userId: user.id, sessionId: session.session.id });
  const created = await createInvitation(t.db, { userId: user.id, sessionId: session.session.id, organisationId: org.id }, { email, role: "member" });
  if (!created.ok) throw new Error(created.error);
  return { user, sessionToken: session.token, invitationToken: created.token };
}

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  request.sessionToken = null;
  request.signedIn.length = 0;
  vi.mocked(isCommonPassword).mockClear();
});

describe("a new password on the blocklist is refused with the reason, and nothing changes", () => {
  it("at sign-up, next to the password field, in any case", async () => {
    for (const password of [COMMON, "PASSWORD123", "iloveyou2"]) {
      const before = await everything();
      const result = await outcome(() => signUpAction({ status: "idle" }, fd({ name: "Ada", email: "common@x.example", password, organisation: "Common Ltd" })));
      expect(result).toEqual({ value: { status: "error", fieldErrors: { password: TOO_COMMON }, values: expect.any(Object) } });
      expect(JSON.stringify(result)).not.toContain(password);
      expect(await everything()).toEqual(before);
    }
  });

  it("when joining by invitation; the invitation stays unused", async () => {
    const { invitationToken } = await adminWithInvitation("joiner@x.example");
    const before = await everything();
    const result = await invite.acceptInvitationAction({ status: "idle" }, fd({ token: invitationToken, name: "Joiner", password: COMMON }));
    expect(result).toEqual({ status: "error", fieldErrors: { password: TOO_COMMON }, name: "Joiner" });
    expect(await everything()).toEqual(before);
    const [row] = await t.db.select().from(invitations).where(eq(invitations.tokenHash, sha256(invitationToken)));
    expect(row.acceptedAt).toBeNull();
  });

  it("when changing the password, before the current password is even checked", async () => {
    const { user } = await makeUser(t.db);
    request.sessionToken = (await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false })).token;
    const before = await everything();
    const result = await account.changePasswordAction({ status: "idle" }, fd({ currentPassword: TEST_PASSWORD, newPassword: COMMON }));
    expect(result).toEqual({ status: "error", fieldErrors: { newPassword: TOO_COMMON } });
    expect(await everything()).toEqual(before);
    const [row] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id));
    expect(await verifyPassword(TEST_PASSWORD, row.hash)).toBe(true);
  });

  it("while an unlisted new password goes through on each path (the allowed twin)", async () => {
    const fresh = "quiet meadowlark 42";
    expect(await outcome(() => signUpAction({ status: "idle" }, fd({ name: "Ada", email: "fresh@x.example", password: fresh, organisation: "Fresh Ltd" })))).toEqual({
      value: { status: "sent", email: "fresh@x.example" },
    });
    const { user } = await makeUser(t.db);
    request.sessionToken = (await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false })).token;
    expect(await account.changePasswordAction({ status: "idle" }, fd({ currentPassword: TEST_PASSWORD, newPassword: fresh }))).toMatchObject({ status: "success" });
  });
});

describe("signing in", () => {
  it("never consults the blocklist, so an existing password that is on it still signs in", async () => {
    const { user } = await makeUser(t.db);
    await t.db.update(users).set({ passwordHash: await hashPassword(COMMON) }).where(eq(users.id, user.id));
    const result = await signInWithPassword(t.db, { sms: recordingSms().sender, host: "localhost" }, { email: user.email, password: COMMON });
    expect(result).toMatchObject({ ok: true });
    expect(isCommonPassword).not.toHaveBeenCalled();
  });
});

describe("with PASSWORD_BREACH_CHECK=hibp, a new password Have I Been Pwned has seen is refused too", () => {
  const BREACHED = "grape jelly 1987";
  const BREACHED_MESSAGE = expect.stringMatching(/^This password appeared in a data breach/);
  let hibp: Awaited<ReturnType<typeof startHibpStandIn>>;
  beforeAll(async () => {
    hibp = await startHibpStandIn({ [BREACHED]: 42 });
  });
  afterAll(async () => {
    await hibp?.close();
  });
  beforeEach(() => {
    vi.stubEnv("PASSWORD_BREACH_CHECK", "hibp");
    vi.stubEnv("PASSWORD_BREACH_CHECK_URL", hibp.url);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    hibp.setMode("ok");
  });

  it("at sign-up, when joining by invitation and when changing the password; nothing changes", async () => {
    const { user, sessionToken, invitationToken } = await adminWithInvitation("breach-joiner@x.example");
    const before = await everything();

    const signUp = await outcome(() => signUpAction({ status: "idle" }, fd({ name: "Ada", email: "breach@x.example", password: BREACHED, organisation: "Breach Ltd" })));
    expect(signUp).toEqual({ value: { status: "error", fieldErrors: { password: BREACHED_MESSAGE }, values: expect.any(Object) } });
    expect(await invite.acceptInvitationAction({ status: "idle" }, fd({ token: invitationToken, name: "Joiner", password: BREACHED }))).toEqual({
      status: "error",
      fieldErrors: { password: BREACHED_MESSAGE },
      name: "Joiner",
    });
    request.sessionToken = sessionToken;
    expect(await account.changePasswordAction({ status: "idle" }, fd({ currentPassword: TEST_PASSWORD, newPassword: BREACHED }))).toEqual({
      status: "error",
      fieldErrors: { newPassword: BREACHED_MESSAGE },
    });
    expect(await everything()).toEqual(before);
    const [row] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id));
    expect(await verifyPassword(TEST_PASSWORD, row.hash)).toBe(true);
  });

  it("while the range API is down, the same password goes through (the blocklist still applied), and the log names neither it nor its hash", async () => {
    hibp.setMode("http503");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(await outcome(() => signUpAction({ status: "idle" }, fd({ name: "Ada", email: "breach-down@x.example", password: BREACHED, organisation: "Down Ltd" })))).toEqual({
        value: { status: "sent", email: "breach-down@x.example" },
      });
      expect(warn.mock.calls.flat().join("\n")).toMatch(/breach check answered HTTP 503/);
      expect(warn.mock.calls.flat().join("\n")).not.toContain(BREACHED);
    } finally {
      warn.mockRestore();
    }
  });
});
