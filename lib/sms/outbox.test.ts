import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/connect";
import { smsMessages, users } from "@/db/schema";
import { getTestDb } from "@/tests/helpers/db";
import { startSnsStandIn } from "@/tests/helpers/sns-stand-in";
import { recordDelivery } from "./deliveries";
import { createSmsSender, isOutboxActive, smsProvider } from "./index";
import { createOutboxSender, listOutbox } from "./outbox";

let db: Db;
let close: () => Promise<void>;
let userId: string;

beforeAll(async () => {
  ({ db, close } = await getTestDb());
  const [user] = await db
    .insert(users)
    .values({ email: "outbox@example.com", name: "Outbox", passwordHash: "x" })
    .returning({ id: users.id });
  userId = user.id;
});

afterAll(async () => {
  await close();
});

describe("outbox sender", () => {
  it("stores the whole message and reports the row id as the message id", async () => {
    const sender = createOutboxSender(db);
    const result = await sender.send({ to: "+31612345678", body: "code 123456", userId });

    expect(sender.provider).toBe("outbox");
    expect(result.ok).toBe(true);
    const [row] = await listOutbox(db, 1);
    expect(row).toMatchObject({
      provider: "outbox",
      userId,
      to: "+31612345678",
      toMasked: "•••• 5678",
      body: "code 123456",
      status: "sent",
    });
    expect(result.ok && result.messageId).toBe(row.id);
    expect(row.providerMessageId).toBe(row.id);
  });

  it("lists outbox messages newest first, up to the limit", async () => {
    const sender = createOutboxSender(db);
    for (const n of [1, 2, 3]) await sender.send({ to: "+12025550123", body: `message ${n}` });

    const rows = await listOutbox(db, 2);
    expect(rows.map((row) => row.body)).toEqual(["message 3", "message 2"]);
    expect((await listOutbox(db)).length).toBeGreaterThanOrEqual(4);
  });

  it("lists messages sent within one millisecond in send order", async () => {
    const sender = createOutboxSender(db);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) await sender.send({ to: "+12025550123", body: `burst ${n}` });

    const rows = await listOutbox(db, 8);
    expect(rows.map((row) => row.body)).toEqual([8, 7, 6, 5, 4, 3, 2, 1].map((n) => `burst ${n}`));
  });

  it("leaves provider deliveries out of the outbox", async () => {
    await recordDelivery(db, { provider: "sns", to: "+447700900123", userId, result: { ok: true, messageId: "m-1" } });

    const rows = await listOutbox(db);
    expect(rows.every((row) => row.provider === "outbox")).toBe(true);
  });
});

describe("recordDelivery", () => {
  it("keeps only the masked number of a sent message, never the number or body", async () => {
    await recordDelivery(db, { provider: "sns", to: "+31687654321", userId, result: { ok: true, messageId: "m-42" } });

    const rows = await db.select().from(smsMessages);
    const row = rows.find((r) => r.providerMessageId === "m-42");
    expect(row).toMatchObject({ provider: "sns", userId, toMasked: "•••• 4321", to: null, body: null, status: "sent", error: null });
  });

  it("records a failed message with its error", async () => {
    await recordDelivery(db, { provider: "sns", to: "+31611112222", result: { ok: false, error: "TimeoutError" } });

    const rows = await db.select().from(smsMessages);
    const row = rows.find((r) => r.toMasked === "•••• 2222");
    expect(row).toMatchObject({ status: "failed", error: "TimeoutError", providerMessageId: null, to: null, body: null, userId: null });
  });
});

describe("createSmsSender", () => {
  const keys = ["SMS_PROVIDER", "NODE_ENV", "ALLOW_DEV_OUTBOX", "AWS_ENDPOINT_URL_SNS", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  const saved = Object.fromEntries(keys.map((key) => [key, process.env[key]]));
  const env = process.env as Record<string, string | undefined>;
  afterEach(() => {
    for (const key of keys) {
      if (saved[key] === undefined) delete env[key];
      else env[key] = saved[key];
    }
  });

  it("uses the outbox unless SMS_PROVIDER is sns", () => {
    delete env.SMS_PROVIDER;
    expect(smsProvider()).toBe("outbox");
    expect(createSmsSender(db).provider).toBe("outbox");
    env.SMS_PROVIDER = "SNS";
    expect(smsProvider()).toBe("outbox");
    env.SMS_PROVIDER = "sns";
    expect(smsProvider()).toBe("sns");
  });

  it("shows the outbox page only for the outbox sender outside production", () => {
    delete env.SMS_PROVIDER;
    env.NODE_ENV = "development";
    expect(isOutboxActive()).toBe(true);
    env.NODE_ENV = "production";
    expect(isOutboxActive()).toBe(false);
    env.ALLOW_DEV_OUTBOX = "true";
    expect(isOutboxActive()).toBe(true);
    env.SMS_PROVIDER = "sns";
    expect(isOutboxActive()).toBe(false);
    env.NODE_ENV = "development";
    expect(isOutboxActive()).toBe(false);
  });

  it("records each SNS delivery, sent or failed, without the number or body", async () => {
    const standIn = await startSnsStandIn();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      Object.assign(env, { SMS_PROVIDER: "sns", AWS_ENDPOINT_URL_SNS: standIn.url, AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
      const sender = createSmsSender(db);
      expect(sender.provider).toBe("sns");

      const sent = await sender.send({ to: "+31655501234", body: "code 654321", userId });
      standIn.setMode("http500");
      const failed = await sender.send({ to: "+31655501234", body: "code 654321", userId });

      expect(sent).toEqual({ ok: true, messageId: "m-1" });
      expect(failed.ok).toBe(false);
      const rows = await db.select().from(smsMessages).where(eq(smsMessages.toMasked, "•••• 1234"));
      expect(rows).toHaveLength(2);
      expect(rows.find((row) => row.status === "sent")).toMatchObject({ provider: "sns", providerMessageId: "m-1", to: null, body: null, userId });
      expect(rows.find((row) => row.status === "failed")).toMatchObject({ provider: "sns", error: failed.ok ? null : failed.error, to: null, body: null });
    } finally {
      warn.mockRestore();
      await standIn.close();
    }
  });
});
