import "server-only";
import { after } from "next/server";
import { trackQueuedEmails } from "@/lib/email/outbox";

/**
 * Runs a request's work and, only if it queued email (lib/email/outbox.ts), sends that email after the response
 * is finished, with Next's after(): the person waits for the change, never for the provider. A request that
 * queued nothing pays no query and schedules nothing (sign-in throughput is measured: docs/performance.md).
 * The action client wraps every server action in it; a route handler that can queue email wraps its work too.
 */
export function withEmailDelivery<T>(run: () => Promise<T>): Promise<T> {
  return trackQueuedEmails(run, (queued) => {
    if (queued) sendQueuedEmailSoon();
  });
}

/** Schedules a delivery run after the current response. */
export function sendQueuedEmailSoon(): void {
  try {
    after(deliverAfterResponse);
  } catch {
    // Outside a request (a script, a test): the periodic sweep (lib/jobs/periodic.ts) sends it.
  }
}

/**
 * Sends what is due now. For work that itself runs after the response (a forgotten password's request runs in
 * after(), so the answer's timing says nothing): the email it queued goes out at the end of that work.
 */
export async function deliverAfterResponse(): Promise<void> {
  // Loaded here, not at the top: the templates and the SES client stay out of every request that sends nothing.
  const [{ getDb }, { deliverSoon }] = await Promise.all([import("@/db/client"), import("@/lib/email/sender")]);
  await deliverSoon(await getDb());
}
