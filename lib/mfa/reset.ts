import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailTokens, type OtpChallenge, otpChallenges } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { voidEmailTokens } from "@/lib/email/tokens";
import { allowedMethods, readMfaPolicy } from "@/lib/org/policy";
import { findOpenChallenge, openChallenge } from "./challenge";
import { checkCode } from "./code-check";
import { CODE_TTL_MS, MAX_CODE_ATTEMPTS } from "./codes";
import type { MethodSummary } from "./factor";
import type { LoginMethod } from "./method";
import { listMethods, methodHolder, summarize, type UserMethods } from "./methods";
import { type ResendOutcome, resendAvailableAt, resendChallenge, type SendContext } from "./sms/delivery";

/**
 * The second factor in a password reset (ASVS 5.0 6.4.3; OWASP Forgot Password Cheat Sheet): an emailed link
 * proves the inbox, not the account, so an account with MFA proves a factor before its new password is taken.
 * The reset is signed out, so its challenge belongs to the link's token row instead of a session (purpose
 * "reset"); otherwise it is the sign-in's challenge: the same code check, the same per-challenge cap and the
 * same per-account strike (lib/mfa/code-check.ts), and the methods the organisation allows at sign-in. One
 * link gets one challenge's attempts (a challenge that expires passes its count on to the next), and when
 * the cap is reached every reset link of the user is void, as a locked sign-in ends its pending session.
 */

/** A reset link as the factor step needs it: its token row (which holds the challenge), the user and their organisation. */
export type ResetHolder = { tokenId: string; userId: string; organisationId: string | null };

export type ResetProofState =
  | { required: false }
  | {
      required: true;
      /** A factor was proven for this link in the last CODE_TTL_MS and not yet spent on a new password. */
      proven: boolean;
      /** The user's methods the organisation allows at sign-in, strongest first. */
      methods: ResetMethod[];
      summary: MethodSummary;
      /** The link's open challenge, if one was opened (by a code sent or a code typed). */
      challenge: { id: string; sendCount: number; textSent: boolean; resendAt: number; attemptsLeft: number } | null;
    };

/** The methods a reset accepts: codes (the reset page has no passkey prompt). */
export type ResetMethod = Exclude<LoginMethod, "passkey">;

async function methodsFor(db: Db, holder: ResetHolder) {
  const [methods, policy] = await Promise.all([listMethods(db, holder.userId), readMfaPolicy(db, holder.organisationId)]);
  const allowed = allowedMethods(policy, "sign_in", methodHolder(methods));
  // Codes only: the reset page has no passkey prompt, so a passkey's owner answers with a backup code or another factor.
  const offered = methods.available.filter((m): m is ResetMethod => allowed.includes(m) && m !== "passkey");
  return { methods, offered };
}

const isProven = (c: OtpChallenge | null, now: Date) => Boolean(c?.verifiedAt && now.getTime() - c.verifiedAt.getTime() < CODE_TTL_MS);

/** What the reset page shows: whether a factor is needed, which ones, and whether it is already proven. */
export async function resetProofState(db: Db, holder: ResetHolder, now = new Date()): Promise<ResetProofState> {
  const { methods, offered } = await methodsFor(db, holder);
  // Any factor at all means a proof: what the organisation allows only narrows which one.
  if (methods.available.length === 0) return { required: false };
  const open = await findOpenChallenge(db, { emailTokenId: holder.tokenId }, "reset");
  const usable = open && open.attempts < MAX_CODE_ATTEMPTS ? open : null;
  return {
    required: true,
    proven: isProven(usable, now),
    methods: offered,
    summary: summarize(methods),
    challenge: usable
      ? {
          id: usable.id,
          sendCount: usable.sendCount,
          // A text that did not go out leaves last_sent_at at the epoch (lib/mfa/sms/delivery.ts).
          textSent: usable.sendCount > 0 && usable.lastSentAt.getTime() > 0,
          resendAt: usable.phone ? (await resendAvailableAt(db, usable.id, now)).getTime() : 0,
          attemptsLeft: MAX_CODE_ATTEMPTS - usable.attempts,
        }
      : null,
  };
}

/**
 * The link's challenge, opened when there is none or the open one expired. The link's row is locked first, so
 * parallel requests share one challenge instead of each opening its own. A new challenge starts with the
 * attempts the link's earlier ones used, so the cap counts per link and waiting buys no guesses. Null when
 * the link used them up.
 */
async function resetChallenge(db: Db, holder: ResetHolder, methods: UserMethods, now: Date): Promise<OtpChallenge | null> {
  return db.transaction(async (tx) => {
    await tx.select({ id: emailTokens.id }).from(emailTokens).where(eq(emailTokens.id, holder.tokenId)).for("update");
    const open = await findOpenChallenge(tx, { emailTokenId: holder.tokenId }, "reset");
    if (open && open.expiresAt > now) return open.attempts < MAX_CODE_ATTEMPTS ? open : null;
    const [row] = await tx
      .select({ used: sql<number>`coalesce(sum(${otpChallenges.attempts}), 0)` })
      .from(otpChallenges)
      .where(and(eq(otpChallenges.emailTokenId, holder.tokenId), eq(otpChallenges.purpose, "reset")));
    const used = Number(row?.used ?? 0);
    if (used >= MAX_CODE_ATTEMPTS) return null;
    const fresh = await openChallenge(tx, {
      userId: holder.userId,
      emailTokenId: holder.tokenId,
      purpose: "reset",
      // The number is on the challenge from the start, so choosing text messages later sends to it (a resend).
      phone: methods.sms?.phone ?? null,
      factorId: methods.sms?.id ?? null,
      now,
    });
    if (used === 0) return fresh;
    const [carried] = await tx.update(otpChallenges).set({ attempts: used }).where(eq(otpChallenges.id, fresh.id)).returning();
    return carried ?? fresh;
  });
}

export type ResetCodeSend = Exclude<ResendOutcome, { status: "sent" }> | { status: "sent"; resendAt: Date } | { status: "no_sms" };

/**
 * Texts a code for the reset, only when the user asks for one (the page never texts by itself: a link
 * scanner opening it must not send anything). The SMS budgets and the growing resend delay of sign-in
 * apply (lib/mfa/sms/delivery.ts: a reset spends the sign-in budgets, as it texts a registered number).
 */
export async function sendResetProofCode(db: Db, ctx: SendContext, holder: ResetHolder): Promise<ResetCodeSend> {
  const now = ctx.now ?? new Date();
  const { methods, offered } = await methodsFor(db, holder);
  if (!offered.includes("sms") || !methods.sms) return { status: "no_sms" };
  const challenge = await resetChallenge(db, holder, methods, now);
  if (!challenge) return { status: "closed" };
  const outcome = await resendChallenge(db, { ...ctx, now }, { challengeId: challenge.id, userId: holder.userId, emailTokenId: holder.tokenId });
  return outcome.status === "sent" ? { status: "sent", resendAt: await resendAvailableAt(db, challenge.id, now) } : outcome;
}

export type ResetProofResult =
  | { ok: true; method: LoginMethod }
  | { ok: false; error: "code_wrong"; reason: string; attemptsLeft: number }
  | { ok: false; error: "code_unreadable"; reason: string }
  /** The link's attempts are used up: every reset link of the user is void now. */
  | { ok: false; error: "code_locked" }
  | { ok: false; error: "mfa_throttled"; retryAt: Date }
  | { ok: false; error: "method_not_allowed" | "no_factor" | "challenge_missing" };

/**
 * Checks a code for the reset with the chosen method through the one code check, and marks the link's
 * challenge verified; the new password spends it (consumeResetProof). A backup code is spent here.
 */
export async function checkResetProof(
  db: Db,
  holder: ResetHolder,
  input: { method: LoginMethod; code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<ResetProofResult> {
  const now = input.now ?? new Date();
  const info = input.info ?? {};
  const { methods, offered } = await methodsFor(db, holder);
  if (methods.available.length === 0) return { ok: false, error: "no_factor" };
  if (!(offered as LoginMethod[]).includes(input.method)) return { ok: false, error: "method_not_allowed" };
  const event = { userId: holder.userId, organisationId: holder.organisationId, actorId: null, ...info };
  const challenge = await resetChallenge(db, holder, methods, now);
  if (!challenge) return lockOut(db, holder, event, now, false);
  const result = await checkCode(db, {
    challengeId: challenge.id,
    userId: holder.userId,
    emailTokenId: holder.tokenId,
    purpose: "reset",
    organisationId: holder.organisationId,
    method: input.method,
    code: input.code,
    now,
    info,
    // The owner sees someone got hold of a reset link and failed the second factor (NIST SP 800-63B 4.6).
    onWrong: (attemptsLeft) => recordEvent(db, { action: "password.reset_failed_code", ...event, detail: { attemptsLeft } }),
  });
  if (result.ok) return { ok: true, method: input.method };
  switch (result.error) {
    case "code_wrong":
      return { ok: false, error: "code_wrong", reason: result.reason, attemptsLeft: result.attemptsLeft };
    case "code_locked":
      return lockOut(db, holder, event, now, result.counted);
    case "code_unreadable":
      return { ok: false, error: "code_unreadable", reason: result.reason };
    case "mfa_throttled":
      return result;
    default:
      return { ok: false, error: "challenge_missing" };
  }
}

async function lockOut(
  db: Db,
  holder: ResetHolder,
  event: { userId: string; organisationId: string | null; actorId: null } & Partial<RequestInfo>,
  now: Date,
  counted: boolean,
): Promise<ResetProofResult> {
  await voidEmailTokens(db, holder.userId, "reset_password", now);
  if (counted) await recordEvent(db, { action: "password.reset_mfa_locked", ...event });
  return { ok: false, error: "code_locked" };
}

/**
 * Spends the link's verified challenge inside the new password's transaction: single use, and only within
 * CODE_TTL_MS of the proof. Null when there is none (never proven, too old, or another request spent it).
 */
export async function consumeResetProof(tx: Db, holder: ResetHolder, now: Date): Promise<{ id: string } | null> {
  const [row] = await tx
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(
      and(
        eq(otpChallenges.emailTokenId, holder.tokenId),
        eq(otpChallenges.userId, holder.userId),
        eq(otpChallenges.purpose, "reset"),
        isNull(otpChallenges.consumedAt),
        sql`${otpChallenges.verifiedAt} is not null`,
        gt(otpChallenges.verifiedAt, new Date(now.getTime() - CODE_TTL_MS)),
      ),
    )
    .returning({ id: otpChallenges.id });
  return row ?? null;
}
