import crypto from "node:crypto";
import { and, eq, gt, isNull, lt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { type OtpChallenge, otpChallenges } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { sha256 } from "@/lib/crypto/tokens";
import { LIMITS } from "@/lib/security/limits";
import { type Budget, ipBucket, takeBudgets } from "@/lib/security/rate-limit";
import { formatCodeMessage } from "@/lib/sms/message";
import type { SmsSender } from "@/lib/sms/types";
import { CODE_TTL_MS, codeMatches, generateCode, hashCode, MAX_CODE_ATTEMPTS, type RandomInt, RESEND_COOLDOWN_MS } from "./codes";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Challenge ids come from forms; anything that is not a UUID cannot name a challenge (and must not reach SQL as one). */
export const isChallengeId = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

export type ChallengePurpose = "enroll" | "login" | "step_up";

/** A challenge is only ever reached by its id together with its user, its session and its purpose. */
function challengeScope(input: { challengeId: string; userId: string; sessionId: string; purpose: ChallengePurpose }) {
  return and(
    eq(otpChallenges.id, input.challengeId),
    eq(otpChallenges.userId, input.userId),
    eq(otpChallenges.sessionId, input.sessionId),
    eq(otpChallenges.purpose, input.purpose),
  );
}

export interface SendContext {
  sms: SmsSender;
  /** Host of the app, for the origin-bound `@host #code` line. */
  host: string;
  now?: Date;
  randomInt?: RandomInt;
  info?: Partial<RequestInfo>;
}

export type SendOutcome = { status: "sent" } | { status: "not_sent" } | { status: "send_failed" } | { status: "rate_limited"; retryAt: Date };

/** The SMS budgets one message to `to` for `userId` spends (checked before the provider is called). */
function smsBudgets(userId: string, to: string, ip: string | null | undefined): Budget[] {
  const budgets: Budget[] = [
    { key: `sms:user:${userId}`, ...LIMITS.smsPerUser() },
    // Keys hold a hash, so the limits table never stores a phone number.
    { key: `sms:phone:${sha256(to)}`, ...LIMITS.smsPerPhone() },
    { key: "sms:global", ...LIMITS.smsGlobalDaily() },
  ];
  if (ip) budgets.push({ key: `sms:ip:${ipBucket(ip)}`, ...LIMITS.smsPerIp() });
  return budgets;
}

async function deliver(db: Db, ctx: SendContext, challenge: { id: string; userId: string }, to: string, code: string): Promise<SendOutcome> {
  const budget = await takeBudgets(db, smsBudgets(challenge.userId, to, ctx.info?.ip), ctx.now);
  if (!budget.ok) {
    await db.update(otpChallenges).set({ lastSentAt: new Date(0) }).where(eq(otpChallenges.id, challenge.id));
    return { status: "rate_limited", retryAt: budget.retryAt };
  }
  const result = await ctx.sms.send({
    to,
    userId: challenge.userId,
    body: formatCodeMessage({ code, minutes: CODE_TTL_MS / 60_000, host: ctx.host }),
  });
  if (result.ok) return { status: "sent" };
  // Undelivered: allow an immediate retry instead of making the user wait out the cooldown.
  await db
    .update(otpChallenges)
    .set({ lastSentAt: new Date(0) })
    .where(eq(otpChallenges.id, challenge.id));
  await recordEvent(db, { action: "mfa.sms_failed", userId: challenge.userId, detail: { provider: ctx.sms.provider }, ...ctx.info });
  return { status: "send_failed" };
}

/**
 * Opens a challenge and sends its code. For enrolment and step-up, earlier open challenges of the same
 * session and purpose are closed first, so at most one is live.
 */
export async function startChallenge(
  db: Db,
  ctx: SendContext,
  input: {
    userId: string;
    sessionId: string;
    purpose: ChallengePurpose;
    phone: string | null;
    factorId?: string | null;
    /** false opens the challenge without texting (sign-in with an authenticator app first); a later resend sends. */
    send?: boolean;
  },
) {
  const now = ctx.now ?? new Date();
  const id = crypto.randomUUID();
  const send = input.send !== false && input.phone !== null;
  // Without a send, the stored hash is of a code nobody ever sees.
  const code = send ? generateCode(ctx.randomInt) : crypto.randomBytes(16).toString("hex");
  await db
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(
      and(
        eq(otpChallenges.sessionId, input.sessionId),
        eq(otpChallenges.purpose, input.purpose),
        isNull(otpChallenges.consumedAt),
      ),
    );
  const [challenge] = await db
    .insert(otpChallenges)
    .values({
      id,
      userId: input.userId,
      sessionId: input.sessionId,
      purpose: input.purpose,
      factorId: input.factorId ?? null,
      phone: input.phone,
      codeHash: hashCode(id, input.userId, code),
      sendCount: send ? 1 : 0,
      lastSentAt: send ? now : new Date(0),
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      createdAt: now,
    })
    .returning();
  if (!send || !input.phone) return { challenge, delivery: { status: "not_sent" } as SendOutcome };
  const delivery = await deliver(db, ctx, challenge, input.phone, code);
  return { challenge, delivery };
}

export type ResendOutcome = SendOutcome | { status: "cooldown"; retryAt: Date } | { status: "closed" };

/**
 * Replaces the code of an open challenge and sends it. The old code stops working; the failure
 * count is kept (a resend must not buy more guesses). The cooldown is part of the UPDATE's condition,
 * so two parallel resends send one message.
 */
export async function resendChallenge(
  db: Db,
  ctx: SendContext,
  input: { challengeId: string; userId: string; sessionId: string },
): Promise<ResendOutcome> {
  if (!isChallengeId(input.challengeId)) return { status: "closed" };
  const now = ctx.now ?? new Date();
  const code = generateCode(ctx.randomInt);
  const [row] = await db
    .update(otpChallenges)
    .set({
      codeHash: hashCode(input.challengeId, input.userId, code),
      sendCount: sql`${otpChallenges.sendCount} + 1`,
      lastSentAt: now,
      verifiedAt: null,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    })
    .where(
      and(
        eq(otpChallenges.id, input.challengeId),
        eq(otpChallenges.userId, input.userId),
        eq(otpChallenges.sessionId, input.sessionId),
        isNull(otpChallenges.consumedAt),
        lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS),
        lte(otpChallenges.lastSentAt, new Date(now.getTime() - RESEND_COOLDOWN_MS)),
      ),
    )
    .returning();
  if (row?.phone) return deliver(db, ctx, row, row.phone, code);

  const [existing] = await db
    .select()
    .from(otpChallenges)
    .where(and(eq(otpChallenges.id, input.challengeId), eq(otpChallenges.userId, input.userId), eq(otpChallenges.sessionId, input.sessionId)));
  if (!existing || existing.consumedAt || existing.attempts >= MAX_CODE_ATTEMPTS) return { status: "closed" };
  return { status: "cooldown", retryAt: new Date(existing.lastSentAt.getTime() + RESEND_COOLDOWN_MS) };
}

export type VerifyOutcome =
  | { status: "ok"; challenge: typeof otpChallenges.$inferSelect }
  | { status: "wrong"; attemptsLeft: number }
  | { status: "locked"; /** true when this very guess used up the last attempt (so callers count it as a failure too). */ counted?: boolean }
  | { status: "expired" }
  | { status: "missing" };

/**
 * Checks a code against an open challenge of this user and session.
 * - wrong: attempts is raised by a conditional UPDATE (attempts < cap), so parallel guesses cannot pass the cap;
 * - right: with `consume`, the challenge is closed by a conditional UPDATE (consumed_at IS NULL), so the
 *   same code raced twice succeeds once; without it, the challenge is only marked verified (enrolment
 *   checks the code before Save consumes it).
 */
export async function verifyChallenge(
  db: Db,
  input: { challengeId: string; userId: string; sessionId: string; purpose: ChallengePurpose; code: string; consume: boolean; now?: Date },
  /** How the code is checked; by default against the texted code's HMAC. Other methods (authenticator app, backup code) pass their own, and share the attempt cap. */
  matches: (challenge: OtpChallenge) => boolean | Promise<boolean> = (c) => codeMatches(c.id, c.userId, input.code, c.codeHash),
): Promise<VerifyOutcome> {
  if (!isChallengeId(input.challengeId)) return { status: "missing" };
  const now = input.now ?? new Date();
  const scope = challengeScope(input);
  const [challenge] = await db.select().from(otpChallenges).where(scope);
  if (!challenge || challenge.consumedAt) return { status: "missing" };
  if (challenge.attempts >= MAX_CODE_ATTEMPTS) return { status: "locked" };
  if (challenge.expiresAt <= now) return { status: "expired" };

  if (await matches(challenge)) {
    const open = and(
      scope,
      isNull(otpChallenges.consumedAt),
      lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS),
      eq(otpChallenges.codeHash, challenge.codeHash),
    );
    const [done] = await db
      .update(otpChallenges)
      .set(input.consume ? { consumedAt: now, verifiedAt: now } : { verifiedAt: now })
      .where(open)
      .returning();
    return done ? { status: "ok", challenge: done } : { status: "missing" };
  }

  return countWrongCode(db, input);
}

/**
 * Counts one wrong code against a challenge with a conditional UPDATE, so parallel guesses can never
 * count past the cap. The guess that uses up the last attempt reports `locked` with `counted`.
 */
export async function countWrongCode(
  db: Db,
  input: { challengeId: string; userId: string; sessionId: string; purpose: ChallengePurpose },
): Promise<Extract<VerifyOutcome, { status: "wrong" | "locked" }>> {
  const [counted] = await db
    .update(otpChallenges)
    .set({ attempts: sql`${otpChallenges.attempts} + 1` })
    .where(and(challengeScope(input), isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS)))
    .returning({ attempts: otpChallenges.attempts });
  if (!counted) return { status: "locked" };
  const attemptsLeft = MAX_CODE_ATTEMPTS - counted.attempts;
  return attemptsLeft > 0 ? { status: "wrong", attemptsLeft } : { status: "locked", counted: true };
}

/**
 * Closes a challenge whose code was already checked (enrolment Save, step-up use). Single use:
 * only one caller gets the row.
 */
export async function consumeVerifiedChallenge(
  db: Db,
  input: { challengeId: string; userId: string; sessionId: string; purpose: ChallengePurpose; now?: Date; maxAgeMs?: number },
) {
  if (!isChallengeId(input.challengeId)) return null;
  const now = input.now ?? new Date();
  const [row] = await db
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(
      and(
        challengeScope(input),
        isNull(otpChallenges.consumedAt),
        sql`${otpChallenges.verifiedAt} is not null`,
        gt(otpChallenges.verifiedAt, new Date(now.getTime() - (input.maxAgeMs ?? CODE_TTL_MS))),
      ),
    )
    .returning();
  return row ?? null;
}

/** The newest open challenge of a session for a purpose (the challenge page shows it). */
export async function findOpenChallenge(db: Db, sessionId: string, purpose: ChallengePurpose) {
  const [row] = await db
    .select()
    .from(otpChallenges)
    .where(and(eq(otpChallenges.sessionId, sessionId), eq(otpChallenges.purpose, purpose), isNull(otpChallenges.consumedAt)))
    .orderBy(sql`${otpChallenges.createdAt} desc`)
    .limit(1);
  return row ?? null;
}
