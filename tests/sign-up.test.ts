import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, emailOutbox, emailTokens, knownDevices, memberships, organisations, users } from "@/db/schema";
import { newDeviceId } from "@/lib/auth/devices";
import { resendVerificationEmail, verifyEmail } from "@/lib/auth/email-verification";
import { signUpSchema } from "@/lib/auth/schemas";
import { signUp } from "@/lib/auth/sign-up";
import { getTestDb, type TestDb } from "./helpers/db";
import { linkToken, queuedEmails } from "./helpers/emails";
import { countAll, countRows } from "./helpers/fixtures";
import { formData as form, outcome, request } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const { signUpAction } = await import("@/app/(auth)/signup/actions");

let t: TestDb;
const PASSWORD = "a long enough secret";
const good = { name: "Ada Admin", email: "admin@x.example", password: PASSWORD, organisation: "Example Ltd" };

const submit = (values: Record<string, string | undefined>) => outcome(() => signUpAction({ status: "idle" }, form(values)));
const counts = async () => ({ ...(await countAll(t.db)), audit: await countRows(t.db, auditEvents) });
const userByEmail = async (email: string) => (await t.db.select().from(users).where(eq(users.email, email)))[0];

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  request.sessionToken = null;
});
afterAll(async () => {
  await t?.close();
});

describe("a good sign-up", () => {
  it("creates the organisation and the user as its admin, signs nobody in, and emails a link to prove the address", async () => {
    const before = await counts();
    const result = await submit(good);

    expect(result).toEqual({ value: { status: "sent", email: "admin@x.example" } });
    expect(request.signedIn).toHaveLength(0);
    const user = await userByEmail("admin@x.example");
    expect(user).toMatchObject({ name: "Ada Admin", mfaEnabled: false, emailVerifiedAt: null });
    expect(user.passwordHash).not.toContain(PASSWORD);
    const [membership] = await t.db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(membership.role).toBe("admin");
    const [org] = await t.db.select().from(organisations).where(eq(organisations.id, membership.organisationId));
    expect(org).toMatchObject({ name: "Example Ltd", mfaRequired: false });
    expect(await counts()).toEqual({ ...before, users: before.users + 1, organisations: before.organisations + 1, memberships: before.memberships + 1, audit: before.audit + 1 });

    const [email] = await queuedEmails(t.db, "admin@x.example");
    expect(email).toMatchObject({ template: "verify_email", userId: user.id, props: { name: "Ada Admin", hours: 24 } });
    expect(String(email.props.link)).toMatch(/^http:\/\/localhost:3000\/verify-email\/[A-Za-z0-9_-]{43}$/);
    // The link is sealed in the outbox row and only its hash is a token row.
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, email.id));
    expect(JSON.stringify(row)).not.toContain(await linkToken(t.db, "admin@x.example", "verify_email"));
    const [token] = await t.db.select().from(emailTokens).where(eq(emailTokens.userId, user.id));
    expect(token).toMatchObject({ purpose: "verify_email", email: "admin@x.example", usedAt: null });
    expect(token.expiresAt.getTime() - token.createdAt.getTime()).toBe(24 * 3_600_000);
  });

  it("links APP_URL, never the host the request came in on", async () => {
    vi.stubEnv("APP_URL", "https://accounts.example.com");
    try {
      await signUp(t.db, signUpSchema.parse({ ...good, email: "app-url@x.example" }), { ip: "203.0.113.9" });
      const [email] = await queuedEmails(t.db, "app-url@x.example");
      expect(String(email.props.link)).toMatch(/^https:\/\/accounts\.example\.com\/verify-email\//);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("remembers the browser it was made in, so the first sign-in there is not a new browser", async () => {
    const deviceId = newDeviceId();
    await signUp(t.db, signUpSchema.parse({ ...good, email: "device@x.example" }), { deviceId });
    const user = await userByEmail("device@x.example");
    expect(await t.db.select().from(knownDevices).where(eq(knownDevices.userId, user.id))).toHaveLength(1);
  });
});

describe("an address that already has an account", () => {
  it("gets exactly the answer a new address gets; nothing is created and the owner is emailed", async () => {
    await submit({ ...good, email: "owner@x.example", name: "Olga Owner" });
    const before = await counts();
    const outboxBefore = await countRows(t.db, emailOutbox);
    for (const email of ["OWNER@x.example", "  owner@x.example "]) {
      const result = await submit({ ...good, email, name: "Mallory" });
      expect(result).toEqual({ value: { status: "sent", email: "owner@x.example" } });
    }
    expect(await counts()).toEqual(before);
    const told = (await queuedEmails(t.db, "owner@x.example")).filter((m) => m.template === "sign_up_attempt");
    expect(told).toHaveLength(2);
    expect(told[0].props).toMatchObject({ name: "Olga Owner", signInLink: "http://localhost:3000/login", resetLink: "http://localhost:3000/forgot-password" });
    expect(await countRows(t.db, emailOutbox)).toBe(outboxBefore + 2);
    // The owner's password is untouched.
    expect((await userByEmail("owner@x.example")).name).toBe("Olga Owner");
  });

  it("tells the owner at most three times a day however many sign-ups arrive at once", async () => {
    await signUp(t.db, signUpSchema.parse({ ...good, email: "flood@x.example" }));
    const input = signUpSchema.parse({ ...good, email: "flood@x.example", name: "Script" });
    const results = await Promise.all(Array.from({ length: 12 }, () => signUp(t.db, input)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await queuedEmails(t.db, "flood@x.example")).filter((m) => m.template === "sign_up_attempt")).toHaveLength(3);
  });

  it("lets exactly one of parallel sign-ups for one new address make an account; every one answers the same", async () => {
    const input = signUpSchema.parse({ ...good, email: "race@x.example" });
    const before = await counts();
    const results = await Promise.all(Array.from({ length: 5 }, () => signUp(t.db, input)));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ ok: true })));
    expect(await counts()).toMatchObject({ users: before.users + 1, organisations: before.organisations + 1, memberships: before.memberships + 1 });
  });
});

describe("bad sign-up input gets a message next to the right field and writes nothing", () => {
  const cases: [string, Record<string, string | undefined>, Record<string, string>][] = [
    ["an invalid email", { ...good, email: "admin-at-x.example" }, { email: "Enter a valid email address, like name@company.com." }],
    ["a short password", { ...good, email: "short@x.example", password: "1234567" }, { password: "Use at least 8 characters." }],
    ["a password of 24 emoji (96 bytes)", { ...good, email: "emoji@x.example", password: "😀".repeat(24) }, { password: "Use at most 72 bytes (about 72 letters; fewer with accents or emoji)." }],
    ["a 10,000-character name", { ...good, email: "long@x.example", name: "n".repeat(10_000) }, { name: "Use at most 100 characters." }],
    ["a 10 kB organisation name", { ...good, email: "org@x.example", organisation: "o".repeat(10_240) }, { organisation: "Use at most 100 characters." }],
    [
      "every field missing",
      {},
      { name: "Enter your name.", email: "Enter your email address.", password: "Choose a password.", organisation: "Enter your organisation's name." },
    ],
    ["a name of only spaces", { ...good, email: "blank@x.example", name: "   " }, { name: "Enter your name." }],
  ];

  for (const [name, values, fieldErrors] of cases) {
    it(`refuses ${name}`, async () => {
      const before = { ...(await counts()), outbox: await countRows(t.db, emailOutbox) };
      const result = await submit(values);
      expect(result).toMatchObject({ value: { status: "error", fieldErrors } });
      expect({ ...(await counts()), outbox: await countRows(t.db, emailOutbox) }).toEqual(before);
      if ("value" in result && values.password) expect(JSON.stringify(result.value)).not.toContain(values.password);
    });
  }

  it("hands back what was typed, cut short, but never the password", async () => {
    const result = await submit({ ...good, email: "cut@x.example", name: "n".repeat(10_000), password: "secret-password-1" });
    expect("value" in result && result.value).toMatchObject({ status: "error", values: { email: "cut@x.example", organisation: "Example Ltd" } });
    if (!("value" in result) || result.value.status !== "error") throw new Error("expected an error");
    expect(result.value.values.name).toHaveLength(300);
    expect(JSON.stringify(result.value)).not.toContain("secret-password-1");
  });
});

describe("the verification link", () => {
  const fresh = async (email: string, now = new Date()) => {
    await signUp(t.db, signUpSchema.parse({ ...good, email }), {}, now);
    return { user: await userByEmail(email), token: await linkToken(t.db, email, "verify_email") };
  };

  it("proves the address once and records it; opened again it still says so and changes nothing", async () => {
    const { user, token } = await fresh("verify@x.example");
    expect(await verifyEmail(t.db, token)).toEqual({ ok: true });
    const proven = await userByEmail("verify@x.example");
    expect(proven.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await verifyEmail(t.db, token)).toEqual({ ok: true });
    expect((await userByEmail("verify@x.example")).emailVerifiedAt).toEqual(proven.emailVerifiedAt);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.filter((e) => e.action === "email.verified")).toHaveLength(1);
  });

  it("works for 24 hours: a minute before, yes; a minute after, 'expired' and nothing changes", async () => {
    const start = new Date("2026-11-30T10:00:00Z");
    const a = await fresh("early@x.example", start);
    const b = await fresh("late@x.example", start);
    const day = 24 * 3_600_000;
    expect(await verifyEmail(t.db, a.token, {}, new Date(start.getTime() + day - 60_000))).toEqual({ ok: true });
    expect(await verifyEmail(t.db, b.token, {}, new Date(start.getTime() + day + 60_000))).toEqual({ ok: false, problem: "expired" });
    expect((await userByEmail("late@x.example")).emailVerifiedAt).toBeNull();
  });

  it("refuses malformed, altered and foreign tokens as 'invalid', changing nothing", async () => {
    const { token, user } = await fresh("foreign@x.example");
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const bad of ["", "short", `${token}x`, altered, null, 42, "../../etc/passwd"]) expect(await verifyEmail(t.db, bad)).toEqual({ ok: false, problem: "invalid" });
    // A token of another flow (a password reset) never proves an address.
    const { issueEmailToken } = await import("@/lib/email/tokens");
    const reset = await issueEmailToken(t.db, { userId: user.id, purpose: "reset_password", email: user.email });
    expect(await verifyEmail(t.db, reset.token)).toEqual({ ok: false, problem: "invalid" });
    expect((await userByEmail("foreign@x.example")).emailVerifiedAt).toBeNull();
  });

  it("a newer link voids the older one", async () => {
    const { user, token: first } = await fresh("newer@x.example");
    expect(await resendVerificationEmail(t.db, user.id)).toEqual({ ok: true });
    const second = await linkToken(t.db, "newer@x.example", "verify_email");
    expect(second).not.toBe(first);
    expect(await verifyEmail(t.db, first)).toEqual({ ok: false, problem: "used" });
    expect(await verifyEmail(t.db, second)).toEqual({ ok: true });
  });

  it("proves nothing once the account's address has changed", async () => {
    const { user, token } = await fresh("moved@x.example");
    await t.db.update(users).set({ email: "moved-elsewhere@x.example" }).where(eq(users.id, user.id));
    expect(await verifyEmail(t.db, token)).toEqual({ ok: false, problem: "invalid" });
    expect((await userByEmail("moved-elsewhere@x.example")).emailVerifiedAt).toBeNull();
    // Still invalid the second time: the refused attempt did not spend it into "used".
    expect(await verifyEmail(t.db, token)).toEqual({ ok: false, problem: "invalid" });
  });

  it("is spent once under parallel clicks", async () => {
    const { user, token } = await fresh("parallel@x.example");
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyEmail(t.db, token)));
    expect(results.every((r) => r.ok)).toBe(true);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.filter((e) => e.action === "email.verified")).toHaveLength(1);
  });
});

describe("Resend email", () => {
  it("allows five verification emails an hour, the sign-up's included, however many requests arrive at once", async () => {
    await signUp(t.db, signUpSchema.parse({ ...good, email: "resend@x.example" }));
    const user = await userByEmail("resend@x.example");
    const results = await Promise.all(Array.from({ length: 20 }, () => resendVerificationEmail(t.db, user.id)));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 16 }, () => ({ ok: false, error: "throttled", retryAt: expect.any(Date) })));
    expect((await queuedEmails(t.db, "resend@x.example")).filter((m) => m.template === "verify_email")).toHaveLength(5);
  });

  it("sends nothing for a proven address", async () => {
    await signUp(t.db, signUpSchema.parse({ ...good, email: "done@x.example" }));
    await verifyEmail(t.db, await linkToken(t.db, "done@x.example", "verify_email"));
    const user = await userByEmail("done@x.example");
    const before = await countRows(t.db, emailOutbox);
    expect(await resendVerificationEmail(t.db, user.id)).toEqual({ ok: false, error: "already_verified" });
    expect(await countRows(t.db, emailOutbox)).toBe(before);
  });
});
