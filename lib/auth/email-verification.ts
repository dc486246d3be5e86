import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailTokens, users } from "@/db/schema";
import { sha256 } from "@/lib/crypto/tokens";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { appLink } from "@/lib/email/links";
import { queueEmail } from "@/lib/email/outbox";
import { consumeEmailToken, EMAIL_TOKEN_TTL_MS, type EmailTokenProblem, issueEmailToken } from "@/lib/email/tokens";
import { LIMITS } from "@/lib/security/limits";
import { takeBudgets } from "@/lib/security/rate-limit";

/**
 * Proving an email address: a single-use link to it (lib/email/tokens.ts). Until the address is proven the
 * account works, but cannot text a phone number or invite anyone: both send messages to third parties, and
 * an unproven account is the cheapest kind a script can make (OWASP ASVS 5.0 6.4.1; SMS pumping).
 */
export const verifyEmailBudget = (userId: string) => ({ key: `email:verify:user:${userId}`, ...LIMITS.verifyEmailPerUser() });

/** Issues a verification link and queues its email, in the caller's transaction. */
export async function queueVerificationEmail(db: Db, user: { id: string; email: string; name: string }, now = new Date()): Promise<void> {
  const { token } = await issueEmailToken(db, { userId: user.id, purpose: "verify_email", email: user.email }, now);
  await queueEmail(db, {
    userId: user.id,
    to: user.email,
    message: { template: "verify_email", name: user.name, link: appLink(`/verify-email/${token}`), hours: EMAIL_TOKEN_TTL_MS.verify_email / 3_600_000 },
  });
}

export type ResendResult = { ok: true } | { ok: false; error: "already_verified" } | { ok: false; error: "throttled"; retryAt: Date };

/** "Resend email" on the banner: budgeted per user, and a no-op for a proven address. */
export async function resendVerificationEmail(db: Db, userId: string, info: Partial<RequestInfo> = {}, now = new Date()): Promise<ResendResult> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user || user.emailVerifiedAt) return { ok: false, error: "already_verified" };
  const budget = await takeBudgets(db, [verifyEmailBudget(userId)], now);
  if (!budget.ok) return { ok: false, error: "throttled", retryAt: budget.retryAt };
  await db.transaction(async (tx) => {
    await queueVerificationEmail(tx, user, now);
    await recordEvent(tx, { action: "email.verification_sent", userId, ...info });
  });
  return { ok: true };
}

export type VerifyResult = { ok: true } | { ok: false; problem: EmailTokenProblem };

/**
 * Spends a verification link. It proves the address it was sent to only while that is still the account's
 * address: a link to an old address after a change proves nothing ("invalid").
 */
export async function verifyEmail(db: Db, token: unknown, info: Partial<RequestInfo> = {}, now = new Date()): Promise<VerifyResult> {
  return db.transaction(async (tx) => {
    const spent = await consumeEmailToken(tx, "verify_email", token, now);
    // A link opened twice (or first by a mail scanner) did its job if the address it was for is proven.
    if (!spent.ok && spent.problem === "used" && (await alreadyProven(tx, token as string))) return { ok: true as const };
    if (!spent.ok) return spent;
    const [user] = await tx
      .update(users)
      .set({ emailVerifiedAt: now })
      .where(and(eq(users.id, spent.token.userId), eq(users.email, spent.token.email), isNull(users.emailVerifiedAt)))
      .returning({ id: users.id });
    if (!user) {
      const [current] = await tx.select({ email: users.email }).from(users).where(eq(users.id, spent.token.userId));
      // Already proven (a second link, or an invitation): the link did its job, nothing changes.
      if (current?.email === spent.token.email) return { ok: true as const };
      throw new StaleLink();
    }
    await recordEvent(tx, { action: "email.verified", userId: user.id, ...info });
    return { ok: true as const };
  }).catch((error) => {
    // Rolled back, so the stale link stays unspent and keeps answering "invalid".
    if (error instanceof StaleLink) return { ok: false as const, problem: "invalid" as const };
    throw error;
  });
}

class StaleLink extends Error {}

async function alreadyProven(db: Db, raw: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(emailTokens)
    .innerJoin(users, and(eq(users.id, emailTokens.userId), eq(users.email, emailTokens.email), isNotNull(users.emailVerifiedAt)))
    .where(and(eq(emailTokens.tokenHash, sha256(raw)), eq(emailTokens.purpose, "verify_email")));
  return Boolean(row);
}

/** Whether the user's address is proven; the check SMS enrolment and invitations make in their transaction. */
export async function isEmailVerified(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ at: users.emailVerifiedAt }).from(users).where(eq(users.id, userId));
  return Boolean(row?.at);
}
