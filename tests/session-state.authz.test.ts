import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { memberships, mfaFactors, organisations, otpChallenges, sessions, smsMessages, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { createSession, revokeSession } from "@/lib/auth/sessions";
import { getTestDb, type TestDb } from "./helpers/db";
import { outcome, request, formData as fd } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const mfa = await import("@/app/(app)/account/mfa-actions");
const verify = await import("@/app/(auth)/login/verify/actions");
const trustedBrowsers = await import("@/app/(app)/account/trusted-browsers-actions");
const codeRoute = await import("@/app/(auth)/login/verify/code/route");

/** Posts the code form the way the challenge page's script does. */
function postCode(fields: Record<string, string>) {
  const body = new URLSearchParams(fields).toString();
  return codeRoute.POST(
    new Request("http://localhost/login/verify/code", {
      method: "POST",
      body,
      headers: { origin: "http://localhost", host: "localhost", accept: "application/json", "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) },
    }),
  );
}
const pages = {
  home: (await import("@/app/(app)/page")).default,
  account: (await import("@/app/(app)/account/page")).default,
  mfaSetup: (await import("@/app/(app)/account/mfa-setup/page")).default,
  appLayout: (await import("@/app/(app)/layout")).default,
  verify: (await import("@/app/(auth)/login/verify/page")).default,
};

let t: TestDb;
const tokens = { pending: "", active: "", revoked: "" };
const PASSWORD = "right-password-1";

async function snapshot() {
  const db = t.db;
  const [c] = await db.select({ n: count() }).from(otpChallenges);
  const [f] = await db.select({ n: count() }).from(mfaFactors);
  const [s] = await db.select({ n: count() }).from(smsMessages);
  const reauth = await db.select({ id: sessions.id, r: sessions.reauthenticatedAt, revoked: sessions.revokedAt }).from(sessions);
  return JSON.stringify({ c, f, s, reauth });
}

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  const [org] = await t.db.insert(organisations).values({ name: "Org" }).returning();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Pat Pending", email: "pat@example.com", passwordHash: await hashPassword(PASSWORD) })
    .returning();
  await t.db.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "admin" });
  tokens.pending = (await createSession(t.db, { userId: user.id, mfaState: "pending", handoff: false })).token;
  tokens.active = (await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false })).token;
  const revoked = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
  await revokeSession(t.db, revoked.session.id, "signed_out");
  tokens.revoked = revoked.token;
});

afterAll(async () => {
  await t.close();
});

const actions: [string, () => Promise<unknown>][] = [
  ["confirm password", () => mfa.confirmPasswordAction(fd({ password: PASSWORD }))],
  ["send enrolment code", () => mfa.sendEnrollmentCodeAction(fd({ phone: "+31612345678", phoneCountry: "NL" }))],
  ["send step-up code", () => mfa.sendStepUpCodeAction()],
  ["resend code", () => mfa.resendCodeAction(fd({ challengeId: "00000000-0000-0000-0000-000000000000" }))],
  ["check code", () => mfa.checkCodeAction(fd({ challengeId: "00000000-0000-0000-0000-000000000000", code: "123456" }))],
  ["save enrolment", () => mfa.saveEnrollmentAction(fd({ challengeId: "00000000-0000-0000-0000-000000000000" }))],
  ["turn MFA off", () => mfa.disableMfaAction(fd({ stepUpChallengeId: "00000000-0000-0000-0000-000000000000" }))],
  ["forget a trusted browser", () => trustedBrowsers.forgetTrustedBrowserAction(fd({ id: "00000000-0000-0000-0000-000000000000" }))],
  ["forget all trusted browsers", () => trustedBrowsers.forgetAllTrustedBrowsersAction(fd({}))],
];

const pageCases: [string, () => Promise<unknown>][] = [
  ["home page", () => pages.home()],
  ["My account page", () => pages.account()],
  ["MFA setup page", () => pages.mfaSetup({ searchParams: Promise.resolve({}) })],
  ["app layout", () => pages.appLayout({ children: null })],
];

describe("a session still pending its second factor", () => {
  for (const [name, run] of [...actions, ...pageCases]) {
    it(`is sent to the challenge by the ${name} and changes nothing`, async () => {
      request.sessionToken = tokens.pending;
      const before = await snapshot();
      expect(await outcome(run)).toEqual({ redirect: "/login/verify" });
      expect(await snapshot()).toBe(before);
    });
  }

  it("may open the challenge page", async () => {
    request.sessionToken = tokens.pending;
    const result = await outcome(() => pages.verify({ searchParams: Promise.resolve({}) }));
    expect(result).toHaveProperty("value");
  });

  it("cannot check a login code without the challenge page's own checks (wrong challenge is refused)", async () => {
    request.sessionToken = tokens.pending;
    const res = await postCode({ challengeId: "x", code: "123456" });
    expect(await res.json()).toMatchObject({ status: "error", message: expect.stringMatching(/no longer open/) });
  });
});

describe("a signed-out or revoked cookie", () => {
  for (const [label, token] of [
    ["signed out", () => null],
    ["revoked (replayed after sign-out)", () => tokens.revoked],
  ] as const) {
    for (const [name, run] of [...actions, ...pageCases]) {
      it(`${label}: the ${name} sends to sign-in and changes nothing`, async () => {
        request.sessionToken = token();
        const before = await snapshot();
        expect(await outcome(run)).toEqual({ redirect: "/login" });
        expect(await snapshot()).toBe(before);
      });
    }
    it(`${label}: the challenge page and its actions send to sign-in`, async () => {
      request.sessionToken = token();
      expect(await outcome(() => pages.verify({ searchParams: Promise.resolve({}) }))).toEqual({ redirect: "/login" });
      expect(await outcome(() => verify.resendLoginCodeAction({ status: "idle" }, fd({ challengeId: "x" })))).toEqual({ redirect: "/login" });
      expect(await (await postCode({ challengeId: "x", code: "123456" })).json()).toEqual({ status: "redirect", to: "/login" });
    });
  }
});

describe("a fully signed-in session (the allowed twin)", () => {
  it("confirms the password", async () => {
    request.sessionToken = tokens.active;
    expect(await outcome(() => mfa.confirmPasswordAction(fd({ password: PASSWORD })))).toEqual({ value: { status: "ok" } });
  });
  it("renders My account", async () => {
    request.sessionToken = tokens.active;
    expect(await outcome(() => pages.account())).toHaveProperty("value");
  });
  it("is sent away from the challenge page", async () => {
    request.sessionToken = tokens.active;
    expect(await outcome(() => pages.verify({ searchParams: Promise.resolve({}) }))).toEqual({ redirect: "/" });
  });
});
