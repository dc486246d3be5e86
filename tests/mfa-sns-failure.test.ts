import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, otpChallenges, smsMessages } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, TEST_PASSWORD } from "./helpers/fixtures";
import { request, formData as fd } from "./helpers/next-mocks";
import { type SnsStandIn, startSnsStandIn } from "./helpers/sns-stand-in";

vi.mock("@/lib/auth/config", async () => (await import("./helpers/next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./helpers/next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./helpers/next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./helpers/next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./helpers/next-mocks")).mocks.cache);

const mfa = await import("@/app/(app)/account/mfa-actions");

let t: TestDb;
let sns: SnsStandIn;
let userId = "";

beforeAll(async () => {
  sns = await startSnsStandIn("ok");
  Object.assign(process.env, {
    SMS_PROVIDER: "sns",
    AWS_ENDPOINT_URL_SNS: sns.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    SMS_TIMEOUT_MS: "500",
  });
  t = await getTestDb();
  request.db = t.db;
  const { user } = await makeUser(t.db);
  userId = user.id;
  request.sessionToken = (await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false })).token;
  await mfa.confirmPasswordAction(fd({ password: TEST_PASSWORD }));
});

afterAll(async () => {
  delete process.env.SMS_PROVIDER;
  delete process.env.AWS_ENDPOINT_URL_SNS;
  await t.close();
  await sns.close();
});

describe("registration through AWS SNS (the real SDK against a local stand-in)", () => {
  for (const mode of ["http400", "http500", "hang"] as const) {
    it(`tells the user the code could not be sent when SNS answers ${mode}, records the failure, and enables nothing`, async () => {
      sns.setMode(mode);
      const result = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345678", phoneCountry: "NL" }));
      expect(result).toEqual({ status: "error", field: "phone", message: "We could not send the code. Try again in a moment." });
      const [delivery] = await t.db.select().from(smsMessages).where(eq(smsMessages.userId, userId)).orderBy(desc(smsMessages.createdAt)).limit(1);
      expect(delivery).toMatchObject({ provider: "sns", status: "failed", body: null, to: null, toMasked: "•••• 5678" });
      const failures = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "mfa.sms_failed"));
      expect(failures.length).toBeGreaterThan(0);
      const verified = (await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, userId))).filter((c) => c.verifiedAt);
      expect(verified).toHaveLength(0);
    });
  }

  it("works on retry once SNS answers again, with the number and message arriving at SNS", async () => {
    sns.setMode("ok");
    const before = sns.published.length;
    const result = await mfa.sendEnrollmentCodeAction(fd({ phone: "612345678", phoneCountry: "NL" }));
    expect(result).toMatchObject({ status: "sent", maskedPhone: "•••• 5678" });
    const message = sns.published[before];
    expect(message.phoneNumber).toBe("+31612345678");
    expect(message.message).toMatch(/your verification code is \d{6}/);
    expect(message.message).toMatch(/@localhost #\d{6}$/);
  });
});
