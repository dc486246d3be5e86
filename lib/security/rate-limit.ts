import { eq, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { rateLimits } from "@/db/schema";

/**
 * Counters live in Postgres (rate_limits), so every app instance shares them. Each change is one
 * upsert or conditional UPDATE: no read-modify-write race between instances.
 */

class LimitExceeded extends Error {
  constructor(readonly retryAt: Date) {
    super("limit exceeded");
  }
}

export type Budget = { key: string; max: number; windowMs: number };

/**
 * The part of a client address that per-IP limits count: an IPv4 address as it is, an IPv6 address by its
 * /64 network (one subscriber usually holds a whole /64, so counting single addresses would hand out
 * 2^64 fresh budgets). Expects an address as parseIp (lib/auth/request-info.ts) returns it.
 */
export function ipBucket(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head, tail] = ip.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
export type BudgetResult = { ok: true } | { ok: false; retryAt: Date };

/**
 * Takes one unit from each budget (fixed windows), all or nothing: if any is spent, the transaction
 * rolls back and no counter moves. Row locks serialise parallel callers, so N parallel requests
 * against a budget of M succeed at most M times.
 */
export async function takeBudgets(db: Db, budgets: Budget[], now = new Date()): Promise<BudgetResult> {
  try {
    await db.transaction(async (tx) => {
      for (const b of budgets) {
        const windowStart = new Date(now.getTime() - b.windowMs);
        const [row] = await tx
          .insert(rateLimits)
          .values({ key: b.key, count: 1, windowStart: now })
          .onConflictDoUpdate({
            target: rateLimits.key,
            set: {
              // Dates go through the column's encoder: a bare Date in sql`` breaks the postgres-js driver.
              count: sql`case when ${lte(rateLimits.windowStart, windowStart)} then 1 else ${rateLimits.count} + 1 end`,
              windowStart: sql`case when ${lte(rateLimits.windowStart, windowStart)} then ${sql.param(now, rateLimits.windowStart)} else ${rateLimits.windowStart} end`,
            },
          })
          .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
        if (row.count > b.max) throw new LimitExceeded(new Date(row.windowStart.getTime() + b.windowMs));
      }
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof LimitExceeded) return { ok: false, retryAt: error.retryAt };
    throw error;
  }
}

export type Backoff = { free: number; baseDelayMs: number; maxDelayMs: number };

/** When a backoff key is blocked until a moment still ahead, that moment; otherwise null. */
export async function blockedUntil(db: Db, key: string, now = new Date()): Promise<Date | null> {
  const [row] = await db.select({ until: rateLimits.blockedUntil }).from(rateLimits).where(eq(rateLimits.key, key));
  return row?.until && row.until > now ? row.until : null;
}

/**
 * The backoff state of several keys in one query: the latest block still ahead (or null) and which keys
 * hold failures, so a success only writes when there is something to clear.
 */
export async function failureState(db: Db, keys: string[], now = new Date()): Promise<{ blockedUntil: Date | null; withStrikes: Set<string> }> {
  const rows = await db
    .select({ key: rateLimits.key, until: rateLimits.blockedUntil, strikes: rateLimits.strikes })
    .from(rateLimits)
    .where(inArray(rateLimits.key, keys));
  let until: Date | null = null;
  for (const r of rows) if (r.until && r.until > now && (!until || r.until > until)) until = r.until;
  return { blockedUntil: until, withStrikes: new Set(rows.filter((r) => r.strikes > 0 || r.until).map((r) => r.key)) };
}

/**
 * Records one failure. From the `free`-th failure in a row on, each failure blocks the key for a delay
 * that doubles from baseDelayMs up to maxDelayMs (NIST SP 800-63B 3.2.2: throttle, never lock for good).
 * Returns the block, if any.
 */
export async function recordFailure(db: Db, key: string, policy: Backoff, now = new Date()): Promise<Date | null> {
  const [row] = await db
    .insert(rateLimits)
    .values({ key, count: 0, strikes: 1, windowStart: now })
    .onConflictDoUpdate({ target: rateLimits.key, set: { strikes: sql`${rateLimits.strikes} + 1` } })
    .returning({ strikes: rateLimits.strikes });
  const over = row.strikes - policy.free + 1;
  if (over <= 0) return null;
  const delay = Math.min(policy.baseDelayMs * 2 ** Math.min(over - 1, 30), policy.maxDelayMs);
  const until = new Date(now.getTime() + delay);
  await db.update(rateLimits).set({ blockedUntil: until }).where(eq(rateLimits.key, key));
  return until;
}

/** A success clears the failures; `when` makes it part of a larger statement (it runs only if that holds). */
export function clearFailuresSql(key: string, when: SQL = sql`true`) {
  return sql`update rate_limits set strikes = 0, blocked_until = null
      where key = ${key} and (strikes > 0 or blocked_until is not null) and ${when}`;
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.execute(clearFailuresSql(key));
}
