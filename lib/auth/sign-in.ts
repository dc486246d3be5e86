import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { openChallenge } from "@/lib/mfa/challenge";
import { listMethods } from "@/lib/mfa/methods";
import { type SendContext, startSmsChallenge } from "@/lib/mfa/sms/delivery";
import { allowedMethods, policyOf } from "@/lib/org/policy";
import { LIMITS } from "@/lib/security/limits";
import { ipBucket, releaseStrikes, reserveStrikes } from "@/lib/security/rate-limit";
import { sha256 } from "@/lib/crypto/tokens";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

export type SignInResult =
  | { ok: true; token: string; userId: string; mfaState: "pending" | "not_required" }
  | { ok: false; error: "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAt: Date };

/**
 * The password step. Unknown email and wrong password take the same path (a bcrypt compare either way)
 * and return the same error. A failure is reserved on the account and the client's IP before bcrypt runs
 * (reserveStrikes), so parallel guesses cannot outrun the limit; a right password gives it back. A user
 * with MFA gets a pending session and a login challenge.
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
  const limits = [{ key: accountKey, policy: LIMITS.signInAccount() }];
  if (ipKey) limits.push({ key: ipKey, policy: LIMITS.signInIp() });
  const [reserved, [user]] = await Promise.all([
    reserveStrikes(db, limits, ctx.now),
    db
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
    .where(eq(users.email, email)),
  ]);
  if (!reserved.ok) return { ok: false, error: "throttled", retryAt: reserved.retryAt };
  const valid = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !valid) {
    // The strikes reserved above stay: this was a failure (the next attempt learns of any block).
    if (user) await recordEvent(db, { action: "sign_in.failed_password", userId: user.id, organisationId: user.organisationId, ...info });
    return { ok: false, error: "invalid_credentials" };
  }
  await releaseStrikes(db, reserved.held, [accountKey]);
  // The methods this sign-in may be finished with: the user's, as the organisation's policy allows at sign-in.
  const allowed = allowedMethods(policyOf(user.organisationId ? user.organisation : null), "sign_in");
  const listed = user.mfaEnabled ? await listMethods(db, user.id) : null;
  const methods = listed?.available.filter((m) => allowed.includes(m)) ?? [];
  if (!listed || methods.length === 0) {
    // Independent writes: on Postgres they run side by side on two pooled connections.
    const [{ token }] = await Promise.all([
      createSession(db, { userId: user.id, mfaState: "not_required", now: ctx.now, handoff: false, ...info }),
      recordEvent(db, { action: "sign_in.succeeded", userId: user.id, organisationId: user.organisationId, detail: { mfa: false }, ...info }),
    ]);
    return { ok: true, token, userId: user.id, mfaState: "not_required" };
  }
  const { token, session } = await createSession(db, { userId: user.id, mfaState: "pending", now: ctx.now, handoff: false, ...info });
  // One challenge per sign-in carries the attempt cap for every method. A text is sent only when SMS is the
  // first method offered; with an authenticator app it waits until the user picks SMS (a resend sends it).
  const challenge = { userId: user.id, sessionId: session.id, purpose: "login" as const, phone: listed.sms?.phone ?? null, factorId: listed.sms?.id ?? null };
  if (methods[0] === "sms" && listed.sms) await startSmsChallenge(db, { ...ctx, info }, { ...challenge, phone: listed.sms.phone });
  else await openChallenge(db, { ...challenge, now: ctx.now ?? new Date() });
  return { ok: true, token, userId: user.id, mfaState: "pending" };
}
