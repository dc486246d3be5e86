import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { type SendContext, startChallenge } from "@/lib/mfa/challenge";
import { loginMethods } from "@/lib/mfa/methods";
import { LIMITS } from "@/lib/security/limits";
import { blockedUntil, clearFailures, recordFailure } from "@/lib/security/rate-limit";
import { sha256 } from "@/lib/crypto/tokens";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

export type SignInResult =
  | { ok: true; token: string; userId: string; mfaState: "pending" | "not_required" }
  | { ok: false; error: "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAt: Date };

function latest(...dates: (Date | null)[]): Date | null {
  const real = dates.filter((d): d is Date => d !== null);
  return real.length ? new Date(Math.max(...real.map((d) => d.getTime()))) : null;
}

/**
 * The password step. Unknown email and wrong password take the same path (a bcrypt compare either way)
 * and return the same error. A user with MFA gets a pending session and a login challenge.
 */
export async function signInWithPassword(
  db: Db,
  ctx: SendContext,
  input: { email: string; password: string },
  info: Partial<RequestInfo> = {},
): Promise<SignInResult> {
  const email = input.email.toLowerCase();
  // Keyed by the email as typed (not by user id), so throttling looks the same for unknown accounts.
  const accountKey = `signin:account:${sha256(email)}`;
  const ipKey = info.ip ? `signin:ip:${info.ip}` : null;
  const blocked = latest(await blockedUntil(db, accountKey, ctx.now), ipKey ? await blockedUntil(db, ipKey, ctx.now) : null);
  if (blocked) return { ok: false, error: "throttled", retryAt: blocked };

  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, mfaEnabled: users.mfaEnabled, organisationId: memberships.organisationId })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, email));
  const valid = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !valid) {
    if (user) await recordEvent(db, { action: "sign_in.failed_password", userId: user.id, organisationId: user.organisationId, ...info });
    await recordFailure(db, accountKey, LIMITS.signInAccount(), ctx.now);
    if (ipKey) await recordFailure(db, ipKey, LIMITS.signInIp(), ctx.now);
    return { ok: false, error: "invalid_credentials" };
  }
  await clearFailures(db, accountKey);
  const methods = user.mfaEnabled ? await loginMethods(db, user.id) : null;
  if (!methods || methods.available.length === 0) {
    const { token } = await createSession(db, { userId: user.id, mfaState: "not_required", now: ctx.now, handoff: false, ...info });
    await recordEvent(db, { action: "sign_in.succeeded", userId: user.id, organisationId: user.organisationId, detail: { mfa: false }, ...info });
    return { ok: true, token, userId: user.id, mfaState: "not_required" };
  }
  const { token, session } = await createSession(db, { userId: user.id, mfaState: "pending", now: ctx.now, handoff: false, ...info });
  // One challenge per sign-in carries the attempt cap for every method. A text is sent only when SMS is the
  // first method offered; with an authenticator app it waits until the user picks SMS.
  await startChallenge(
    db,
    { ...ctx, info },
    {
      userId: user.id,
      sessionId: session.id,
      purpose: "login",
      phone: methods.smsFactor?.phone ?? null,
      factorId: methods.smsFactor?.id ?? null,
      send: methods.available[0] === "sms",
    },
  );
  return { ok: true, token, userId: user.id, mfaState: "pending" };
}
