import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailTokens, memberships, sessions, users } from "@/db/schema";
import { describeBrowser } from "@/lib/account/user-agent";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { appLink } from "@/lib/email/links";
import { maskEmail } from "@/lib/email/mask";
import { queueEmail } from "@/lib/email/outbox";
import { EMAIL_TOKEN_TTL_MS, type EmailTokenProblem, consumeEmailToken, findEmailToken, issueEmailToken, voidEmailTokens } from "@/lib/email/tokens";
import type { Actor } from "@/lib/mfa/actor";
import { lockFactors } from "@/lib/mfa/enrollment";
import { withStepUp } from "@/lib/mfa/step-up";
import { LIMITS } from "@/lib/security/limits";
import { takeBudgets } from "@/lib/security/rate-limit";
import { hasFreshPassword } from "./reauth";
import { revokeOtherSessions } from "./sessions";

/**
 * Changing the sign-in address (ASVS 5.0 6.3.x, 7.5.1; NIST SP 800-63B 4.6): the address is the way back into
 * the account, so the change needs a fresh step-up (the password and, with MFA, a factor, spent once), is
 * proven by a link sent to the NEW address, and is announced to the OLD one. Whether another account has the
 * new address is never told (ASVS 5.0 6.3.8): the answer and the pending change look the same, the link is
 * simply not sent, and the change is refused by the unique index at the moment the link is used.
 */

/** How long the confirmation link works, in hours (the email says it). */
export const CHANGE_LINK_HOURS = EMAIL_TOKEN_TTL_MS.change_email / 3_600_000;

/** The link in the confirmation email. Its page confirms only on a button press, never on the GET a link scanner makes. */
export const changeLinkFor = (token: string) => appLink(`/confirm-email/${token}`);

type Failure<E extends string> = { ok: false; error: E };

class Refusal<T> extends Error {
  constructor(readonly result: T) {
    super("refused");
  }
}

/**
 * The proof a change of address needs: the step-up for a user with a factor (withStepUp: spent in the
 * change's transaction), the password re-entered within 10 minutes for a user without one. "Without one"
 * is read under the user's row lock (lockFactors), so a factor added meanwhile is seen.
 */
async function withChangeProof<T extends { ok: boolean }>(
  db: Db,
  actor: Actor,
  input: { stepUpChallengeId: string | null | undefined; now: Date },
  change: (tx: Db) => Promise<T>,
): Promise<T | Failure<"step_up_required" | "factor_required">> {
  if (input.stepUpChallengeId) return withStepUp(db, actor, input, change);
  if (!hasFreshPassword(actor, input.now)) return { ok: false, error: "step_up_required" };
  try {
    return await db.transaction(async (tx) => {
      if ((await lockFactors(tx, actor.userId)).length > 0) throw new Refusal({ ok: false, error: "factor_required" } as const);
      const result = await change(tx);
      if (!result.ok) throw new Refusal(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Refusal) return error.result as T | Failure<"step_up_required" | "factor_required">;
    throw error;
  }
}

export type EmailChangeRequest =
  | { ok: true; pending: string }
  | Failure<"same_address" | "step_up_required" | "factor_required">
  | { ok: false; error: "throttled"; retryAt: Date };

/**
 * Asks to move the account to `newEmail` (already checked by the form's schema): a link to the new address
 * (24 hours; a newer request voids it). When another account has that address, everything happens the same
 * except that no email goes out: the requester cannot tell, and the other account's owner is not bothered.
 */
export async function requestEmailChange(
  db: Db,
  actor: Actor,
  input: { newEmail: string; stepUpChallengeId: string | null | undefined; now?: Date; info?: Partial<RequestInfo> },
): Promise<EmailChangeRequest> {
  const now = input.now ?? new Date();
  const email = input.newEmail.trim().toLowerCase();
  return withChangeProof(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now }, async (tx) => {
    const [user] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.userId));
    if (!user || user.email === email) return { ok: false, error: "same_address" } as const;
    // Taken in the change's transaction: a refused change gives its unit back.
    const budget = await takeBudgets(tx, [{ key: `email_change:user:${actor.userId}`, ...LIMITS.emailChangePerUser() }], now);
    if (!budget.ok) return { ok: false, error: "throttled", retryAt: budget.retryAt } as const;
    const [other] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    const { token } = await issueEmailToken(tx, { userId: actor.userId, purpose: "change_email", email }, now);
    if (!other)
      await queueEmail(tx, {
        userId: actor.userId,
        to: email,
        message: { template: "change_email", name: user.name, link: changeLinkFor(token), hours: CHANGE_LINK_HOURS },
      });
    await recordEvent(tx, {
      action: "email.change_requested",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { newAddress: maskEmail(email) },
      ...input.info,
    });
    return { ok: true, pending: email } as const;
  });
}

/** The change of address waiting for its link, if any (My account shows it). */
export async function pendingEmailChange(db: Db, userId: string, now = new Date()): Promise<{ email: string; expiresAt: Date } | null> {
  const [row] = await db
    .select({ email: emailTokens.email, expiresAt: emailTokens.expiresAt })
    .from(emailTokens)
    .where(
      and(
        eq(emailTokens.userId, userId),
        eq(emailTokens.purpose, "change_email"),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, sql`${now.toISOString()}::timestamptz`),
      ),
    )
    .orderBy(desc(emailTokens.createdAt))
    .limit(1);
  return row ?? null;
}

/** Withdraws a pending change: its link stops working. Returns whether there was one. */
export async function cancelEmailChange(db: Db, actor: Actor, input: { now?: Date; info?: Partial<RequestInfo> } = {}): Promise<boolean> {
  const now = input.now ?? new Date();
  const pending = await pendingEmailChange(db, actor.userId, now);
  if (!pending) return false;
  await db.transaction(async (tx) => {
    await voidEmailTokens(tx, actor.userId, "change_email", now);
    await recordEvent(tx, { action: "email.change_cancelled", userId: actor.userId, organisationId: actor.organisationId, ...input.info });
  });
  return true;
}

export type EmailChangeLink = { ok: true; newEmail: string; currentEmail: string } | { ok: false; problem: EmailTokenProblem };

/** What the confirmation page shows before the button is pressed. */
export async function findEmailChangeLink(db: Db, raw: unknown, now = new Date()): Promise<EmailChangeLink> {
  const found = await findEmailToken(db, "change_email", raw, now);
  if (!found.ok) return found;
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, found.token.userId));
  if (!user) return { ok: false, problem: "invalid" };
  return { ok: true, newEmail: found.token.email, currentEmail: user.email };
}

export type EmailChangeConfirm =
  | { ok: true; userId: string; email: string; otherSessionsEnded: number; keptSession: boolean }
  | { ok: false; error: EmailTokenProblem | "address_taken" };

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code ?? (error as { code?: string }).code;
  return String(code) === "23505";
}

/**
 * Uses a change-of-address link. The link alone is enough (it may be opened on a phone, signed out): it
 * can only change the address of the account that asked for it, to the address it was sent to, which it
 * proves. In one transaction: the link is spent, the address is checked free again (the unique index
 * decides a race), the account takes it as verified, reset links sent to the old address are void, the
 * other sessions end (the browser confirming, when signed in to this account, stays), the old address gets
 * a notice naming the new one masked, and the change is audited. A refusal changes nothing.
 */
export async function confirmEmailChange(
  db: Db,
  input: { token: unknown; sessionId?: string | null; now?: Date; info?: Partial<RequestInfo> },
): Promise<EmailChangeConfirm> {
  const now = input.now ?? new Date();
  const info = input.info ?? {};
  try {
    return await db.transaction(async (tx) => {
      const spent = await consumeEmailToken(tx, "change_email", input.token, now);
      if (!spent.ok) throw new Refusal({ ok: false, error: spent.problem } as const);
      const { userId, email } = spent.token;
      const [user] = await tx
        .select({ email: users.email, name: users.name, organisationId: memberships.organisationId })
        .from(users)
        .leftJoin(memberships, eq(memberships.userId, users.id))
        .where(eq(users.id, userId))
        .for("update", { of: users });
      if (!user) throw new Refusal({ ok: false, error: "invalid" } as const);
      const [other] = await tx.select({ id: users.id }).from(users).where(and(eq(users.email, email), ne(users.id, userId)));
      if (other) throw new Refusal({ ok: false, error: "address_taken" } as const);
      await tx.update(users).set({ email, emailVerifiedAt: now }).where(eq(users.id, userId));
      await voidEmailTokens(tx, userId, "reset_password", now);
      await voidEmailTokens(tx, userId, "change_email", now);
      const [mine] = input.sessionId
        ? await tx
            .select({ id: sessions.id })
            .from(sessions)
            .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        : [];
      const ended = await revokeOtherSessions(tx, userId, mine?.id ?? null, "email_changed", now);
      // Sent straight to the old address: after this change, notices derived from the audit trail go to the new one.
      await queueEmail(tx, {
        userId,
        to: user.email,
        message: {
          template: "security_notice",
          name: user.name,
          kind: "email_changed",
          at: now.toISOString(),
          origin: { browser: info.userAgent ? describeBrowser(info.userAgent) : null, ip: info.ip ?? null },
          detail: { newAddress: maskEmail(email) },
          actionLink: appLink("/login"),
        },
      });
      await recordEvent(tx, {
        action: "email.changed",
        userId,
        organisationId: user.organisationId,
        detail: { from: maskEmail(user.email), to: maskEmail(email), otherSessionsEnded: ended },
        ...info,
      });
      return { ok: true as const, userId, email, otherSessionsEnded: ended, keptSession: Boolean(mine) };
    });
  } catch (error) {
    if (error instanceof Refusal) return error.result as EmailChangeConfirm;
    // Another account took the address between the check and the update: the unique index decided.
    if (isUniqueViolation(error)) return { ok: false, error: "address_taken" };
    throw error;
  }
}
