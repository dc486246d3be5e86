import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { emailOutbox, mfaFactors, sessions, users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import { resetLinkCookieName } from "@/lib/auth/cookies";
import { generateTotpSecret, totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { getTestDb, type TestDb } from "./helpers/db";
import { latestQueued, queuedEmails, tokenOf } from "./helpers/emails";
import { makeUser, uniqueEmail } from "./helpers/fixtures";
import { formData as fd, outcome, request } from "./helpers/next-mocks";

/** `after` runs its work once the response is out; here it is collected, and run by the test (settle). */
const afterWork: (() => Promise<unknown>)[] = [];
vi.mock("next/server", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/server")>()),
  after: (work: () => Promise<unknown>) => {
    afterWork.push(work);
  },
}));
vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const forgot = await import("@/app/(auth)/forgot-password/actions");
const reset = await import("@/app/(auth)/reset-password/actions");
const linkRoute = await import("@/app/(auth)/reset-password/[token]/route");
const account = await import("@/app/(app)/account/email-actions");
const confirm = await import("@/app/(auth)/confirm-email/[token]/actions");

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  request.sessionToken = null;
  request.cookies.clear();
  request.cookieOptions.clear();
  afterWork.length = 0;
});

const settle = async () => {
  await Promise.all(afterWork.splice(0).map((work) => work()));
};

/** Opens an emailed reset link as the browser does: the route puts the token in the cookie and redirects. */
async function openResetLink(token: string) {
  return linkRoute.GET(new Request(`http://localhost/reset-password/${token}`), { params: Promise.resolve({ token }) });
}

async function emailedResetToken(email: string) {
  await forgot.forgotPasswordAction({ status: "idle" }, fd({ email }));
  await settle();
  return tokenOf(await latestQueued(t.db, email, "password_reset"));
}

describe("Forgot password?", () => {
  it("answers exactly the same for an address with an account and one without, and emails only the account", async () => {
    const { user } = await makeUser(t.db);
    const unknown = uniqueEmail("nobody");
    const known = await forgot.forgotPasswordAction({ status: "idle" }, fd({ email: user.email }));
    const ghost = await forgot.forgotPasswordAction({ status: "idle" }, fd({ email: unknown }));
    expect(known).toEqual({ status: "sent", email: user.email });
    expect(ghost).toEqual({ status: "sent", email: unknown });
    // The answer came before any of the work (it runs after the response): nothing was queued yet.
    expect(afterWork).toHaveLength(2);
    expect(await queuedEmails(t.db, user.email)).toEqual([]);
    await settle();
    expect((await queuedEmails(t.db, user.email)).map((m) => m.template)).toEqual(["password_reset"]);
    expect(await queuedEmails(t.db, unknown)).toEqual([]);
    // The work after the response sends what it queued, at its end: the link does not wait for the periodic sweep.
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, user.email));
    expect(row).toMatchObject({ status: "sent", sealedProps: null });
  });

  it("answers a malformed address next to the field and schedules nothing", async () => {
    for (const email of ["", "not an address", "a".repeat(300)]) {
      const state = await forgot.forgotPasswordAction({ status: "idle" }, fd({ email }));
      expect(state).toMatchObject({ status: "error", fieldErrors: { email: expect.any(String) } });
    }
    expect(afterWork).toHaveLength(0);
  });
});

describe("the reset link's route and page actions", () => {
  it("moves the token into an HttpOnly cookie for the reset path only and redirects without it, sending no Referer", async () => {
    const { user } = await makeUser(t.db);
    const token = await emailedResetToken(user.email);
    const res = await openResetLink(token);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/reset-password");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(request.cookies.get(resetLinkCookieName())).toBe(token);
    expect(request.cookieOptions.get(resetLinkCookieName())).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/reset-password", maxAge: 1800 });
    // A malformed token is not kept: the page then says the link does not work.
    await openResetLink("not-a-token");
    expect(request.cookies.get(resetLinkCookieName())).toBe("invalid");
  });

  it("sets the new password from the cookie's link, clears the cookie and sends the person to sign in", async () => {
    const { user } = await makeUser(t.db);
    const { token: sessionToken, session } = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
    await openResetLink(await emailedResetToken(user.email));
    const weak = await reset.setNewPasswordAction({ status: "idle" }, fd({ password: "password" }));
    expect(weak).toMatchObject({ status: "error", fieldErrors: { password: expect.stringContaining("too common") } });
    const done = await outcome(() => reset.setNewPasswordAction({ status: "idle" }, fd({ password: "a fresh reset passphrase" })));
    expect(done).toEqual({ redirect: "/login?notice=password_reset" });
    expect(request.cookies.get(resetLinkCookieName())).toBe("");
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(await verifyPassword("a fresh reset passphrase", row.passwordHash)).toBe(true);
    expect((await t.db.select().from(sessions).where(eq(sessions.id, session.id)))[0].revokedAt).not.toBeNull();
    expect(sessionToken).toBeTruthy();
    // Without a (working) link the page is where the person learns why.
    expect(await outcome(() => reset.setNewPasswordAction({ status: "idle" }, fd({ password: "another fresh passphrase" })))).toEqual({ redirect: "/reset-password" });
  });

  it("asks an MFA account for its code: a wrong one is answered with the tries left, the fifth ends the link", async () => {
    const { user } = await makeUser(t.db);
    const secret = generateTotpSecret();
    await t.db.insert(mfaFactors).values({ userId: user.id, kind: "totp", secretCiphertext: encryptTotpSecret(user.id, secret), verifiedAt: new Date() });
    await openResetLink(await emailedResetToken(user.email));
    expect(await outcome(() => reset.setNewPasswordAction({ status: "idle" }, fd({ password: "a fresh reset passphrase" })))).toEqual({ redirect: "/reset-password" });
    const wrong = totpCodeAt(secret, new Date(Date.now() + 3_600_000));
    expect(await reset.checkResetCodeAction({ status: "idle" }, fd({ method: "totp", code: wrong }))).toEqual({
      status: "error",
      message: expect.stringMatching(/not right.*4 tries left/),
    });
    for (let i = 0; i < 3; i += 1) await reset.checkResetCodeAction({ status: "idle" }, fd({ method: "totp", code: wrong }));
    expect(await outcome(() => reset.checkResetCodeAction({ status: "idle" }, fd({ method: "totp", code: wrong })))).toEqual({
      redirect: "/reset-password?problem=locked",
    });
  });
});

describe("changing the email address from My account", () => {
  it("needs a session, then the step-up; confirming keeps this browser signed in", async () => {
    expect(await outcome(() => account.requestEmailChangeAction(fd({ email: uniqueEmail("x") })))).toEqual({ redirect: "/login" });
    const { user } = await makeUser(t.db);
    const here = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
    const elsewhere = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
    request.sessionToken = here.token;
    const wanted = uniqueEmail("moved");
    expect(await account.requestEmailChangeAction(fd({ email: wanted }))).toMatchObject({ status: "error", stepUp: true });
    expect(await account.requestEmailChangeAction(fd({ email: "nope" }))).toMatchObject({ status: "error", field: "email" });
    await t.db.update(sessions).set({ reauthenticatedAt: new Date() }).where(eq(sessions.id, here.session.id));
    expect(await account.requestEmailChangeAction(fd({ email: wanted.toUpperCase() }))).toEqual({ status: "sent", email: wanted });
    const token = tokenOf(await latestQueued(t.db, wanted, "change_email"));
    expect(await confirm.confirmEmailAction({ status: "idle" }, fd({ token }))).toEqual({ status: "done", email: wanted, signedIn: true });
    expect((await t.db.select().from(sessions).where(eq(sessions.id, here.session.id)))[0].revokedAt).toBeNull();
    expect((await t.db.select().from(sessions).where(eq(sessions.id, elsewhere.session.id)))[0].revokedAt).not.toBeNull();
    expect(await confirm.confirmEmailAction({ status: "idle" }, fd({ token }))).toEqual({ status: "error", message: expect.stringContaining("no longer works") });
  });
});
