import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, memberships, organisations, users } from "@/db/schema";
import { signUpSchema } from "@/lib/auth/schemas";
import { claimSession, findActiveSession } from "@/lib/auth/sessions";
import { signUp } from "@/lib/auth/sign-up";
import { getTestDb, type TestDb } from "./helpers/db";
import { countAll, countRows } from "./helpers/fixtures";
import { outcome, request, formData as form } from "./helpers/next-mocks";

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

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  request.sessionToken = null;
});
afterAll(async () => {
  await t?.close();
});

describe("a good sign-up", () => {
  it("creates the organisation, the user as its admin, and a session handed to next-auth once", async () => {
    const before = await counts();
    const result = await submit(good);

    expect(result).toEqual({ redirect: "/" });
    const handed = request.signedIn.at(-1);
    expect(handed?.provider).toBe("session");
    const token = String(handed?.options.token);

    const [user] = await t.db.select().from(users).where(eq(users.email, "admin@x.example"));
    expect(user).toMatchObject({ name: "Ada Admin", mfaEnabled: false });
    expect(user.passwordHash).not.toContain(PASSWORD);
    const [membership] = await t.db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(membership.role).toBe("admin");
    const [org] = await t.db.select().from(organisations).where(eq(organisations.id, membership.organisationId));
    expect(org).toMatchObject({ name: "Example Ltd", mfaRequired: false });
    expect(await counts()).toEqual({
      users: before.users + 1,
      organisations: before.organisations + 1,
      memberships: before.memberships + 1,
      sessions: before.sessions + 1,
      audit: before.audit + 1,
    });

    expect(await claimSession(t.db, token)).toMatchObject({ userId: user.id, mfaState: "not_required" });
    const current = await findActiveSession(t.db, token);
    expect(current).toMatchObject({ user: { id: user.id }, membership: { role: "admin" }, organisation: { name: "Example Ltd" } });
    expect(await claimSession(t.db, token)).toBeNull();
  });
});

describe("bad sign-up input gets a message next to the right field and writes nothing", () => {
  const cases: [string, Record<string, string | undefined>, Record<string, string>][] = [
    ["an email already taken, typed in capitals", { ...good, email: "ADMIN@X.example" }, { email: "An account with this email already exists. Sign in instead." }],
    ["an email already taken, with spaces around it", { ...good, email: "  admin@x.example " }, { email: "An account with this email already exists. Sign in instead." }],
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
      const before = await counts();
      const result = await submit(values);
      expect(result).toMatchObject({ value: { status: "error", fieldErrors } });
      expect(await counts()).toEqual(before);
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

describe("signUp in the domain", () => {
  it("refuses an email taken in another case once the schema has normalised it", async () => {
    const input = signUpSchema.parse({ ...good, email: "Admin@X.Example" });
    const before = await counts();
    expect(await signUp(t.db, input)).toEqual({ ok: false, error: "email_taken" });
    expect(await counts()).toEqual(before);
  });

  it("lets exactly one of two parallel sign-ups for one email through, leaving no half-made organisation", async () => {
    const input = signUpSchema.parse({ ...good, email: "race@x.example" });
    const before = await counts();
    const results = await Promise.all([signUp(t.db, input), signUp(t.db, input)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, error: "email_taken" }]);
    expect(await counts()).toEqual({
      users: before.users + 1,
      organisations: before.organisations + 1,
      memberships: before.memberships + 1,
      sessions: before.sessions + 1,
      audit: before.audit + 1,
    });
  });
});
