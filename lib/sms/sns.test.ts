import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { startSnsStandIn, type SnsStandIn } from "@/tests/helpers/sns-stand-in";
import { createSnsSender } from "./sns";

const TO = "+31612345678";
const CODE = "482913";
const BODY = `Feedback Accounts: your verification code is ${CODE}. It is valid for 10 minutes.\n\n@localhost #${CODE}`;

const ENV_KEYS = [
  "AWS_ENDPOINT_URL_SNS",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "SMS_SENDER_ID",
  "SMS_ORIGINATION_NUMBER",
  "SMS_TIMEOUT_MS",
] as const;

let standIn: SnsStandIn;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
const consoleSpies: MockInstance[] = [];

beforeAll(async () => {
  standIn = await startSnsStandIn();
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  process.env.AWS_ENDPOINT_URL_SNS = standIn.url;
  process.env.AWS_REGION = "eu-west-1";
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  delete process.env.SMS_SENDER_ID;
  delete process.env.SMS_ORIGINATION_NUMBER;
  delete process.env.SMS_TIMEOUT_MS;
});

afterAll(async () => {
  await standIn.close();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

beforeEach(() => {
  standIn.setMode("ok");
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    consoleSpies.push(vi.spyOn(console, method).mockImplementation(() => {}));
  }
});

afterEach(() => {
  // Whatever happened in the test, neither the code nor the full number reached the console.
  const written = consoleSpies.flatMap((spy) => spy.mock.calls).map((args) => args.map(String).join(" ")).join("\n");
  expect(written).not.toContain(CODE);
  expect(written).not.toContain(TO);
  expect(written).not.toContain(TO.slice(1));
  for (const spy of consoleSpies) spy.mockRestore();
  consoleSpies.length = 0;
  delete process.env.SMS_SENDER_ID;
  delete process.env.SMS_ORIGINATION_NUMBER;
});

describe("SNS sender (real SDK against a local SNS stand-in)", () => {
  it("publishes the number and the message, marked transactional", async () => {
    const before = standIn.published.length;
    const result = await createSnsSender().send({ to: TO, body: BODY, userId: null });

    expect(result).toEqual({ ok: true, messageId: expect.stringMatching(/^m-\d+$/) });
    expect(standIn.published).toHaveLength(before + 1);
    const sms = standIn.published.at(-1);
    expect(sms?.phoneNumber).toBe(TO);
    expect(sms?.message).toBe(BODY);
    expect(sms?.attributes).toEqual({ "AWS.SNS.SMS.SMSType": "Transactional" });
  });

  it("adds the sender id and origination number when they are configured", async () => {
    process.env.SMS_SENDER_ID = "Feedback";
    process.env.SMS_ORIGINATION_NUMBER = "+14155550100";
    const result = await createSnsSender().send({ to: TO, body: BODY });

    expect(result.ok).toBe(true);
    expect(standIn.published.at(-1)?.attributes).toEqual({
      "AWS.SNS.SMS.SMSType": "Transactional",
      "AWS.SNS.SMS.SenderID": "Feedback",
      "AWS.MM.SMS.OriginationNumber": "+14155550100",
    });
  });

  it("reports HTTP 400 as a failure without echoing the provider's message", async () => {
    standIn.setMode("http400");
    const result = await createSnsSender().send({ to: TO, body: BODY });

    expect(result).toEqual({ ok: false, error: "InvalidParameterException (HTTP 400)" });
  });

  it("reports HTTP 500 as a failure after a single attempt", async () => {
    standIn.setMode("http500");
    const before = standIn.requests.length;
    const result = await createSnsSender().send({ to: TO, body: BODY });

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toMatch(/\(HTTP 500\)$/);
    expect(standIn.requests.length - before).toBe(1);
  });

  it("gives up on a provider that never answers within the timeout", async () => {
    standIn.setMode("hang");
    const started = performance.now();
    const result = await createSnsSender({ timeoutMs: 300 }).send({ to: TO, body: BODY });
    const elapsed = performance.now() - started;

    expect(result).toEqual({ ok: false, error: "TimeoutError" });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });

  it("also enforces the timeout on a client passed in without one", async () => {
    standIn.setMode("hang");
    const client = new SNSClient({ maxAttempts: 1 });
    const started = performance.now();
    const result = await createSnsSender({ client, timeoutMs: 300 }).send({ to: TO, body: BODY });

    expect(result.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(1500);
    client.destroy();
  });

  it("reads the timeout from SMS_TIMEOUT_MS", async () => {
    process.env.SMS_TIMEOUT_MS = "200";
    standIn.setMode("hang");
    const started = performance.now();
    const result = await createSnsSender().send({ to: TO, body: BODY });
    delete process.env.SMS_TIMEOUT_MS;

    expect(result).toEqual({ ok: false, error: "TimeoutError" });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("sends again after a failure", async () => {
    const sender = createSnsSender({ timeoutMs: 300 });
    standIn.setMode("http500");
    expect((await sender.send({ to: TO, body: BODY })).ok).toBe(false);
    standIn.setMode("hang");
    expect((await sender.send({ to: TO, body: BODY })).ok).toBe(false);

    standIn.setMode("ok");
    const before = standIn.published.length;
    const retry = await sender.send({ to: TO, body: BODY });

    expect(retry.ok).toBe(true);
    expect(standIn.published).toHaveLength(before + 1);
  });

  it("names a missing region as the cause", async () => {
    delete process.env.AWS_REGION;
    const client = new SNSClient({ maxAttempts: 1 });
    const result = await createSnsSender({ client }).send({ to: TO, body: BODY });
    process.env.AWS_REGION = "eu-west-1";

    expect(result).toEqual({ ok: false, error: "RegionMissing" });
    client.destroy();
  });

  it("reports an unreachable endpoint as a failure", async () => {
    const client = new SNSClient({ maxAttempts: 1, endpoint: "http://127.0.0.1:1" });
    const result = await createSnsSender({ client, timeoutMs: 2000 }).send({ to: TO, body: BODY });

    expect(result).toEqual({ ok: false, error: "ECONNREFUSED" });
    client.destroy();
  });
});
