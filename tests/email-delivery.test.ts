import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import type { Db } from "@/db/connect";
import { emailOutbox } from "@/db/schema";
import { createDevOutboxSender, linksIn, listEmailOutbox } from "@/lib/email/dev-outbox";
import { appLink } from "@/lib/email/links";
import { queueEmail, queueEmails } from "@/lib/email/outbox";
import { claimDueEmails, deliverDueEmails, EMAIL_MAX_ATTEMPTS, EMAIL_RETRY_DELAYS_MS, sweepEmails } from "@/lib/email/sender";
import { createSesSender } from "@/lib/email/ses";
import type { EmailSender } from "@/lib/email/types";
import { getTestDb } from "@/tests/helpers/db";
import { startSesStandIn, type SesStandIn } from "@/tests/helpers/ses-stand-in";

const ENV = {
  AWS_ENDPOINT_URL_SESV2: "",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  EMAIL_FROM: "Feedback Accounts <no-reply@accounts.example.com>",
  APP_URL: "https://accounts.example.com",
};
const saved = Object.fromEntries(Object.keys(ENV).map((key) => [key, process.env[key]]));

let db: Db;
let close: () => Promise<void>;
let standIn: SesStandIn;
let ses: EmailSender;
/** The same provider with a short deadline, for the hanging stand-in. */
let quickSes: EmailSender;
const consoleSpies = new Map<string, MockInstance>();
/** Every address, link and token queued in a test: none may reach the console. */
const secrets = new Set<string>();

beforeAll(async () => {
  ({ db, close } = await getTestDb());
  standIn = await startSesStandIn();
  Object.assign(process.env, ENV, { AWS_ENDPOINT_URL_SESV2: standIn.url });
  // A deadline a busy test machine cannot miss on a healthy answer; the hanging case uses quickSes.
  ses = createSesSender({ timeoutMs: 10_000 });
  quickSes = createSesSender({ timeoutMs: 300 });
});

afterAll(async () => {
  await standIn.close();
  await close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

beforeEach(async () => {
  await db.delete(emailOutbox);
  standIn.setMode("ok");
  standIn.setDecider(null);
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) consoleSpies.set(method, vi.spyOn(console, method).mockImplementation(() => {}));
});

afterEach(() => {
  const written = logged();
  for (const secret of secrets) expect(written).not.toContain(secret);
  for (const spy of consoleSpies.values()) spy.mockRestore();
  consoleSpies.clear();
  secrets.clear();
});

function logged(method?: "error" | "warn"): string {
  const spies = method ? [consoleSpies.get(method)!] : [...consoleSpies.values()];
  return spies
    .flatMap((spy) => spy.mock.calls)
    .map((args) => args.map(String).join(" "))
    .join("\n");
}

/** A password-reset email to `to`, with a link whose token is unique to it. */
async function queueReset(to: string, name = "Ada Lovelace"): Promise<{ id: string; link: string }> {
  const token = `tok${crypto.randomUUID().replace(/-/g, "")}`;
  const link = appLink("/reset-password", { token });
  secrets.add(to);
  secrets.add(link);
  secrets.add(token);
  const id = await queueEmail(db, { to, message: { template: "password_reset", name, link, minutes: 30 } });
  return { id, link };
}

async function row(id: string) {
  const [found] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
  return found;
}

/** A clock a little ahead of the database's (rows are queued with its now()). */
function clockFrom(start = Date.now() + 1000) {
  return (ms = 0) => new Date(start + ms);
}

describe("sending a queued email through SES", () => {
  it("arrives with the product's From, the recipient's To, the subject, both parts and a link that works, and the row records it", async () => {
    const at = clockFrom();
    const { id, link } = await queueReset("ada@example.com");

    const report = await deliverDueEmails(db, at(), { sender: ses });

    expect(report).toMatchObject({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    const received = standIn.sent.at(-1)!;
    expect(received.from).toBe('"Feedback Accounts" <no-reply@accounts.example.com>');
    expect(received.to).toEqual(['"Ada Lovelace" <ada@example.com>']);
    expect(received.subject).toBe("Reset your Feedback Accounts password");
    expect(linksIn(received.html!)).toContain(link);
    expect(received.text).toContain(link);
    expect(received.text).toContain("Hi Ada Lovelace,");
    expect(received.html).not.toMatch(/<script|<img[^>]+src="http/i);

    const sent = await row(id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1, provider: "ses", providerMessageId: expect.stringMatching(/^ses-\d+$/), claimedUntil: null, lastError: null });
    expect(sent.subject).toBe("Reset your Feedback Accounts password");
    expect(sent.sentAt).toBeInstanceOf(Date);
    // The link is erased with the sealed props, and no provider keeps the rendered parts.
    expect(sent.sealedProps).toBeNull();
    expect([sent.bodyHtml, sent.bodyText]).toEqual([null, null]);
    expect(JSON.stringify(sent)).not.toContain(link.split("token=")[1]);
  });

  it("sends nothing that is not due, and a sent message never again", async () => {
    const at = clockFrom();
    await queueReset("once@example.com");
    await deliverDueEmails(db, at(), { sender: ses });
    const before = standIn.requests.length;

    expect(await deliverDueEmails(db, at(60_000), { sender: ses })).toMatchObject({ claimed: 0, sent: 0 });
    expect(await sweepEmails(db, at(24 * 3600_000), { sender: ses })).toMatchObject({ claimed: 0 });
    expect(standIn.requests.length).toBe(before);
    expect(standIn.receipts("once@example.com")).toBe(1);
  });

  it("counts a row queued earlier in the same millisecond as due (the column keeps microseconds, a Date does not)", async () => {
    await queueReset("same-ms@example.com");
    await db.update(emailOutbox).set({ nextAttemptAt: sql`'2026-03-01T09:00:00.000700Z'::timestamptz` });
    expect(await deliverDueEmails(db, new Date("2026-03-01T08:59:59.999Z"), { sender: ses })).toMatchObject({ claimed: 0 });
    expect(await deliverDueEmails(db, new Date("2026-03-01T09:00:00.000Z"), { sender: ses })).toMatchObject({ claimed: 1, sent: 1 });
    expect(standIn.receipts("same-ms@example.com")).toBe(1);
  });

  it("keeps a name with line breaks out of the headers and an internationalised domain in Punycode", async () => {
    const at = clockFrom();
    await queueEmail(db, {
      to: "anna@bücher.example",
      message: { template: "security_notice", name: "Anna\r\nBcc: thief@evil.test", kind: "password_changed", at: at().toISOString(), origin: { browser: "Firefox on Linux", ip: "203.0.113.5" }, actionLink: appLink("/login") },
    });

    await deliverDueEmails(db, at(), { sender: ses });

    const received = standIn.sent.at(-1)!;
    expect(received.to).toEqual(['"Anna Bcc: thief@evil.test" <anna@xn--bcher-kva.example>']);
    expect(received.subject).toBe("Your password was changed");
  });
});

describe("when the provider fails", () => {
  it("tries again after 1 min, 5 min, 30 min, 2 h and 6 h, then marks it failed with one error line naming the row and template only", async () => {
    standIn.setMode("http500");
    const at = clockFrom();
    const { id } = await queueReset("retry@example.com");
    expect(EMAIL_RETRY_DELAYS_MS).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 21_600_000]);
    expect(EMAIL_MAX_ATTEMPTS).toBe(6);

    let elapsed = 0;
    for (let attempt = 1; attempt < EMAIL_MAX_ATTEMPTS; attempt += 1) {
      expect(await deliverDueEmails(db, at(elapsed), { sender: ses })).toMatchObject({ claimed: 1, retried: 1 });
      const waiting = await row(id);
      expect(waiting).toMatchObject({ status: "pending", attempts: attempt, lastError: "InternalFailure (HTTP 500)", claimedUntil: null });
      expect(waiting.sealedProps).not.toBeNull();
      const delay = EMAIL_RETRY_DELAYS_MS[attempt - 1];
      // Not a moment before its time, whoever asks.
      expect(waiting.nextAttemptAt.getTime() - at(elapsed).getTime()).toBeGreaterThanOrEqual(delay);
      expect(waiting.nextAttemptAt.getTime() - at(elapsed).getTime()).toBeLessThan(delay + 5_000);
      expect(await deliverDueEmails(db, new Date(waiting.nextAttemptAt.getTime() - 1), { sender: ses })).toMatchObject({ claimed: 0 });
      elapsed = waiting.nextAttemptAt.getTime() - at().getTime();
    }
    expect(await deliverDueEmails(db, at(elapsed), { sender: ses })).toMatchObject({ claimed: 1, failed: 1 });

    const failed = await row(id);
    expect(failed).toMatchObject({ status: "failed", attempts: EMAIL_MAX_ATTEMPTS, lastError: "InternalFailure (HTTP 500)", sentAt: null });
    expect(failed.sealedProps).toBeNull();
    expect(standIn.requests.filter((r) => r.to.some((to) => to.includes("retry@example.com")))).toHaveLength(EMAIL_MAX_ATTEMPTS);
    const errors = consoleSpies.get("error")!.mock.calls.map((args) => args.join(" "));
    expect(errors).toEqual([`email: ${id} (password_reset) failed after 6 attempts: InternalFailure (HTTP 500)`]);
    // A failed message is not taken again.
    expect(await sweepEmails(db, at(elapsed + 30 * 24 * 3600_000), { sender: ses })).toMatchObject({ claimed: 0 });
  });

  it("never passes on SES's refusal text, which names the address", async () => {
    standIn.setMode("http400");
    const at = clockFrom();
    const { id } = await queueReset("rejected@example.com");

    await deliverDueEmails(db, at(), { sender: ses });

    expect((await row(id)).lastError).toBe("MessageRejected (HTTP 400)");
    expect(logged()).toContain("MessageRejected (HTTP 400)");
  });

  it("gives up on a hanging provider after EMAIL_TIMEOUT_MS and sends on the next try", async () => {
    standIn.setMode("hang");
    const at = clockFrom();
    const { id } = await queueReset("hang@example.com");

    const started = performance.now();
    expect(await deliverDueEmails(db, at(), { sender: quickSes, timeoutMs: 300 })).toMatchObject({ retried: 1 });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(await row(id)).toMatchObject({ status: "pending", attempts: 1, lastError: "TimeoutError" });

    standIn.setMode("ok");
    expect(await deliverDueEmails(db, at(61_000), { sender: ses })).toMatchObject({ sent: 1 });
    expect(await row(id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(standIn.receipts("hang@example.com")).toBe(1);
  });

  it("fails at once, without a request to SES, an address SES cannot take", async () => {
    const at = clockFrom();
    const before = standIn.requests.length;
    const { id } = await queueReset("zoë@example.com");

    expect(await deliverDueEmails(db, at(), { sender: ses })).toMatchObject({ failed: 1 });
    expect(await row(id)).toMatchObject({ status: "failed", attempts: 1, lastError: "AddressNotSendable", sealedProps: null });
    expect(standIn.requests.length).toBe(before);
    expect(logged("error")).toBe(`email: ${id} (password_reset) failed after 1 attempt: AddressNotSendable`);
  });

  it("fails, without sending, a row whose sealed props were moved from another row (they are bound to their row)", async () => {
    const at = clockFrom();
    const [a, b] = await queueEmails(db, [
      { to: "a@example.com", message: { template: "password_reset", name: "A", link: appLink("/reset-password", { token: "tokA" }), minutes: 30 } },
      { to: "b@example.com", message: { template: "password_reset", name: "B", link: appLink("/reset-password", { token: "tokB" }), minutes: 30 } },
    ]);
    secrets.add("tokA");
    secrets.add("tokB");
    await db.update(emailOutbox).set({ sealedProps: (await row(a)).sealedProps }).where(eq(emailOutbox.id, b));
    const before = standIn.requests.length;

    await deliverDueEmails(db, at(), { sender: ses });

    expect(await row(b)).toMatchObject({ status: "failed", lastError: "DecryptionError", sealedProps: null });
    expect(await row(a)).toMatchObject({ status: "sent" });
    expect(standIn.requests.length - before).toBe(1);
    expect(standIn.receipts("b@example.com")).toBe(0);
  });
});

describe("exactly once across senders", () => {
  it("two senders running at once send each of 30 messages exactly once", async () => {
    const at = clockFrom();
    const addresses = Array.from({ length: 30 }, (_, i) => `race-${i}@example.com`);
    for (const to of addresses) await queueReset(to);
    standIn.setMode("slow");
    standIn.setSlowMs(15);
    // Deadlines far above the stand-in's delay, so a busy machine cannot turn a slow answer into a retry.
    const [one, two] = [createSesSender({ timeoutMs: 10_000 }), createSesSender({ timeoutMs: 10_000 })];

    const reports = await Promise.all([sweepEmails(db, at(), { sender: one, limit: 4 }), sweepEmails(db, at(), { sender: two, limit: 4 })]);

    expect(reports[0].retried + reports[1].retried).toBe(0);
    expect(reports[0].sent + reports[1].sent).toBe(30);
    // Both took part: the claims interleaved rather than one sender taking everything.
    expect(reports[0].sent).toBeGreaterThan(0);
    expect(reports[1].sent).toBeGreaterThan(0);
    for (const to of addresses) expect(standIn.receipts(`<${to}>`)).toBe(1);
    const statuses = await db.select({ status: emailOutbox.status, n: sql<number>`count(*)::int` }).from(emailOutbox).groupBy(emailOutbox.status);
    expect(statuses).toEqual([{ status: "sent", n: 30 }]);
  });

  it("claims in parallel never hand one row to two senders", async () => {
    const at = clockFrom();
    for (let i = 0; i < 40; i += 1) await queueReset(`claim-${i}@example.com`);

    const claims = await Promise.all(Array.from({ length: 8 }, () => claimDueEmails(db, at(), 6, 60_000)));

    const ids = claims.flat().map((claimed) => claimed.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(claims.flat().every((claimed) => claimed.status === "sending" && claimed.attempts === 1)).toBe(true);
  });

  it("a sender killed mid-batch: its claims are taken again once they expire, and every message is sent exactly once", async () => {
    const at = clockFrom();
    const addresses = Array.from({ length: 5 }, (_, i) => `killed-${i}@example.com`);
    for (const to of addresses) await queueReset(to);

    // The first sender sends two messages, then its process freezes in the third send (killed: it never returns).
    let calls = 0;
    let thaw: (() => void) | undefined;
    const dying: EmailSender = {
      provider: "ses",
      send: (email) => {
        calls += 1;
        if (calls <= 2) return ses.send(email);
        return new Promise((resolve) => {
          thaw = () => resolve({ ok: false, error: "ProcessGone" });
        });
      },
    };
    const leaseMs = 60_000;
    const abandoned = deliverDueEmails(db, at(), { sender: dying, leaseMs, timeoutMs: 300 });
    await vi.waitFor(() => expect(calls).toBe(3));

    // While the claims hold, a restarted sender leaves those rows alone.
    expect(await deliverDueEmails(db, at(30_000), { sender: ses })).toMatchObject({ claimed: 0 });
    // Once they expire, it takes them again: the frozen one and the two never reached.
    expect(await deliverDueEmails(db, at(leaseMs + 1), { sender: ses })).toMatchObject({ claimed: 3, sent: 3 });

    for (const to of addresses) expect(standIn.receipts(`<${to}>`)).toBe(1);
    // The frozen sender wakes up late, its own clock unaware of the time that passed: its claims are gone, so it
    // records nothing over the new sender's results and sends none of the rows again.
    thaw?.();
    expect(await abandoned).toMatchObject({ claimed: 5, sent: 2, released: 2 });
    expect(calls).toBe(3);
    const rows = await db.select().from(emailOutbox);
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill("sent"));
    expect(rows.every((r) => r.sealedProps === null)).toBe(true);
  });

  it("claimed and abandoned before any send (the process died right after claiming): sent once after the lease", async () => {
    const at = clockFrom();
    for (let i = 0; i < 3; i += 1) await queueReset(`abandoned-${i}@example.com`);
    await claimDueEmails(db, at(), 10, 120_000);

    expect(await sweepEmails(db, at(119_000), { sender: ses })).toMatchObject({ claimed: 0 });
    expect(await sweepEmails(db, at(120_001), { sender: ses })).toMatchObject({ claimed: 3, sent: 3 });
    for (let i = 0; i < 3; i += 1) expect(standIn.receipts(`abandoned-${i}@example.com`)).toBe(1);
    // The abandoned claim counted as an attempt: a message that kills its sender cannot loop for ever.
    expect((await db.select().from(emailOutbox)).map((r) => r.attempts)).toEqual([2, 2, 2]);
  });

  it("does not start a send its claim could not cover: the row is given back untouched for a later run", async () => {
    const at = clockFrom();
    const { id } = await queueReset("short-lease@example.com");
    const before = standIn.requests.length;

    expect(await deliverDueEmails(db, at(), { sender: ses, leaseMs: 1_000, timeoutMs: 300 })).toMatchObject({ claimed: 1, released: 1, sent: 0 });

    expect(standIn.requests.length).toBe(before);
    expect(await row(id)).toMatchObject({ status: "pending", attempts: 0, claimedUntil: null });
  });

  it("fails a message whose claims were abandoned more often than it may be tried", async () => {
    const at = clockFrom();
    const { id } = await queueReset("poison@example.com");
    await db.update(emailOutbox).set({ attempts: EMAIL_MAX_ATTEMPTS }).where(eq(emailOutbox.id, id));

    expect(await deliverDueEmails(db, at(), { sender: ses })).toMatchObject({ failed: 1 });
    expect(await row(id)).toMatchObject({ status: "failed", lastError: "AbandonedBySenders", sealedProps: null });
    expect(standIn.receipts("poison@example.com")).toBe(0);
  });
});

describe("the development outbox", () => {
  it("counts the message as delivered and keeps its rendered subject and parts for /dev/outbox", async () => {
    const at = clockFrom();
    const { id, link } = await queueReset("dev@example.com");
    const before = standIn.requests.length;

    expect(await deliverDueEmails(db, at(), { sender: createDevOutboxSender() })).toMatchObject({ sent: 1 });

    expect(standIn.requests.length).toBe(before);
    const kept = await row(id);
    expect(kept).toMatchObject({ status: "sent", provider: "outbox", providerMessageId: `outbox-${id}`, sealedProps: null, subject: "Reset your Feedback Accounts password" });
    expect(linksIn(kept.bodyHtml!)).toContain(link);
    expect(kept.bodyText).toContain(link);
    const [listed] = await listEmailOutbox(db, 5);
    expect(listed).toMatchObject({ id, to: "dev@example.com", status: "sent", subject: "Reset your Feedback Accounts password" });
    secrets.clear(); // The development outbox shows them by design; the console still never did.
    expect(logged()).not.toContain(link);
  });

  it("lists messages not sent, failed ones included, with their status, newest first", async () => {
    const at = clockFrom();
    const failing: EmailSender = { provider: "ses", send: async () => ({ ok: false, error: "MessageRejected (HTTP 400)", permanent: true }) };
    const { id: failedId } = await queueReset("failed@example.com");
    await deliverDueEmails(db, at(), { sender: failing });
    const { id: pendingId } = await queueReset("pending@example.com");

    const listed = await listEmailOutbox(db, 10);

    expect(listed.map((m) => [m.id, m.status])).toEqual([
      [pendingId, "pending"],
      [failedId, "failed"],
    ]);
    expect(listed[1].lastError).toBe("MessageRejected (HTTP 400)");
  });
});
