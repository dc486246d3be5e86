import crypto from "node:crypto";

let lastMs = 0;
let sequence = 0;

/**
 * UUIDv7 (RFC 9562) with a 12-bit counter in rand_a (section 6.2, method 1), so ids made by this process sort
 * in the order they were made (as the SMS outbox's ids do). created_at alone ties: rows written by one statement
 * share it, and PGlite's clock has millisecond resolution, while an outbox must list the newest message first.
 */
export function uuidv7(): string {
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
