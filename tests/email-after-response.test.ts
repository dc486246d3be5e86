import "./helpers/mock-next";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { emailOutbox } from "@/db/schema";
import { noInput, publicAction } from "@/lib/actions/client";
import { withEmailDelivery } from "@/lib/actions/email-delivery";
import { appLink } from "@/lib/email/links";
import { queueEmail } from "@/lib/email/outbox";
import { getTestDb, type TestDb } from "./helpers/db";
import { formData, RedirectSignal, request, runAfterResponse } from "./helpers/next-mocks";
import { startSesStandIn, type SesStandIn } from "./helpers/ses-stand-in";

const ENV_KEYS = ["EMAIL_PROVIDER", "EMAIL_FROM", "EMAIL_TIMEOUT_MS", "AWS_ENDPOINT_URL_SESV2", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let t: TestDb;
let standIn: SesStandIn;

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  standIn = await startSesStandIn();
  // The real provider through the real SDK, with a short deadline, so a hanging SES is quick to see.
  Object.assign(process.env, {
    EMAIL_PROVIDER: "ses",
    EMAIL_FROM: "Feedback Accounts <no-reply@example.com>",
    EMAIL_TIMEOUT_MS: "1500",
    AWS_ENDPOINT_URL_SESV2: standIn.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
});

afterAll(async () => {
  await standIn.close();
  await t.close();
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

beforeEach(async () => {
  request.afterResponse.length = 0;
  standIn.setMode("ok");
  await t.db.delete(emailOutbox);
  vi.spyOn(console, "warn").mockImplementation(() => {});
});

const reset = (to: string) => ({ to, message: { template: "password_reset" as const, name: "Ada", link: appLink("/reset-password", { token: `t-${to}` }), minutes: 30 } });

/** A server action that queues one email in its own transaction, written with the action client. */
const queueingAction = publicAction(
  z.object({ to: z.string() }),
  async ({ to }, { db }) => {
    await db.transaction(async (tx) => {
      await queueEmail(tx, reset(to));
    });
    return { status: "success" } as { status: "success" | "error" };
  },
  () => ({ status: "error" }),
);

/** One that queues nothing. */
const quietAction = publicAction(noInput, async (): Promise<{ status: "success" | "error" }> => ({ status: "success" }), () => ({ status: "error" }));

describe("email queued by a request is sent after its response", () => {
  it("an action that queued email schedules one delivery for after the response, and it sends the email", async () => {
    const result = await queueingAction(formData({ to: "after@example.com" }));

    expect(result).toEqual({ status: "success" });
    expect(request.afterResponse).toHaveLength(1);
    // Nothing went to the provider during the request.
    expect(standIn.receipts("after@example.com")).toBe(0);
    const [queued] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, "after@example.com"));
    expect(queued.status).toBe("pending");

    await runAfterResponse();

    expect(standIn.receipts("after@example.com")).toBe(1);
    const [sent] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, "after@example.com"));
    expect(sent).toMatchObject({ status: "sent", sealedProps: null, provider: "ses" });
  });

  it("an action that queued nothing schedules nothing (and asks the database nothing more)", async () => {
    expect(await quietAction(formData({}))).toEqual({ status: "success" });
    expect(request.afterResponse).toHaveLength(0);
  });

  it("requests running at once: only the one that queued schedules a delivery, even when the other ends first", async () => {
    let releaseSlow: (() => void) | undefined;
    const slowQueueing = publicAction(
      noInput,
      async (_input, { db }) => {
        await db.transaction(async (tx) => {
          await queueEmail(tx, reset("slow@example.com"));
          await new Promise<void>((resolve) => {
            releaseSlow = resolve;
          });
        });
        return "queued";
      },
      () => "invalid",
    );
    const slow = slowQueueing(formData({}));
    await vi.waitFor(() => expect(releaseSlow).toBeTypeOf("function"));
    expect(await quietAction(formData({}))).toEqual({ status: "success" });
    expect(request.afterResponse).toHaveLength(0);

    releaseSlow?.();
    expect(await slow).toBe("queued");
    expect(request.afterResponse).toHaveLength(1);
  });

  it("an action that queues and then redirects still schedules the delivery", async () => {
    const { redirect } = await import("next/navigation");
    const redirecting = publicAction(
      noInput,
      async (_input, { db }) => {
        await queueEmail(db, reset("redirect@example.com"));
        redirect("/done");
        return "unreachable";
      },
      () => "invalid",
    );

    await expect(redirecting(formData({}))).rejects.toBeInstanceOf(RedirectSignal);
    expect(request.afterResponse).toHaveLength(1);
    await runAfterResponse();
    expect(standIn.receipts("redirect@example.com")).toBe(1);
  });

  it("a hanging provider never holds up the request; the delivery gives up at EMAIL_TIMEOUT_MS and the email waits for a retry", async () => {
    standIn.setMode("hang");

    const started = performance.now();
    expect(await queueingAction(formData({ to: "hang@example.com" }))).toEqual({ status: "success" });
    expect(performance.now() - started).toBeLessThan(1_000);

    const delivery = performance.now();
    await runAfterResponse();
    expect(performance.now() - delivery).toBeGreaterThanOrEqual(1_400);
    expect(performance.now() - delivery).toBeLessThan(5_000);
    const [waiting] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, "hang@example.com"));
    expect(waiting).toMatchObject({ status: "pending", attempts: 1, lastError: "TimeoutError" });
    expect(waiting.sealedProps).not.toBeNull();
  });

  it("route handlers use the same wrapper: it passes the result through and schedules only when email was queued", async () => {
    expect(await withEmailDelivery(async () => 42)).toBe(42);
    expect(request.afterResponse).toHaveLength(0);
    await expect(
      withEmailDelivery(async () => {
        await queueEmail(t.db, reset("route@example.com"));
        throw new Error("after queueing");
      }),
    ).rejects.toThrow("after queueing");
    expect(request.afterResponse).toHaveLength(1);
  });
});
