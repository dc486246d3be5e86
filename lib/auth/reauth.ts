import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { sessions, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { LIMITS } from "@/lib/security/limits";
import { releaseStrikes, reserveStrikes } from "@/lib/security/rate-limit";
import { verifyPassword } from "./password";

/**
 * Re-authentication: the current password entered again in this session (ASVS 5.0 7.5.1). Proving a second
 * factor before a change is the step-up (lib/mfa/step-up.ts), which needs this first.
 */

/** Sensitive changes need the password confirmed in this session within the last 10 minutes. */
export const REAUTH_WINDOW_MS = 10 * 60_000;

export function hasFreshPassword(session: { reauthenticatedAt: Date | null }, now = new Date()): boolean {
  return session.reauthenticatedAt !== null && now.getTime() - session.reauthenticatedAt.getTime() < REAUTH_WINDOW_MS;
}

export type PasswordCheck = { ok: true } | { ok: false; error: "password_wrong" } | { ok: false; error: "password_throttled"; retryAt: Date };

type PasswordCheckInput = {
  userId: string;
  password: string;
  organisationId?: string | null;
  now?: Date;
  info?: Partial<RequestInfo>;
};

/**
 * The current password of a signed-in user, re-entered (step-up, password change). Failures back off per
 * user like sign-in (LIMITS.stepUpAccount), counted in Postgres so every instance and session shares them:
 * a stolen session must not become an unthrottled password oracle. While blocked, bcrypt does not run.
 */
export async function checkCurrentPassword(db: Db, input: PasswordCheckInput): Promise<PasswordCheck> {
  const now = input.now ?? new Date();
  const key = `reauth:user:${input.userId}`;
  // Reserved before bcrypt runs, so parallel guesses cannot outrun the limit (see reserveStrikes).
  const reserved = await reserveStrikes(db, [{ key, policy: LIMITS.stepUpAccount() }], now);
  if (!reserved.ok) return { ok: false, error: "password_throttled", retryAt: reserved.retryAt };
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  if (await verifyPassword(input.password, user?.passwordHash)) {
    await releaseStrikes(db, reserved.held, [key]);
    return { ok: true };
  }
  await recordEvent(db, { action: "step_up.failed_password", userId: input.userId, organisationId: input.organisationId, ...input.info });
  return reserved.blockedUntil ? { ok: false, error: "password_throttled", retryAt: reserved.blockedUntil } : { ok: false, error: "password_wrong" };
}

/** Checks the current password again and, if right, stamps the session so the next steps may proceed. */
export async function confirmPassword(db: Db, input: PasswordCheckInput & { sessionId: string }): Promise<PasswordCheck> {
  const result = await checkCurrentPassword(db, input);
  if (!result.ok) return result;
  await db
    .update(sessions)
    .set({ reauthenticatedAt: input.now ?? new Date() })
    .where(eq(sessions.id, input.sessionId));
  return result;
}
