"use server";
import { redirect } from "next/navigation";
import { noInput, publicAction } from "@/lib/actions/client";
import { isEmailOutboxActive } from "@/lib/email";
import { queueEmails } from "@/lib/email/outbox";
import { sampleMessages } from "@/lib/email/samples";

/** The address the samples go to. */
const SAMPLES_TO = "samples@example.com";

/**
 * Queues one email of every template and notice kind, to see them in the outbox (development only: refused
 * unless the email outbox is active, which production allows only for tests on this machine). They are sent
 * after the response, as every flow's email is.
 */
export const queueSampleEmailsAction = publicAction(
  noInput,
  async (_input, { db }): Promise<void> => {
    if (!isEmailOutboxActive()) return;
    await queueEmails(
      db,
      sampleMessages().map((message) => ({ to: SAMPLES_TO, message })),
    );
    redirect("/dev/outbox?tab=email&queued=samples");
  },
  () => undefined,
);
