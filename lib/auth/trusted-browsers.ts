import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, trustedBrowsers, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { deviceHash } from "./devices";

/**
 * "Don't ask again on this browser": after a right code, the user may have this browser trusted, and its next
 * password sign-ins skip the second factor. The rules, all here:
 * - Trust is a server-side row (revocable), bound to the device id cookie (lib/auth/devices.ts: 256 random
 *   bits, stored only as deviceHash) and to one user. Without a device id nothing is trusted.
 * - A browser becomes trusted only by a right code at sign-in, in the code step's own statement
 *   (trustBrowserSql in lib/mfa/sign-in.ts finishSignIn), never on its own.
 * - It counts while now < least(expires_at, created_at + the organisation's days): the user's choice is always
 *   TRUSTED_BROWSER_DAYS, the organisation may allow 0 (off), 1, 7 or 30 days, and the shorter applies from the
 *   next sign-in. Without an organisation: TRUSTED_BROWSER_DAYS.
 * - A trusted browser skips the code, so the account's wrong-code backoff does not stop it: the owner's own
 *   browser keeps working while someone elsewhere guesses codes (NIST SP 800-63B 3.2.2: limit failed attempts
 *   without enabling denial of service). It still needs the password, with the password's limits.
 * - Trust ends (rows deleted) when the password changes or is reset, when a factor is removed or MFA is turned
 *   off (by the user, an admin's reset or an operator's), on "Sign out all other sessions", when the member is
 *   removed from the organisation and, organisation-wide, when the organisation turns it off (OWASP ASVS 5.0
 *   7.4.3: the sessions a changed factor leaves behind end with it).
 * This is the shape NIST SP 800-63B 4.2.3 allows for reauthentication (the password together with a still
 * valid secret bound to the browser), with a longer lifetime chosen by the organisation: one that needs the
 * guideline's 12-hour limit turns it off.
 */

/** How long a browser is trusted when the user ticks the box (30 days); the organisation may shorten it. */
export const TRUSTED_BROWSER_DAYS = 30;
/** The organisation's choices, in days; 0 turns remembering off. The default is 30. */
export const TRUSTED_BROWSER_DAY_CHOICES = [0, 1, 7, 30] as const;
export type TrustedBrowserDays = (typeof TRUSTED_BROWSER_DAY_CHOICES)[number];

const DAY_MS = 24 * 60 * 60_000;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTrustedBrowserDays(value: unknown): value is TrustedBrowserDays {
  return typeof value === "number" && (TRUSTED_BROWSER_DAY_CHOICES as readonly number[]).includes(value);
}

/** The days a browser trusted now stays trusted for a member of an organisation with `orgDays` (null: no organisation). */
export function effectiveTrustDays(orgDays: number | null | undefined): number {
  if (orgDays === null || orgDays === undefined) return TRUSTED_BROWSER_DAYS;
  return Math.max(0, Math.min(orgDays, TRUSTED_BROWSER_DAYS));
}

/** The form's checkbox: ticked only as "on" (a browser's default value) or "true". Anything else is not ticked. */
export function rememberTicked(value: unknown): boolean {
  return value === "on" || value === "true";
}

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * Until when a trusted_browsers row counts, in a query that joins the user's organisation (`organisations`,
 * left-joined: no organisation means the user's own 30 days, already in expires_at).
 */
function trustedUntilSql(): SQL<Date> {
  return sql<Date>`least(${trustedBrowsers.expiresAt}, ${trustedBrowsers.createdAt} + make_interval(days => coalesce(${organisations.trustedBrowserDays}, ${TRUSTED_BROWSER_DAYS})))`;
}

/**
 * The join condition for the password step's user query (lib/auth/sign-in.ts): the live trust of this browser
 * for this user, or no row. Needs `users` and a left join of `organisations` before it. The organisation's days
 * are read here, at sign-in, so lowering them shortens existing trust at once without rewriting rows.
 */
export function liveTrustJoin(deviceId: string | null, now: Date): SQL {
  return and(
    eq(trustedBrowsers.userId, users.id),
    // No device id: an empty hash, which names no row.
    eq(trustedBrowsers.deviceHash, deviceId ? deviceHash(deviceId) : ""),
    sql`${trustedUntilSql()} > ${at(now)}`,
  ) as SQL;
}

/**
 * Marks a trust as used by a sign-in (last_used_at), and says whether it still exists: a Forget or a revocation
 * that committed after the password step read it wins, and the sign-in asks for the code after all.
 */
export async function stampTrustedBrowser(db: Db, input: { id: string; now: Date }): Promise<boolean> {
  const rows = await db
    .update(trustedBrowsers)
    .set({ lastUsedAt: input.now })
    .where(and(eq(trustedBrowsers.id, input.id), sql`${trustedBrowsers.expiresAt} > ${at(input.now)}`))
    .returning({ id: trustedBrowsers.id });
  return rows.length > 0;
}

/**
 * The code step's fragment (lib/mfa/sign-in.ts finishSignIn): trusts this browser for the user `from` yields
 * (a CTE with user_id), for TRUSTED_BROWSER_DAYS, when the box was ticked, the browser has a device id and the
 * user's organisation has not turned remembering off. Trusting again renews it. Returns user_id per row written.
 */
export function trustBrowserSql(input: { remember: boolean; deviceId: string | null; userAgent?: string | null; now: Date; from: SQL }): SQL {
  if (!input.remember || !input.deviceId) return sql`select null::uuid as user_id where false`;
  const expires = new Date(input.now.getTime() + TRUSTED_BROWSER_DAYS * DAY_MS);
  return sql`insert into trusted_browsers (device_hash, user_id, user_agent, created_at, expires_at, last_used_at)
      select ${deviceHash(input.deviceId)}, signed_in.user_id, ${input.userAgent?.slice(0, 300) ?? null}, ${at(input.now)}, ${at(expires)}, ${at(input.now)}
      from (select user_id from ${input.from}) as signed_in
      where not exists (
        select 1 from memberships m join organisations o on o.id = m.organisation_id
        where m.user_id = signed_in.user_id and o.trusted_browser_days = 0
      )
      on conflict (device_hash, user_id) do update set created_at = excluded.created_at, expires_at = excluded.expires_at,
        last_used_at = excluded.last_used_at, user_agent = excluded.user_agent
      returning user_id`;
}

/** Ends every trusted browser of the user, in the caller's transaction. Returns how many ended. */
export async function forgetTrustedBrowsers(tx: Db, userId: string): Promise<number> {
  const rows = await tx.delete(trustedBrowsers).where(eq(trustedBrowsers.userId, userId)).returning({ id: trustedBrowsers.id });
  return rows.length;
}

/** Ends every trusted browser of the organisation's members (remembering turned off), in the caller's transaction. */
export async function forgetOrgTrustedBrowsers(tx: Db, organisationId: string): Promise<number> {
  const members = tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.organisationId, organisationId));
  const rows = await tx.delete(trustedBrowsers).where(inArray(trustedBrowsers.userId, members)).returning({ id: trustedBrowsers.id });
  return rows.length;
}

/**
 * Cuts the members' trust to `days` from when it was given (the organisation lowered its setting). Sign-in
 * already reads the shorter limit; writing it into expires_at too means raising the setting later does not
 * bring back trust the admin had cut short.
 */
export async function shortenOrgTrustedBrowsers(tx: Db, organisationId: string, days: number): Promise<void> {
  const members = tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.organisationId, organisationId));
  await tx
    .update(trustedBrowsers)
    .set({ expiresAt: sql`least(${trustedBrowsers.expiresAt}, ${trustedBrowsers.createdAt} + make_interval(days => ${days}::int))` })
    .where(inArray(trustedBrowsers.userId, members));
}

export type TrustedBrowserRow = { id: string; userAgent: string | null; createdAt: Date; lastUsedAt: Date; until: Date; current: boolean };

/** The user's live trusted browsers, most recently used first; `current`: the browser with `deviceId`. */
export async function listTrustedBrowsers(db: Db, userId: string, input: { deviceId: string | null; now?: Date }): Promise<TrustedBrowserRow[]> {
  const now = input.now ?? new Date();
  const rows = await db
    .select({
      id: trustedBrowsers.id,
      userAgent: trustedBrowsers.userAgent,
      createdAt: trustedBrowsers.createdAt,
      lastUsedAt: trustedBrowsers.lastUsedAt,
      until: trustedUntilSql(),
      current: sql<boolean>`${trustedBrowsers.deviceHash} = ${input.deviceId ? deviceHash(input.deviceId) : ""}`,
    })
    .from(trustedBrowsers)
    .leftJoin(memberships, eq(memberships.userId, trustedBrowsers.userId))
    .leftJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(and(eq(trustedBrowsers.userId, userId), sql`${trustedUntilSql()} > ${at(now)}`))
    .orderBy(desc(trustedBrowsers.lastUsedAt), desc(trustedBrowsers.createdAt));
  return rows.map((r) => ({ ...r, until: new Date(r.until), current: Boolean(r.current) }));
}

type Owner = { userId: string; organisationId: string | null };

/**
 * "Forget" in My account: ends one of the user's own trusted browsers. It only takes access away, so it needs no
 * step-up; another user's row (or a malformed id) matches nothing. Audited when a row ended.
 */
export async function forgetOwnTrustedBrowser(db: Db, owner: Owner, input: { id: string; info?: Partial<RequestInfo> }): Promise<boolean> {
  if (!UUID_PATTERN.test(input.id)) return false;
  return db.transaction(async (tx) => {
    const rows = await tx
      .delete(trustedBrowsers)
      .where(and(eq(trustedBrowsers.id, input.id), eq(trustedBrowsers.userId, owner.userId)))
      .returning({ id: trustedBrowsers.id });
    if (rows.length === 0) return false;
    await recordEvent(tx, { action: "trusted_browser.forgotten", userId: owner.userId, organisationId: owner.organisationId, ...input.info });
    return true;
  });
}

/** "Forget all" in My account: ends every trusted browser of the user. Returns how many; audited when any ended. */
export async function forgetAllOwnTrustedBrowsers(db: Db, owner: Owner, input: { info?: Partial<RequestInfo> } = {}): Promise<number> {
  return db.transaction(async (tx) => {
    const forgotten = await forgetTrustedBrowsers(tx, owner.userId);
    if (forgotten > 0)
      await recordEvent(tx, {
        action: "trusted_browsers.forgotten_all",
        userId: owner.userId,
        organisationId: owner.organisationId,
        detail: { forgotten },
        ...input.info,
      });
    return forgotten;
  });
}
