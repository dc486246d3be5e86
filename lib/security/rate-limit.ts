import { eq, inArray, type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { rateLimits } from "@/db/schema";

/**
 * Counters live in Postgres (rate_limits), so every app instance shares them. Each change is one
 * upsert or conditional UPDATE: no read-modify-write race between instances.
 */

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

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
 * Takes one unit from each budget (fixed windows) as one statement; `from`-less, so it can be a CTE of a
 * larger statement. Each row moves only while its budget has room (the upsert's condition is evaluated on
 * the locked, latest row: N parallel requests against a budget of M get at most M units), and a window that
 * has passed starts over. Returns the key of every budget taken; a budget with no room is not returned.
 */
export function takeBudgetsSql(budgets: Budget[], now: Date): SQL {
  const open = budgets.filter((b) => b.max > 0);
  if (open.length === 0) return sql`select null::text as key where false`;
  const since = (b: Budget) => at(new Date(now.getTime() - b.windowMs));
  const perKey = (value: (b: Budget) => SQL) => sql`case excluded.key ${sql.join(open.map((b) => sql`when ${b.key} then ${value(b)}`), sql` `)} end`;
  const windowOver = sql`r.window_start <= ${perKey(since)}`;
  return sql`insert into rate_limits as r (key, count, window_start)
      select v.key, 1, ${at(now)} from (values ${sql.join(
        open.map((b) => sql`(${b.key})`),
        sql`, `,
      )}) as v (key)
      on conflict (key) do update set
        count = case when ${windowOver} then 1 else r.count + 1 end,
        window_start = case when ${windowOver} then ${at(now)} else r.window_start end
      where ${windowOver} or r.count < ${perKey((b) => sql`${b.max}::int`)}
      returning key`;
}

/**
 * After takeBudgetsSql took only some of its budgets: gives back those taken (so nothing is counted for a
 * request that was refused) and says when the fullest refused one has room again.
 */
export async function settleBudgets(db: Db, budgets: Budget[], taken: string[], now: Date): Promise<BudgetResult> {
  if (budgets.every((b) => taken.includes(b.key))) return { ok: true };
  const refused = budgets.filter((b) => !taken.includes(b.key));
  const [, rows] = await Promise.all([
    taken.length > 0 ? db.execute(sql`update rate_limits set count = greatest(count - 1, 0) where key in (${sql.join(taken.map((k) => sql`${k}`), sql`, `)})`) : null,
    db.select({ key: rateLimits.key, windowStart: rateLimits.windowStart }).from(rateLimits).where(inArray(rateLimits.key, refused.map((b) => b.key))),
  ]);
  const opens = refused.map((b) => {
    const row = rows.find((r) => r.key === b.key);
    return row ? row.windowStart.getTime() + b.windowMs : now.getTime();
  });
  return { ok: false, retryAt: new Date(Math.max(...opens)) };
}

/**
 * Takes one unit from each budget, all or nothing: a request refused by one budget counts against none
 * (what it took from the others is given back). One statement when every budget has room.
 */
export async function takeBudgets(db: Db, budgets: Budget[], now = new Date()): Promise<BudgetResult> {
  if (budgets.length === 0) return { ok: true };
  const taken = rowsOf<{ key: string }>(await db.execute(takeBudgetsSql(budgets, now))).map((r) => r.key);
  return settleBudgets(db, budgets, taken, now);
}

export type Backoff = { free: number; baseDelayMs: number; maxDelayMs: number };

/** When a backoff key is blocked until a moment still ahead, that moment; otherwise null. */
export async function blockedUntil(db: Db, key: string, now = new Date()): Promise<Date | null> {
  const [row] = await db.select({ until: rateLimits.blockedUntil }).from(rateLimits).where(eq(rateLimits.key, key));
  return row?.until && row.until > now ? row.until : null;
}

/** A strike taken before an attempt; giving it back needs to know when and under which policy. */
export type HeldStrike = { key: string; policy: Backoff; at: Date };
export type Reservation = { ok: true; held: HeldStrike[]; blockedUntil: Date | null } | { ok: false; retryAt: Date };

/** The block that the `strikes`-th failure in a row earns: none below `free`, then baseDelayMs doubling up to maxDelayMs. */
function blockAfter(strikes: SQL, policy: Backoff, now: Date) {
  return sql`case when ${strikes} >= ${policy.free}
    then ${at(now)} + make_interval(secs => least(${policy.baseDelayMs}::float8 * power(2, least(${strikes} - ${policy.free}, 30)), ${policy.maxDelayMs}) / 1000.0)
  end`;
}

/**
 * One reservation as a statement (see reserveStrikes): a row is returned only when the strike was taken.
 * `from` makes it part of a larger statement (the key computed from its rows); without it, one key.
 */
export function reserveStrikeSql(input: { key: SQL; policy: Backoff; now: Date; from?: SQL }) {
  const { policy, now } = input;
  return sql`insert into rate_limits as r (key, count, strikes, window_start, blocked_until)
      select ${input.key}, 0, 1, ${at(now)}, ${blockAfter(sql`1`, policy, now)} ${input.from ?? sql``}
      on conflict (key) do update set
        strikes = r.strikes + 1,
        blocked_until = coalesce(${blockAfter(sql`(r.strikes + 1)`, policy, now)}, r.blocked_until)
      where r.blocked_until is null or r.blocked_until <= ${at(now)}
      returning blocked_until`;
}

/**
 * Reserves one failure on each key before the attempt it limits runs (ASVS 5.0 2.4.1: a limit is taken
 * before the work, never read first and counted after). Each key is one atomic upsert that increments
 * and, from the `free`-th strike on, blocks the key at once, for a delay that doubles up to maxDelayMs
 * (NIST SP 800-63B 3.2.2: throttle, never lock for good). A blocked key takes no strike, so N parallel
 * attempts against a key with k strikes to spare run at most k times. All keys are reserved in one
 * statement; if one is blocked, the others are given back and the answer is when the latest block ends.
 * A key with `unless` (SQL) is left alone when that holds, and counts as neither held nor refused.
 * `blockedUntil` is the block that stands if this attempt fails; a success gives the strikes back with
 * releaseStrikes.
 */
export async function reserveStrikes(db: Db, wanted: { key: string; policy: Backoff; unless?: SQL }[], now = new Date()): Promise<Reservation> {
  if (wanted.length === 0) return { ok: true, held: [], blockedUntil: null };
  const name = (i: number) => sql.raw(`reserved_${i}`);
  const parts = wanted.map(
    (w, i) => sql`${name(i)} as (${reserveStrikeSql({ key: sql`${w.key}`, policy: w.policy, now, from: w.unless ? sql`where not (${w.unless})` : undefined })})`,
  );
  const columns = wanted.map(
    (w, i) => sql`(select count(*) from ${name(i)})::int as taken_${sql.raw(String(i))},
      (select blocked_until from ${name(i)}) as block_${sql.raw(String(i))},
      (select blocked_until from rate_limits where key = ${w.key}) as before_${sql.raw(String(i))},
      ${w.unless ?? sql`false`} as skipped_${sql.raw(String(i))}`,
  );
  const [row] = rowsOf<Record<string, unknown>>(await db.execute(sql`with ${sql.join(parts, sql`, `)} select ${sql.join(columns, sql`, `)}`));
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  const held: HeldStrike[] = [];
  const refused: Date[] = [];
  let until: Date | null = null;
  wanted.forEach(({ key, policy }, i) => {
    if (row[`skipped_${i}`] === true) return;
    if (Number(row[`taken_${i}`]) === 0) {
      refused.push(date(row[`before_${i}`]) ?? now);
      return;
    }
    held.push({ key, policy, at: now });
    const block = date(row[`block_${i}`]);
    if (block && block > now && (!until || block > until)) until = block;
  });
  if (refused.length > 0) {
    await releaseStrikes(db, held);
    return { ok: false, retryAt: new Date(Math.max(...refused.map((d) => d.getTime()))) };
  }
  return { ok: true, held, blockedUntil: until };
}

/**
 * The attempt succeeded: each strike is given back, and a block the reservation itself set is lifted
 * (the key stands as it did before). Keys in `clear` start over at zero (a right password clears the
 * account's failures).
 */
export async function releaseStrikes(db: Db, held: HeldStrike[], clear: string[] = []): Promise<void> {
  await Promise.all(held.map((strike) => db.execute(releaseStrikeSql(strike, clear))));
}

/** One strike of releaseStrikes as a statement (a key in `clear` starts over at zero), also for use inside a larger one. */
export function releaseStrikeSql(strike: HeldStrike, clear: string[] = []): SQL {
  return clear.includes(strike.key) ? clearFailuresSql(strike.key) : giveBackStrikeSql(strike);
}

/** Gives one reserved strike back; `when` makes it part of a larger statement. */
export function giveBackStrikeSql(strike: HeldStrike, when: SQL = sql`true`) {
  return sql`update rate_limits set
        strikes = greatest(strikes - 1, 0),
        blocked_until = case when strikes - 1 < ${strike.policy.free} then null else least(blocked_until, ${at(strike.at)}) end
      where key = ${strike.key} and ${when}`;
}

/** A success clears the failures; `when` makes it part of a larger statement (it runs only if that holds). */
export function clearFailuresSql(key: string, when: SQL = sql`true`) {
  return sql`update rate_limits set strikes = 0, blocked_until = null
      where key = ${key} and (strikes > 0 or blocked_until is not null) and ${when}`;
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.execute(clearFailuresSql(key));
}
