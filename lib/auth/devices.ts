import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { originOf } from "@/lib/audit/notices";
import { randomToken, sha256 } from "@/lib/crypto/tokens";
import { queueNoticeSql } from "@/lib/email/notices";
import { noteQueuedEmail } from "@/lib/email/outbox";

/**
 * A device id names one browser: 256 random bits in a long-lived HttpOnly cookie, stored server-side only
 * as a hash, together with each user who completed a sign-in from it (known_devices). Failed passwords are
 * counted per (account, device), so an attacker's failures elsewhere cannot lock the owner out of a browser
 * that has signed in before (NIST SP 800-63B 3.2.2: limit failed attempts without enabling denial of service).
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A device id lives as long as browsers keep a cookie (Chrome caps lifetimes at 400 days). */
export const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;

export const newDeviceId = () => randomToken(32);
export const isDeviceId = (value: unknown): value is string => typeof value === "string" && DEVICE_ID_PATTERN.test(value);
export const deviceHash = (deviceId: string) => sha256(`device:${deviceId}`);

/**
 * Records a completed sign-in from this browser (an upsert); `from` makes it part of a larger statement,
 * once per row of that CTE (which yields user_id). Returns user_id and `first_time`: true when this browser
 * had never signed in as that user (the row was inserted, not updated).
 */
export function rememberDeviceSql(input: { deviceId: string; userAgent?: string | null; now: Date; from: SQL }) {
  const at = sql`${input.now.toISOString()}::timestamptz`;
  return sql`insert into known_devices (token_hash, user_id, user_agent, created_at, last_signed_in_at)
      select ${deviceHash(input.deviceId)}, user_id, ${input.userAgent?.slice(0, 300) ?? null}, ${at}, ${at} from ${input.from}
      on conflict (token_hash, user_id) do update set last_signed_in_at = excluded.last_signed_in_at, user_agent = excluded.user_agent
      returning user_id, (xmax = 0) as first_time`;
}

/**
 * A completed sign-in, as two fragments for one statement: `remembered` records the browser, `noticed` emails
 * the owner when the browser is new to the account (OWASP ASVS 5.0 6.3.7). A request without a device id
 * counts as a new browser every time: leaving the cookie out must not keep a sign-in quiet.
 * `from` yields the signed-in user_id; `remembered` must be the name of the CTE holding the first fragment.
 */
export function signedInFromSql(input: { deviceId: string | null; userAgent?: string | null; ip?: string | null; now: Date; from: SQL }) {
  const notice = { kind: "new_browser_sign_in" as const, at: input.now, origin: originOf(input) };
  if (!input.deviceId) return { remembered: sql`select 1`, noticed: queueNoticeSql(notice, input.from) };
  return {
    remembered: rememberDeviceSql({ ...input, deviceId: input.deviceId }),
    noticed: queueNoticeSql(notice, sql`remembered where first_time`),
  };
}

/** The same as one statement, for a sign-in finished outside a larger one. */
export async function recordSignedInFrom(db: Db, input: { deviceId: string | null; userId: string; userAgent?: string | null; ip?: string | null; now?: Date }) {
  const parts = signedInFromSql({ ...input, now: input.now ?? new Date(), from: sql`(select ${input.userId}::uuid as user_id) as signed_in` });
  const result = await db.execute(sql`with remembered as (${parts.remembered}) ${parts.noticed}`);
  if (rowsOf(result).length > 0) noteQueuedEmail();
}

/** Records the browser an account was made in, so its first sign-in there is not announced as a new browser. */
export async function rememberDevice(db: Db, input: { deviceId: string | null; userId: string; userAgent?: string | null; now?: Date }) {
  if (!input.deviceId) return;
  await db.execute(rememberDeviceSql({ ...input, deviceId: input.deviceId, now: input.now ?? new Date(), from: sql`(select ${input.userId}::uuid as user_id) as signed_in` }));
}
