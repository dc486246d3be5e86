import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { otpChallenges, rateLimits, sessions } from "@/db/schema";
import { sessionClaimsFrom, sessionCookieName } from "@/lib/auth/cookies";
import { sessionAbsoluteMs } from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, TEST_PASSWORD } from "./helpers/fixtures";
import { formPost, request } from "./helpers/next-mocks";

// The real Auth.js configuration runs: only Next's request APIs and the database handle are stand-ins.
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/server", async () => ({ ...(await vi.importActual<object>("next/server")), ...(await import("./helpers/next-mocks")).mocks.server }));

const { POST } = await import("@/app/(auth)/login/password/route");

let t: TestDb;

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  request.sessionToken = null;
  request.cookies.clear();
  request.cookieOptions.clear();
});

const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => formPost(POST, "/login/password", fields, headers);

/** The session the cookie this response set names, with its state claim. */
async function sessionFromCookie() {
  const claims = sessionClaimsFrom(request.cookies.get(sessionCookieName()));
  if (!claims?.st) return null;
  const [row] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(claims.st)));
  return { claims, row };
}

describe("POST /login/password: the sign-in form as the page's script posts it", () => {
  it("a user without MFA gets a signed-in session cookie and JSON naming the next page", async () => {
    const { user } = await makeUser(t.db);
    const res = await post({ email: user.email, password: TEST_PASSWORD, callbackUrl: "/account" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("no-store");
    expect(await res.json()).toEqual({ status: "signed_in", to: "/account" });
    const current = await sessionFromCookie();
    expect(current?.row.userId).toBe(user.id);
    expect(current?.row.mfaState).toBe("not_required");
    // The attributes Auth.js gives its session cookie, and as long a life as a session may have (the row decides).
    expect(request.cookieOptions.get(sessionCookieName())).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", maxAge: Math.floor(sessionAbsoluteMs() / 1000) });
  });

  it("a user with SMS MFA gets a pending session, an open login challenge, and is sent to the code page", async () => {
    const { user } = await makeUser(t.db, { phone: "+31612340001" });
    const res = await post({ email: user.email, password: TEST_PASSWORD, callbackUrl: "/org/settings" });
    expect(await res.json()).toEqual({ status: "signed_in", to: `/login/verify?callbackUrl=${encodeURIComponent("/org/settings")}` });
    const current = await sessionFromCookie();
    expect(current?.row.mfaState).toBe("pending");
    expect(current?.claims.mfa).toBe("pending");
    const open = await t.db.select().from(otpChallenges).where(eq(otpChallenges.sessionId, current?.row.id ?? ""));
    expect(open).toHaveLength(1);
    expect(open[0].purpose).toBe("login");
  });

  it("a wrong password and an unknown email get the same answer, and no cookie", async () => {
    const { user } = await makeUser(t.db);
    const wrong = await (await post({ email: user.email, password: "not the password" })).json();
    const unknown = await (await post({ email: "nobody-here@example.test", password: "not the password" })).json();
    expect(wrong).toEqual({ status: "error", formError: "The email or password is not right.", email: user.email });
    expect(unknown).toEqual({ status: "error", formError: "The email or password is not right.", email: "nobody-here@example.test" });
    expect(request.cookies.has(sessionCookieName())).toBe(false);
  });

  it("bad input is answered next to its field and reserves nothing", async () => {
    const before = await t.db.select().from(rateLimits);
    const answer = await (await post({ email: "", password: "", callbackUrl: "/" })).json();
    expect(answer.status).toBe("error");
    expect(Object.keys(answer.fieldErrors).sort()).toEqual(["email", "password"]);
    expect(await t.db.select().from(rateLimits)).toHaveLength(before.length);
    expect(request.cookies.has(sessionCookieName())).toBe(false);
  });

  it("a callback URL to another site is replaced by the home page (same-origin paths only)", async () => {
    const { user } = await makeUser(t.db);
    expect(await (await post({ email: user.email, password: TEST_PASSWORD, callbackUrl: "https://evil.example/steal" })).json()).toEqual({ status: "signed_in", to: "/" });
  });

  it("the database failing is a 503 with a clear message to try again, not a wrong password, and sets no cookie", async () => {
    const { user } = await makeUser(t.db);
    // A database that refuses every query: any chain of calls on it ends in a rejected promise.
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const down: object = new Proxy(() => {}, {
      get: (_target, prop) => (prop === "then" ? (_resolve: unknown, reject: (e: Error) => void) => reject(refused) : down),
      apply: () => down,
    });
    request.db = down as typeof t.db;
    try {
      const res = await post({ email: user.email, password: TEST_PASSWORD });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const answer = await res.json();
      expect(answer).toMatchObject({ status: "error", formError: "We could not sign you in right now. Nothing was lost: try again in a moment." });
      expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|5432/);
    } finally {
      request.db = t.db;
    }
    expect(request.cookies.has(sessionCookieName())).toBe(false);
  });

  it("refuses a cross-site post, a form without a length and an oversized one before reading anything", async () => {
    const { user } = await makeUser(t.db);
    const fields = { email: user.email, password: TEST_PASSWORD };
    expect((await post(fields, { origin: "https://evil.example" })).status).toBe(403);
    const chunked = await POST(new Request("http://localhost/login/password", { method: "POST", body: "email=a", headers: { origin: "http://localhost", host: "localhost" } }));
    expect(chunked.status).toBe(411);
    expect((await post(fields, { "content-length": String(64 * 1024) })).status).toBe(413);
    expect(request.cookies.has(sessionCookieName())).toBe(false);
  });
});
