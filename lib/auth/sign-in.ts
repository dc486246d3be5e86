import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { type SendContext, startChallenge } from "@/lib/mfa/challenge";
import { loginMethods } from "@/lib/mfa/methods";
import { LIMITS } from "@/lib/security/limits";
import { clearFailures, failureState, ipBucket, recordFailure } from "@/lib/security/rate-limit";
import { sha256 } from "@/lib/crypto/tokens";
import { needsMfaSetup } from "./gate";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

export type SignInResult =
  /** needsSetup: the organisation holds this user at MFA setup (decides only the first page after sign-in). */
  | { ok: true; token: string; userId: string; mfaState: "pending" | "not_required"; needsSetup: boolean }
  | { ok: false; error: "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAt: Date };

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
  const ipKey = info.ip ? `signin:ip:${ipBucket(info.ip)}` : null;
  const failures = await failureState(db, ipKey ? [accountKey, ipKey] : [accountKey], ctx.now);
  if (failures.blockedUntil) return { ok: false, error: "throttled", retryAt: failures.blockedUntil };

  const [user] = await db
    .select({
      id: users.id,
      passwordHash: users.passwordHash,
      mfaEnabled: users.mfaEnabled,
      organisationId: memberships.organisationId,
      organisation: { mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods },
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(eq(users.email, email));
  const valid = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !valid) {
    if (user) await recordEvent(db, { action: "sign_in.failed_password", userId: user.id, organisationId: user.organisationId, ...info });
    await recordFailure(db, accountKey, LIMITS.signInAccount(), ctx.now);
    if (ipKey) await recordFailure(db, ipKey, LIMITS.signInIp(), ctx.now);
    return { ok: false, error: "invalid_credentials" };
  }
  if (failures.withStrikes.has(accountKey)) await clearFailures(db, accountKey);
  const methods = user.mfaEnabled ? await loginMethods(db, user.id) : null;
  if (!methods || methods.available.length === 0) {
    // Independent writes: on Postgres they run side by side on two pooled connections.
    const [{ token }] = await Promise.all([
      createSession(db, { userId: user.id, mfaState: "not_required", now: ctx.now, handoff: false, ...info }),
      recordEvent(db, { action: "sign_in.succeeded", userId: user.id, organisationId: user.organisationId, detail: { mfa: false }, ...info }),
    ]);
    const needsSetup = needsMfaSetup({ user: { mfaEnabled: user.mfaEnabled, hasTotp: false }, organisation: user.organisationId ? user.organisation : null });
    return { ok: true, token, userId: user.id, mfaState: "not_required", needsSetup };
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
  return { ok: true, token, userId: user.id, mfaState: "pending", needsSetup: false };
}
