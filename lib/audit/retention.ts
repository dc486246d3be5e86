import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";

/**
 * How long audit events are kept: AUDIT_RETENTION_DAYS (default 365), then a periodic job deletes them. A year
 * covers the look-back most incident reviews and audits ask for (OWASP ASVS 5.0 V16: logs kept for a defined
 * period) without keeping people's IP addresses and browsers forever (GDPR art. 5(1)(e), storage limitation).
 */
export function auditRetentionDays(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.AUDIT_RETENTION_DAYS);
  return Number.isInteger(n) && n > 0 ? n : 365;
}

/** Rows deleted per statement, so a large backlog never holds one long lock or one huge transaction. */
export const RETENTION_BATCH_SIZE = 5000;

/**
 * Deletes events older than the retention period in batches (each a short statement of its own, oldest first,
 * through the created_at index). Safe on several instances at once: a row two of them pick is deleted once
 * and the other statement simply deletes fewer. Returns how many rows went.
 */
export async function deleteExpiredEvents(db: Db, now: Date, options: { days?: number; batchSize?: number } = {}): Promise<number> {
  const days = options.days ?? auditRetentionDays();
  const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from audit_events where id in (
        select id from audit_events where created_at < ${cutoff}::timestamptz order by created_at limit ${batchSize}
      ) returning 1 as gone`);
    const gone = rowsOf<{ gone: number }>(result).length;
    total += gone;
    if (gone < batchSize) return total;
  }
}
