import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { sha256 } from "@/lib/crypto/tokens";
import { appLink } from "@/lib/email/links";
import { queueEmail } from "@/lib/email/outbox";
import { EMAIL_TOKEN_TTL_MS, type EmailTokenProblem, consumeEmailToken, findEmailToken, issueEmailToken, voidEmailTokens } from "@/lib/email/tokens";
import { lockFactors } from "@/lib/mfa/enrollment";
import type { LoginMethod } from "@/lib/mfa/method";
import { listMethods } from "@/lib/mfa/methods";
import {
  checkResetProof,
  consumeResetProof,
  type ResetCodeSend,
  type ResetHolder,
  type ResetProofResult,
  type ResetProofState,
  resetProofState,
  sendResetProofCode,
} from "@/lib/mfa/reset";
import type { SendContext } from "@/lib/mfa/sms/delivery";
import { LIMITS } from "@/lib/security/limits";
import { type Budget, ipBucket, takeBudgets } from "@/lib/security/rate-limit";
import { hashPassword, newPasswordProblem } from "./password";
import { revokeOtherSessions } from "./sessions";
import { forgetTrustedBrowsers } from "./trusted-browsers";

/**
 * Forgot password (OWASP Forgot Password Cheat Sheet; ASVS 5.0 6.4.x; NIST SP 800-63B 4.2): an emailed link,
 * 256 random bits stored hashed, single use, 30 minutes, void when a newer one is sent, when the password
 * changes or when the address changes. An account with a second factor proves it before the new password
 * is taken (lib/mfa/reset.ts). A new password ends every session.
 */

/** How long a reset link works, in minutes (the email says it). */
export const RESET_LINK_MINUTES = EMAIL_TOKEN_TTL_MS.reset_password / 60_000;

/** The link in a reset email. Its page moves the token into a cookie at once (app/(auth)/reset-password/[token]/route.ts). */
export const resetLinkFor = (token: string) => appLink(`/reset-password/${token}`);

/**
 * Voids the emailed links that could take the account over without its password: reset links, and a
 * pending change of address (a session thief may have asked for one). Every password change and reset
 * calls this in its transaction.
 */
export async function voidRecoveryLinks(db: Db, userId: string, now = new Date()): Promise<void> {
  await voidEmailTokens(db, userId, "reset_password", now);
  await voidEmailTokens(db, userId, "change_email", now);
}

type Account = { id: string; name: string; email: string; organisationId: string | null };

async function findAccount(db: Db, where: { email: string } | { id: string }): Promise<Account | null> {
  const [row] = await db
    .select({ id: users.id, name: users.name, email: users.email, organisationId: memberships.organisationId })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where("email" in where ? eq(users.email, where.email) : eq(users.id, where.id));
  return row ?? null;
}

/** Issues a reset link and queues its email, in the caller's transaction. */
async function issueResetLink(tx: Db, account: Account, options: { now: Date; info?: Partial<RequestInfo>; by?: "operator" }) {
  const { token } = await issueEmailToken(tx, { userId: account.id, purpose: "reset_password", email: account.email }, options.now);
  await queueEmail(tx, {
    userId: account.id,
    to: account.email,
    message: { template: "password_reset", name: account.name, link: resetLinkFor(token), minutes: RESET_LINK_MINUTES },
  });
  // Nobody is signed in: whoever asked is not known to be the account's owner.
  await recordEvent(tx, {
    action: "password.reset_requested",
    userId: account.id,
    actorId: null,
    organisationId: account.organisationId,
    detail: options.by ? { by: options.by } : undefined,
    ...options.info,
  });
}

/** What happened to a request. Never shown: the requester always reads the same sentence. */
export type ResetRequestOutcome = "queued" | "no_account" | "throttled";

/**
 * "Forgot password?": emails a reset link when an account has the address. The requester learns nothing
 * from the answer (ASVS 5.0 6.3.8), so the caller shows one sentence whatever this returns, and runs it
 * after the response (the action's `after`), so neither the answer nor its timing depends on the outcome.
 * Budgets per address and per client IP are taken first, for known and unknown addresses alike; a request
 * over a budget sends nothing.
 */
export async function requestPasswordReset(
  db: Db,
  input: { email: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<ResetRequestOutcome> {
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  const budgets: Budget[] = [{ key: `reset:address:${sha256(email)}`, ...LIMITS.resetPerAddress() }];
  if (input.info?.ip) budgets.push({ key: `reset:ip:${ipBucket(input.info.ip)}`, ...LIMITS.resetPerIp() });
  const budget = await takeBudgets(db, budgets, now);
  if (!budget.ok) return "throttled";
  const account = await findAccount(db, { email });
  if (!account) return "no_account";
  await db.transaction((tx) => issueResetLink(tx, account, { now, info: input.info }));
  return "queued";
}

/** An operator's reset link (npm run admin:reset-password): no budgets, audited as the operator's. */
export async function sendResetLinkByOperator(db: Db, email: string, now = new Date()): Promise<{ ok: true } | { ok: false; error: "no_account" }> {
  const account = await findAccount(db, { email: email.trim().toLowerCase() });
  if (!account) return { ok: false, error: "no_account" };
  await db.transaction((tx) => issueResetLink(tx, account, { now, by: "operator" }));
  return { ok: true };
}

export type ResetLink = ResetHolder & { email: string; name: string; expiresAt: Date };
export type ResetLinkLookup = { ok: true; link: ResetLink } | { ok: false; problem: EmailTokenProblem };

/** The account a reset link is for, if the link works; a token of another purpose is "invalid". */
export async function findResetLink(db: Db, raw: unknown, now = new Date()): Promise<ResetLinkLookup> {
  const found = await findEmailToken(db, "reset_password", raw, now);
  if (!found.ok) return found;
  const account = await findAccount(db, { id: found.token.userId });
  // A link sent to an address the account no longer has proves nothing (changing the address voids them too).
  if (!account || account.email !== found.token.email) return { ok: false, problem: "invalid" };
  return {
    ok: true,
    link: { tokenId: found.token.id, userId: account.id, organisationId: account.organisationId, email: account.email, name: account.name, expiresAt: found.token.expiresAt },
  };
}

export type ResetPage = { ok: true; link: ResetLink; proof: ResetProofState } | { ok: false; problem: EmailTokenProblem };

/** Everything the reset page shows: the link's account, and where the second factor stands. */
export async function readResetPage(db: Db, raw: unknown, now = new Date()): Promise<ResetPage> {
  const found = await findResetLink(db, raw, now);
  if (!found.ok) return found;
  return { ok: true, link: found.link, proof: await resetProofState(db, found.link, now) };
}

/** Texts a code for the reset link's factor step (only when the user asks for one). */
export async function sendResetCode(db: Db, ctx: SendContext, raw: unknown): Promise<ResetCodeSend | { status: "link"; problem: EmailTokenProblem }> {
  const found = await findResetLink(db, raw, ctx.now);
  if (!found.ok) return { status: "link", problem: found.problem };
  return sendResetProofCode(db, ctx, found.link);
}

/** Checks the second factor for the reset link. */
export async function checkResetCode(
  db: Db,
  raw: unknown,
  input: { method: LoginMethod; code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<ResetProofResult | { ok: false; error: "link"; problem: EmailTokenProblem }> {
  const found = await findResetLink(db, raw, input.now);
  if (!found.ok) return { ok: false, error: "link", problem: found.problem };
  return checkResetProof(db, found.link, input);
}

export type ResetResult =
  | { ok: true; userId: string; email: string; sessionsEnded: number }
  | { ok: false; error: "password"; message: string }
  | { ok: false; error: EmailTokenProblem | "factor_required" };

class Refusal extends Error {
  constructor(readonly result: Extract<ResetResult, { ok: false }>) {
    super("refused");
  }
}

/**
 * Sets the new password from a reset link. In one transaction: the link is spent (of two racing requests,
 * one wins), the user's row is locked, a user with any factor must have proven one for this very link
 * (spent here), the password is set, every reset link and pending change of address is void, and every
 * session ends (NIST SP 800-63B 4.6; whoever knew the old password may be signed in). The address is
 * verified by the same token. A refusal rolls back: the link stays usable.
 */
export async function completePasswordReset(
  db: Db,
  input: { token: unknown; password: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<ResetResult> {
  const now = input.now ?? new Date();
  const found = await findResetLink(db, input.token, now);
  if (!found.ok) return { ok: false, error: found.problem };
  const problem = await newPasswordProblem(input.password);
  if (problem) return { ok: false, error: "password", message: problem };
  const hash = await hashPassword(input.password);
  const link = found.link;
  try {
    return await db.transaction(async (tx) => {
      const spent = await consumeEmailToken(tx, "reset_password", input.token, now);
      if (!spent.ok) throw new Refusal({ ok: false, error: spent.problem });
      // Locks the user, so a factor added meanwhile is seen here (lib/mfa/enrollment.ts locks the same row).
      await lockFactors(tx, link.userId);
      const methods = await listMethods(tx, link.userId);
      const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, link.userId));
      if (!user || user.email !== spent.token.email) throw new Refusal({ ok: false, error: "invalid" });
      const mfa = methods.available.length > 0;
      if (mfa && !(await consumeResetProof(tx, link, now))) throw new Refusal({ ok: false, error: "factor_required" });
      await tx
        .update(users)
        .set({ passwordHash: hash, passwordChangedAt: now, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` })
        .where(eq(users.id, link.userId));
      await voidRecoveryLinks(tx, link.userId, now);
      const ended = await revokeOtherSessions(tx, link.userId, null, "password_reset", now);
      // And every browser trusted to skip the second factor (lib/auth/trusted-browsers.ts), like the sessions above.
      await forgetTrustedBrowsers(tx, link.userId);
      await recordEvent(tx, {
        action: "password.reset",
        userId: link.userId,
        organisationId: link.organisationId,
        detail: { sessionsEnded: ended, mfa },
        ...input.info,
      });
      return { ok: true as const, userId: link.userId, email: user.email, sessionsEnded: ended };
    });
  } catch (error) {
    if (error instanceof Refusal) return error.result;
    throw error;
  }
}
