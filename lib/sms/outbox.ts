import crypto from "node:crypto";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { smsMessages } from "@/db/schema";
import { maskPhoneNumber } from "./deliveries";
import type { SmsSender } from "./types";

/**
 * Development sender: stores the whole message (number and body, so the code) for the /dev/outbox page
 * instead of sending it. Never active in production; see isOutboxActive().
 */
export function createOutboxSender(db: Db): SmsSender {
  return {
    provider: "outbox",
    async send(message) {
      const id = nextOutboxId();
      try {
        await db.insert(smsMessages).values({
          id,
          provider: "outbox",
          userId: message.userId ?? null,
          to: message.to,
          toMasked: maskPhoneNumber(message.to),
          body: message.body,
          status: "sent",
          providerMessageId: id,
        });
        return { ok: true, messageId: id };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.name : "Error" };
      }
    },
  };
}

let lastMs = 0;
let sequence = 0;

/**
 * UUIDv7 (RFC 9562) with a 12-bit counter in rand_a (section 6.2, method 1), so ids from this process sort in
 * send order. created_at alone ties: PGlite's clock has millisecond resolution, and a resent code must list first.
 */
function nextOutboxId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  const bytes = crypto.randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Outbox messages, newest first. */
export function listOutbox(db: Db, limit = 50) {
  return db
    .select()
    .from(smsMessages)
    .where(eq(smsMessages.provider, "outbox"))
    .orderBy(desc(smsMessages.createdAt), desc(smsMessages.id))
    .limit(limit);
}
