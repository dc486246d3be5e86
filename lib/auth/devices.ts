import { type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { randomToken, sha256 } from "@/lib/crypto/tokens";

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
 * once per row of that CTE (which yields user_id).
 */
export function rememberDeviceSql(input: { deviceId: string; userAgent?: string | null; now: Date; from: SQL }) {
  const at = sql`${input.now.toISOString()}::timestamptz`;
  return sql`insert into known_devices (token_hash, user_id, user_agent, created_at, last_signed_in_at)
      select ${deviceHash(input.deviceId)}, user_id, ${input.userAgent?.slice(0, 300) ?? null}, ${at}, ${at} from ${input.from}
      on conflict (token_hash, user_id) do update set last_signed_in_at = excluded.last_signed_in_at, user_agent = excluded.user_agent`;
}

export async function rememberDevice(db: Db, input: { deviceId: string | null; userId: string; userAgent?: string | null; now?: Date }) {
  if (!input.deviceId) return;
  await db.execute(rememberDeviceSql({ ...input, deviceId: input.deviceId, now: input.now ?? new Date(), from: sql`(select ${input.userId}::uuid as user_id) as signed_in` }));
}
