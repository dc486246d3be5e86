import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/connect";
import { otpChallenges, sessions } from "@/db/schema";
import { findActiveSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { sha256 } from "@/lib/crypto/tokens";
import { BACKUP_LEFT_COOKIE } from "@/lib/auth/cookies";
import { generateBackupCodes } from "@/lib/mfa/backup-codes/codes";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";
import { formPost, request } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);

const { POST } = await import("@/app/(auth)/login/verify/code/route");
const { refusalFromParams } = await import("@/app/(auth)/login/verify/submit-code");

let t: TestDb;
const sms = recordingSms();
const PHONE = "+31612345679";

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  request.signedIn.length = 0;
  request.cookies.clear();
  request.cookieOptions.clear();
});

/** A user past the password step: the "browser" holds the pending cookie, the code is on the phone. */
async function pendingSignIn(phone = PHONE) {
  const u = await makeUser(t.db, { phone });
  const result = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost" }, { email: u.user.email, password: TEST_PASSWORD });
  if (!result.ok || result.mfaState !== "pending") throw new Error("expected a pending sign-in");
  const [session] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(result.token)));
  const challenge = await findOpenChallenge(t.db, session.id, "login");
  if (!challenge) throw new Error("no challenge");
  request.sessionToken = result.token;
  return { ...u, pendingToken: result.token, challenge, code: sms.lastCode(phone) };
}

const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => formPost(POST, "/login/verify/code", fields, headers);

const attempts = async (id: string) => (await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, id)))[0].attempts;

describe("POST /login/verify/code", () => {
  it("signs in with the right code: a new verified session's cookie, the pending one dead, and where to go", async () => {
    const s = await pendingSignIn();
    const res = await post({ challengeId: s.challenge.id, code: s.code, method: "sms", callbackUrl: "/org/settings" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "signed_in", to: "/org/settings" });
    const issued = request.signedIn.find((x) => x.provider === "cookie");
    expect(issued?.options.mfaState).toBe("verified");
    const token = String(issued?.options.token);
    expect(token).not.toBe(s.pendingToken);
    expect((await findActiveSession(t.db, token))?.session.mfaState).toBe("verified");
    expect(await findActiveSession(t.db, s.pendingToken)).toBeNull();
  });

  it("never sends the browser off-site after sign-in", async () => {
    const s = await pendingSignIn();
    const res = await post({ challengeId: s.challenge.id, code: s.code, callbackUrl: "//evil.example/x" });
    expect(await res.json()).toEqual({ status: "signed_in", to: "/" });
  });

  it("refuses another origin, a missing origin and an oversized body before looking at the code", async () => {
    const s = await pendingSignIn();
    const fields = { challengeId: s.challenge.id, code: "000000" };
    expect((await post(fields, { origin: "https://evil.example" })).status).toBe(403);
    expect((await post(fields, { origin: "null" })).status).toBe(403);
    expect((await post(fields, { "content-length": String(2 * 1024 * 1024) })).status).toBe(413);
    // A body of unknown size (chunked, no Content-Length) is not read at all.
    const chunked = new Request("http://localhost/login/verify/code", {
      method: "POST",
      body: new URLSearchParams(fields).toString(),
      headers: { origin: "http://localhost", host: "localhost", accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    });
    expect((await POST(chunked)).status).toBe(411);
    expect(await attempts(s.challenge.id)).toBe(0);
    expect(request.signedIn).toHaveLength(0);
  });

  it("without JavaScript: a wrong code comes back to the challenge page with the reason in the URL", async () => {
    const s = await pendingSignIn();
    const wrong = s.code === "000000" ? "111111" : "000000";
    const res = await post({ challengeId: s.challenge.id, code: wrong, method: "sms", callbackUrl: "/account" }, { accept: "text/html" });
    expect(res.status).toBe(303);
    const location = String(res.headers.get("location"));
    // Relative: the browser resolves it against the address it used, whatever Next thinks the host is.
    expect(location.startsWith("/login/verify?")).toBe(true);
    const to = new URL(location, "http://app.example");
    expect(to.pathname).toBe("/login/verify");
    expect(Object.fromEntries(to.searchParams)).toEqual({ method: "sms", error: "code_wrong", left: "4", callbackUrl: "/account" });
    expect(refusalFromParams(Object.fromEntries(to.searchParams), "sms")).toMatch(/not right.*4 tries left/);
    expect(await attempts(s.challenge.id)).toBe(1);
  });

  it("without JavaScript: the right code is a 303 to the destination", async () => {
    const s = await pendingSignIn();
    const res = await post({ challengeId: s.challenge.id, code: s.code, callbackUrl: "/account" }, { accept: "text/html" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account");
  });

  describe("the backup-codes-left cookie after a sign-in with a backup code", () => {
    const saved = process.env.AUTH_COOKIE_SECURE;
    afterAll(() => {
      if (saved === undefined) delete process.env.AUTH_COOKIE_SECURE;
      else process.env.AUTH_COOKIE_SECURE = saved;
    });

    for (const secure of [true, false]) {
      it(`is ${secure ? "Secure, like the session cookie, where cookies are secure" : "not Secure where the session cookie is not either"}, HttpOnly and short-lived`, async () => {
        process.env.AUTH_COOKIE_SECURE = String(secure);
        const s = await pendingSignIn(secure ? "+31612345681" : "+31612345682");
        const [code] = await generateBackupCodes(t.db, s.user.id);
        const res = await post({ challengeId: s.challenge.id, code, method: "backup" });
        expect(await res.json()).toMatchObject({ status: "signed_in" });
        expect(request.cookies.get(BACKUP_LEFT_COOKIE)).toBe("9");
        expect(request.cookieOptions.get(BACKUP_LEFT_COOKIE)).toMatchObject({ secure, httpOnly: true, sameSite: "lax", maxAge: 120, path: "/" });
      });
    }
  });

  it("shows only its own refusals from a URL, never text someone put there", () => {
    expect(refusalFromParams({ error: "<script>alert(1)</script>" }, "sms")).toBeNull();
    expect(refusalFromParams({ error: "toString" }, "sms")).toBeNull();
    expect(refusalFromParams({ error: "code_expired" }, "sms")).toMatch(/expired/);
  });

  it("answers 503 with a clear message when the database is down, and keeps the pending sign-in", async () => {
    const s = await pendingSignIn();
    // Every query fails the way a stopped Postgres makes it fail (the object itself is not a promise).
    const refuse = () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    };
    const broken = new Proxy({}, { get: (_, key) => (key === "then" ? undefined : refuse) }) as unknown as Db;
    request.db = broken;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await post({ challengeId: s.challenge.id, code: s.code });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "error", message: expect.stringMatching(/could not check your code right now/) });
      expect(errors.mock.calls.flat().join(" ")).not.toContain(s.code);
    } finally {
      errors.mockRestore();
      request.db = t.db;
    }
    const res = await post({ challengeId: s.challenge.id, code: s.code });
    expect(await res.json()).toMatchObject({ status: "signed_in" });
  });
});
