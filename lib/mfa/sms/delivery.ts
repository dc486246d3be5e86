import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { otpChallenges, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { sha256 } from "@/lib/crypto/tokens";
import { currentLocale } from "@/lib/i18n/context";
import { isLocale, type Locale } from "@/lib/i18n/locales";
import { LIMITS } from "@/lib/security/limits";
import { type Budget, type BudgetResult, ipBucket, takeBudgets } from "@/lib/security/rate-limit";
import { formatCodeMessage } from "@/lib/sms/message";
import type { SmsSender } from "@/lib/sms/types";
import { type ChallengeHolder, type ChallengePurpose, holderOf, holderScope, isChallengeId, openChallenge } from "../challenge";
import { CODE_TTL_MS, generateCode, hashCode, MAX_CODE_ATTEMPTS, type RandomInt, RESEND_DELAYS_MS, resendDelayMs } from "../codes";

/** Texting a challenge's code: the SMS budgets, the provider call and the resend cooldown. */
export interface SendContext {
  sms: SmsSender;
  /** Host of the app, for the origin-bound `@host #code` line. */
  host: string;
  now?: Date;
  randomInt?: RandomInt;
  info?: Partial<RequestInfo>;
}

export type SendOutcome = { status: "sent" } | { status: "not_sent" } | { status: "send_failed" } | { status: "rate_limited"; retryAt: Date };
export type ResendOutcome = SendOutcome | { status: "cooldown"; retryAt: Date } | { status: "closed" };

const userSmsKey = (userId: string) => `sms:user:${userId}`;

/**
 * How many texts count toward a challenge's resend delay: its own, or the account's within the hourly
 * window when more (a new sign-in must not restart the delay). In SQL, on the otp_challenges row.
 */
function textsSentSql(now: Date) {
  const since = new Date(now.getTime() - LIMITS.smsPerUser().windowMs).toISOString();
  return sql`greatest(${otpChallenges.sendCount}, coalesce((select r.count from rate_limits r
    where r.key = 'sms:user:' || ${otpChallenges.userId} and r.window_start > ${since}::timestamptz), 0))`;
}

/** The resend delay (resendDelayMs) for a number of texts, in SQL. */
function resendDelaySql(sent: ReturnType<typeof sql>) {
  return sql`make_interval(secs => (${sql.raw(`array[${RESEND_DELAYS_MS.map((ms) => ms / 1000).join(",")}]`)})[least(greatest(${sent}, 1), ${RESEND_DELAYS_MS.length})])`;
}

/** When a challenge's next text may be asked for (the countdown the page shows), in SQL over its otp_challenges row. */
export function resendAtSql(now: Date) {
  return sql`${otpChallenges.lastSentAt} + ${resendDelaySql(textsSentSql(now))}`;
}

/** When the challenge's next text may be asked for. */
export async function resendAvailableAt(db: Db, challengeId: string, now = new Date()): Promise<Date> {
  const [row] = await db
    .select({ at: sql<Date | string>`${resendAtSql(now)}` })
    .from(otpChallenges)
    .where(eq(otpChallenges.id, challengeId));
  return row ? new Date(row.at) : now;
}

/**
 * The SMS budgets one message to `to` for `userId` spends, taken before the provider is called. The
 * daily cap and the per-IP budget are kept apart for enrolment (new numbers) and for sign-in and step-up
 * (registered numbers), so spending one does not stop the other.
 */
export function smsBudgets(userId: string, to: string, ip: string | null | undefined, purpose: ChallengePurpose): Budget[] {
  const use = purpose === "enroll" ? "enroll" : "signin";
  const budgets: Budget[] = [
    { key: userSmsKey(userId), ...LIMITS.smsPerUser() },
    // Keys hold a hash, so the limits table never stores a phone number.
    { key: `sms:phone:${sha256(to)}`, ...LIMITS.smsPerPhone() },
    { key: `sms:global:${use}`, ...(use === "enroll" ? LIMITS.smsEnrollDaily() : LIMITS.smsGlobalDaily()) },
  ];
  if (ip) budgets.push({ key: `sms:ip:${use}:${ipBucket(ip)}`, ...LIMITS.smsPerIp() });
  return budgets;
}

/** A send that did not go out leaves the resend button usable at once instead of after the cooldown. */
async function allowImmediateResend(db: Db, challengeId: string) {
  await db.update(otpChallenges).set({ lastSentAt: new Date(0) }).where(eq(otpChallenges.id, challengeId));
}

/** The text is written in the recipient's language: their saved choice, else the language of the request that asked for it. */
export function localeFor(saved: string | null | undefined): Locale {
  return isLocale(saved) ? saved : currentLocale();
}

async function recipientLocale(db: Db, userId: string): Promise<Locale> {
  const [row] = await db.select({ locale: users.locale }).from(users).where(eq(users.id, userId));
  return localeFor(row?.locale);
}

async function deliver(
  db: Db,
  ctx: SendContext,
  challenge: { id: string; userId: string; purpose: ChallengePurpose },
  to: string,
  code: string,
): Promise<SendOutcome> {
  const budget = await takeBudgets(db, smsBudgets(challenge.userId, to, ctx.info?.ip, challenge.purpose), ctx.now);
  return textChallengeCode(db, ctx, { challenge, to, code, budget });
}

/**
 * Texts a challenge's code once its SMS budgets (smsBudgets) were taken, or says why not: a refused budget
 * or a failed provider call leaves the resend button usable at once. `locale` when the caller read it already.
 */
export async function textChallengeCode(
  db: Db,
  ctx: SendContext,
  input: { challenge: { id: string; userId: string }; to: string; code: string; budget: BudgetResult; locale?: Locale },
): Promise<SendOutcome> {
  const { challenge, to, code, budget } = input;
  if (!budget.ok) {
    await allowImmediateResend(db, challenge.id);
    return { status: "rate_limited", retryAt: budget.retryAt };
  }
  const locale = input.locale ?? (await recipientLocale(db, challenge.userId));
  const result = await ctx.sms.send({ to, userId: challenge.userId, body: formatCodeMessage({ code, minutes: CODE_TTL_MS / 60_000, host: ctx.host, locale }) });
  if (result.ok) return { status: "sent" };
  await allowImmediateResend(db, challenge.id);
  await recordEvent(db, { action: "mfa.sms_failed", userId: challenge.userId, detail: { provider: ctx.sms.provider }, ...ctx.info });
  return { status: "send_failed" };
}

/** Opens a challenge (closing the holder's other open ones of that purpose) and texts its code to `phone`. */
export async function startSmsChallenge(
  db: Db,
  ctx: SendContext,
  input: { userId: string; purpose: ChallengePurpose; phone: string; factorId?: string | null } & ChallengeHolder,
) {
  const now = ctx.now ?? new Date();
  const code = generateCode(ctx.randomInt);
  const challenge = await openChallenge(db, { ...input, code, now });
  const delivery = await deliver(db, ctx, challenge, input.phone, code);
  return { challenge, delivery };
}

/**
 * Replaces the code of an open challenge and texts it (also the first text of a sign-in that offered the
 * authenticator app first). The old code stops working; the failure count is kept (a resend must not buy
 * more guesses). The growing delay (resendDelayMs) is part of the UPDATE's condition, so two parallel
 * resends send one message.
 */
export async function resendChallenge(
  db: Db,
  ctx: SendContext,
  input: { challengeId: string; userId: string } & ChallengeHolder,
): Promise<ResendOutcome> {
  if (!isChallengeId(input.challengeId)) return { status: "closed" };
  const now = ctx.now ?? new Date();
  const code = generateCode(ctx.randomInt);
  const mine = and(
    eq(otpChallenges.id, input.challengeId),
    eq(otpChallenges.userId, input.userId),
    holderScope(holderOf(input)),
    // Only challenges whose codes go by text; an emailed code is sent again by its own flow (lib/mfa/reenrol.ts).
    inArray(otpChallenges.purpose, ["enroll", "login", "step_up", "reset"]),
  );
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
        mine,
        isNull(otpChallenges.consumedAt),
        lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS),
        sql`${otpChallenges.lastSentAt} + ${resendDelaySql(textsSentSql(now))} <= ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning();
  if (row?.phone) return deliver(db, ctx, row, row.phone, code);

  const [existing] = await db
    .select({ consumedAt: otpChallenges.consumedAt, attempts: otpChallenges.attempts, lastSentAt: otpChallenges.lastSentAt, sent: sql<number>`${textsSentSql(now)}` })
    .from(otpChallenges)
    .where(mine);
  if (!existing || existing.consumedAt || existing.attempts >= MAX_CODE_ATTEMPTS) return { status: "closed" };
  return { status: "cooldown", retryAt: new Date(existing.lastSentAt.getTime() + resendDelayMs(Number(existing.sent))) };
}
