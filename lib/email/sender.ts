import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { type EmailOutboxRow, emailOutbox } from "@/db/schema";
import { describeError } from "@/lib/aws/describe-error";
import { createEmailSender, emailFrom } from "./index";
import { emailTimeoutMs } from "./ses";
import { renderEmail } from "./templates";
import type { EmailResult, EmailSender } from "./types";

/** Waits before the 2nd, 3rd, … 6th attempt: 1 min, 5 min, 30 min, 2 h, 6 h (about 9 hours in all). */
export const EMAIL_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];
/** Attempts before a message is marked failed for good. */
export const EMAIL_MAX_ATTEMPTS = EMAIL_RETRY_DELAYS_MS.length + 1;
/** Rows one call claims. */
export const EMAIL_BATCH = 10;

export interface DeliveryOptions {
  /** Rows to claim at most. Default EMAIL_BATCH. */
  limit?: number;
  /** The provider. Default: the configured one (lib/email/index.ts). */
  sender?: EmailSender;
  /** How long a claim holds. Default: enough for every claimed row to time out one after another, plus a minute. */
  leaseMs?: number;
  /** The provider's deadline for one send, for the lease arithmetic. Default EMAIL_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface DeliveryReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Claimed, but not sent by this run: its claim would have expired during the send, or had passed to another sender. */
  released: number;
}

/**
 * Claims due messages for one sender, in one statement (its own short transaction): pending ones whose time has
 * come, and ones another sender claimed but abandoned (its lease passed: it died or hung). The rows are locked
 * FOR UPDATE SKIP LOCKED, so two senders running at once take different rows, and each row becomes `sending`
 * with a lease and one more attempt before the statement commits. A row whose claim is live is never taken.
 */
export async function claimDueEmails(db: Db, now: Date, limit: number, leaseMs: number): Promise<EmailOutboxRow[]> {
  // `now` has milliseconds, the column microseconds: a row queued earlier in the same millisecond is due too.
  const endOfNow = new Date(now.getTime() + 1);
  const due = db.$with("due").as(
    db
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(
        and(
          lt(emailOutbox.nextAttemptAt, endOfNow),
          or(eq(emailOutbox.status, "pending"), and(eq(emailOutbox.status, "sending"), lt(emailOutbox.claimedUntil, now))),
        ),
      )
      .orderBy(asc(emailOutbox.nextAttemptAt))
      .limit(limit)
      .for("update", { skipLocked: true }),
  );
  const rows = await db
    .with(due)
    .update(emailOutbox)
    .set({ status: "sending", claimedUntil: new Date(now.getTime() + leaseMs), attempts: sql`${emailOutbox.attempts} + 1` })
    .where(inArray(emailOutbox.id, db.select({ id: due.id }).from(due)))
    .returning();
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/**
 * Sends what is due: claims up to `limit` rows (claimDueEmails), then renders and sends each outside any
 * transaction, one after another, and records the outcome on the row only while this sender's claim still
 * holds it. Sent: `sent`, the provider's id, and the sealed props (the links and codes) erased. Failed: tried
 * again after a growing delay (EMAIL_RETRY_DELAYS_MS), and after EMAIL_MAX_ATTEMPTS `failed`, with one log
 * line naming the row and template, never the address, the link or the provider's message.
 *
 * A row is sent only while its claim has time left for a whole send (the provider's deadline) and is confirmed
 * still this sender's just before, so a row whose claim expired (and another sender took) is never sent by this
 * one as well. What remains possible is
 * the window no outbox closes: a process killed after the provider accepted a message and before the row was
 * marked sends that message once more when its claim expires.
 */
export async function deliverDueEmails(db: Db, now = new Date(), options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const limit = options.limit ?? EMAIL_BATCH;
  const timeoutMs = options.timeoutMs ?? emailTimeoutMs();
  // Rendering is milliseconds; the provider's deadline bounds each send.
  const perMessageMs = timeoutMs + 2_000;
  const leaseMs = options.leaseMs ?? limit * perMessageMs + 60_000;
  const started = performance.now();
  const clock = () => new Date(now.getTime() + (performance.now() - started));

  const report: DeliveryReport = { claimed: 0, sent: 0, retried: 0, failed: 0, released: 0 };
  const rows = await claimDueEmails(db, now, limit, leaseMs);
  report.claimed = rows.length;
  if (rows.length === 0) return report;
  const sender = options.sender ?? createEmailSender();

  for (const row of rows) {
    const lease = row.claimedUntil as Date;
    try {
      if (clock().getTime() + perMessageMs > lease.getTime()) {
        await release(db, row, lease);
        report.released += 1;
        continue;
      }
      // A sender that stalled (a paused process, a clock that jumped) may have lost the row to another one.
      if (!(await stillClaimed(db, row, lease))) {
        report.released += 1;
        continue;
      }
      const outcome = await sendOne(row, sender);
      const at = clock();
      if (outcome.result.ok) {
        const kept = sender.provider === "outbox" ? { bodyHtml: outcome.html, bodyText: outcome.text } : {};
        const marked = await finish(db, row, lease, {
          status: "sent",
          sentAt: at,
          provider: sender.provider,
          providerMessageId: outcome.result.messageId,
          subject: outcome.subject,
          lastError: null,
          ...kept,
        });
        if (!marked) console.warn(`email: ${row.id} (${row.template}) was sent, but its claim had passed to another sender`);
        report.sent += 1;
        continue;
      }
      const { error, permanent } = outcome.result;
      if (permanent || row.attempts >= EMAIL_MAX_ATTEMPTS) {
        await finish(db, row, lease, { status: "failed", lastError: error, subject: outcome.subject });
        console.error(`email: ${row.id} (${row.template}) failed after ${row.attempts} attempt${row.attempts === 1 ? "" : "s"}: ${error}`);
        report.failed += 1;
        continue;
      }
      const nextAttemptAt = new Date(at.getTime() + EMAIL_RETRY_DELAYS_MS[Math.min(row.attempts, EMAIL_RETRY_DELAYS_MS.length) - 1]);
      await finish(db, row, lease, { status: "pending", nextAttemptAt, lastError: error, subject: outcome.subject }, false);
      console.warn(`email: ${row.id} (${row.template}) attempt ${row.attempts} of ${EMAIL_MAX_ATTEMPTS} failed: ${error}; next try at ${nextAttemptAt.toISOString()}`);
      report.retried += 1;
    } catch (error) {
      // A database error while recording: the claim runs out and a later run takes the row again.
      console.error(`email: ${row.id} (${row.template}) could not be recorded: ${describeError(error)}`);
    }
  }
  return report;
}

interface Outcome {
  result: EmailResult;
  subject: string | null;
  html?: string;
  text?: string;
}

/** Renders and sends one row. A row that cannot be rendered (sealed props that do not open, an unknown template) never will be: permanent. */
async function sendOne(row: EmailOutboxRow, sender: EmailSender): Promise<Outcome> {
  if (row.attempts > EMAIL_MAX_ATTEMPTS) return { result: { ok: false, error: "AbandonedBySenders", permanent: true }, subject: row.subject };
  let rendered: Awaited<ReturnType<typeof renderEmail>>;
  try {
    rendered = await renderEmail(row);
  } catch (error) {
    return { result: { ok: false, error: describeError(error), permanent: true }, subject: null };
  }
  const toName = typeof row.props.name === "string" ? row.props.name : null;
  let result: EmailResult;
  try {
    result = await sender.send({ id: row.id, from: emailFrom(), to: row.toAddress, toName, ...rendered });
  } catch (error) {
    result = { ok: false, error: describeError(error) };
  }
  return { result, ...rendered };
}

type Finish = Partial<Pick<EmailOutboxRow, "status" | "sentAt" | "provider" | "providerMessageId" | "subject" | "lastError" | "nextAttemptAt" | "bodyHtml" | "bodyText">>;

/**
 * Records an outcome, only while this sender's claim (its lease, which no other claim shares) still holds the
 * row. A sent or failed row loses its sealed props: the links and codes are not kept once they are of no use.
 */
async function finish(db: Db, row: EmailOutboxRow, lease: Date, values: Finish, erase = true): Promise<boolean> {
  const updated = await db
    .update(emailOutbox)
    .set({ ...values, claimedUntil: null, ...(erase ? { sealedProps: null } : {}) })
    .where(and(eq(emailOutbox.id, row.id), eq(emailOutbox.status, "sending"), eq(emailOutbox.claimedUntil, lease)))
    .returning({ id: emailOutbox.id });
  return updated.length === 1;
}

/** Whether this sender's claim still holds the row. */
async function stillClaimed(db: Db, row: EmailOutboxRow, lease: Date): Promise<boolean> {
  const [held] = await db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.id, row.id), eq(emailOutbox.status, "sending"), eq(emailOutbox.claimedUntil, lease)));
  return held !== undefined;
}

/** Gives a claimed row back untouched (its attempt not counted), for the next run. */
async function release(db: Db, row: EmailOutboxRow, lease: Date): Promise<void> {
  await db
    .update(emailOutbox)
    .set({ status: "pending", claimedUntil: null, attempts: sql`${emailOutbox.attempts} - 1` })
    .where(and(eq(emailOutbox.id, row.id), eq(emailOutbox.status, "sending"), eq(emailOutbox.claimedUntil, lease)));
}

/** The periodic sweep: batches until nothing is due (at most `batches`, so one run stays bounded). */
export async function sweepEmails(db: Db, now = new Date(), options: DeliveryOptions & { batches?: number } = {}): Promise<DeliveryReport> {
  const total: DeliveryReport = { claimed: 0, sent: 0, retried: 0, failed: 0, released: 0 };
  const limit = options.limit ?? EMAIL_BATCH;
  const started = performance.now();
  for (let batch = 0; batch < (options.batches ?? 20); batch += 1) {
    const report = await deliverDueEmails(db, new Date(now.getTime() + (performance.now() - started)), { ...options, limit });
    for (const key of Object.keys(total) as (keyof DeliveryReport)[]) total[key] += report[key];
    if (report.claimed < limit) break;
  }
  return total;
}

const running = globalThis as { __emailDelivery?: { current: Promise<void> | null; again: boolean } };

/**
 * Sends what is due now, after a response (lib/actions/email-delivery.ts). Calls in one process coalesce: while
 * a run is going, another call only asks it to look once more when it ends, so a burst of requests makes one
 * or two runs, not one each. Never throws: what fails stays queued for the periodic sweep.
 */
export function deliverSoon(db: Db): Promise<void> {
  running.__emailDelivery ??= { current: null, again: false };
  const state = running.__emailDelivery;
  if (state.current) {
    state.again = true;
    return state.current;
  }
  state.current = (async () => {
    try {
      do {
        state.again = false;
        await sweepEmails(db, new Date(), { batches: 5 });
      } while (state.again);
    } catch (error) {
      console.error(`email: delivery run failed: ${describeError(error)}`);
    } finally {
      state.current = null;
    }
  })();
  return state.current;
}
