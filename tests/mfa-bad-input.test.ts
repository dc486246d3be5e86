import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { memberships, mfaFactors, organisations, otpChallenges, sessions, smsMessages, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import { getTestDb, type TestDb } from "./helpers/db";
import { request, formData as fd } from "./helpers/next-mocks";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const mfa = await import("@/app/(app)/account/mfa-actions");

let t: TestDb;
let sessionId = "";
const PASSWORD = "right-password-1";

async function counts() {
  const [c] = await t.db.select({ n: count() }).from(otpChallenges);
  const [f] = await t.db.select({ n: count() }).from(mfaFactors);
  const [s] = await t.db.select({ n: count() }).from(smsMessages);
  return { challenges: c.n, factors: f.n, sms: s.n };
}

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  const [org] = await t.db.insert(organisations).values({ name: "Org" }).returning();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Bea Bad", email: "bea@example.com", passwordHash: await hashPassword(PASSWORD), emailVerifiedAt: new Date() })
    .returning();
  await t.db.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "member" });
  const created = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
  request.sessionToken = created.token;
  sessionId = created.session.id;
});

afterAll(async () => {
  await t.close();
});

describe("registration step order", () => {
  it("refuses a phone number posted without the password step, and sends nothing", async () => {
    const before = await counts();
    const result = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345678", phoneCountry: "NL" }));
    expect(result).toEqual({ status: "error", message: "Confirm your password first." });
    expect(await counts()).toEqual(before);
  });

  it("refuses Save posted without a checked code", async () => {
    await mfa.confirmPasswordAction(fd({ password: PASSWORD }));
    const sent = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345678", phoneCountry: "NL" }));
    expect(sent.status).toBe("sent");
    const before = await counts();
    const saved = await mfa.saveEnrollmentAction(fd({ challengeId: sent.status === "sent" ? sent.challengeId : "" }));
    expect(saved.status).toBe("error");
    expect(await counts()).toEqual(before);
    expect(before.factors).toBe(0);
  });

  it("keeps the user on the password step after a wrong password", async () => {
    await t.db.update(sessions).set({ reauthenticatedAt: null }).where(eq(sessions.id, sessionId));
    expect(await mfa.confirmPasswordAction(fd({ password: "wrong-password" }))).toEqual({
      status: "error",
      field: "password",
      message: "That password is not right.",
    });
    const [row] = await t.db.select({ r: sessions.reauthenticatedAt }).from(sessions).where(eq(sessions.id, sessionId));
    expect(row.r).toBeNull();
  });
});

describe("bad phone numbers get a message next to the field and send nothing", () => {
  beforeEach(async () => {
    await mfa.confirmPasswordAction(fd({ password: PASSWORD }));
  });

  const cases: [string, string, string, RegExp][] = [
    ["letters", "06abc45678", "NL", /only digits|digits/i],
    ["emoji", "06 📞 12345678", "NL", /only digits|digits/i],
    ["a number invalid for the chosen country", "12345", "NL", /not a valid phone number for Netherlands/i],
    ["30 digits", "123456789012345678901234567890", "NL", /too long|long/i],
    ["an empty number", "", "NL", /enter/i],
    ["an unknown country", "612345678", "XX", /.+/],
  ];
  for (const [name, phone, country, message] of cases) {
    it(`refuses ${name}`, async () => {
      const before = await counts();
      const result = await mfa.sendEnrollmentCodeAction(fd({ phone, phoneCountry: country }));
      expect(result).toMatchObject({ status: "error", field: "phone" });
      expect(result.status === "error" && result.message).toMatch(message);
      expect(await counts()).toEqual(before);
    });
  }

  it("accepts a number typed with its own + prefix whatever country is selected", async () => {
    const result = await mfa.sendEnrollmentCodeAction(fd({ phone: "+44 7400 123456", phoneCountry: "NL" }));
    expect(result).toMatchObject({ status: "sent", maskedPhone: "•••• 3456" });
  });
});

describe("bad codes get a message next to the field and change nothing", () => {
  let challengeId = "";
  beforeAll(async () => {
    await mfa.confirmPasswordAction(fd({ password: PASSWORD }));
    const sent = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345679", phoneCountry: "NL" }));
    if (sent.status !== "sent") throw new Error("setup failed");
    challengeId = sent.challengeId;
  });

  const cases: [string, string, string][] = [
    ["letters", "12a456", "The code is 6 digits, numbers only."],
    ["5 digits", "12345", "The code is 6 digits, numbers only."],
    ["7 digits", "1234567", "The code is 6 digits, numbers only."],
    ["empty", "", "Enter the 6-digit code."],
    ["100 kB", "1".repeat(100_000), "The code is 6 digits, numbers only."],
  ];
  for (const [name, code, message] of cases) {
    it(`refuses a code that is ${name} without counting an attempt`, async () => {
      const result = await mfa.checkCodeAction(fd({ challengeId, code }));
      expect(result).toEqual({ status: "error", field: "code", message });
      const [row] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, challengeId));
      expect(row.attempts).toBe(0);
      expect(row.verifiedAt).toBeNull();
    });
  }

  it("accepts the right code pasted with a space", async () => {
    const [message] = await t.db.select().from(smsMessages).orderBy(smsMessages.createdAt);
    const rows = await t.db.select().from(smsMessages);
    const latest = rows.find((r) => r.to === "+31612345679") ?? message;
    const code = /(\d{6})/.exec(latest.body ?? "")?.[1] ?? "";
    const result = await mfa.checkCodeAction(fd({ challengeId, code: `${code.slice(0, 3)} ${code.slice(3)}` }));
    expect(result).toEqual({ status: "ok" });
  });
});
