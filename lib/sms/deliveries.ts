import type { Db } from "@/db/connect";
import { smsMessages } from "@/db/schema";
import type { SmsResult, SmsSender } from "./types";

/** "+31612345678" → "•••• 5678": all a delivery record or a log line may show of a number. */
export function maskPhoneNumber(to: string): string {
  return `•••• ${to.replace(/\D/g, "").slice(-4)}`;
}

/** Records one provider delivery: masked number only, never the number or the body (which holds the code). */
export async function recordDelivery(
  db: Db,
  delivery: { provider: SmsSender["provider"]; to: string; userId?: string | null; result: SmsResult },
): Promise<void> {
  const { result } = delivery;
  await db.insert(smsMessages).values({
    provider: delivery.provider,
    userId: delivery.userId ?? null,
    toMasked: maskPhoneNumber(delivery.to),
    to: null,
    body: null,
    status: result.ok ? "sent" : "failed",
    providerMessageId: result.ok ? result.messageId : null,
    error: result.ok ? null : result.error,
  });
}
