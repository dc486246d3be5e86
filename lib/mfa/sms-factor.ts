import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors, organisations, otpChallenges, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { hasFreshPassword } from "@/lib/auth/step-up";
import { consumeVerifiedChallenge, isChallengeId, type SendContext, type SendOutcome, startChallenge, verifyChallenge } from "./challenge";
import { smsDestinationProblem } from "@/lib/phone/policy";
import { generateBackupCodes } from "./backup-codes";
import type { MfaError } from "./errors";
import { removedMethods, removeFactor } from "./remove-factor";

export interface Actor {
  userId: string;
  sessionId: string;
  organisationId: string | null;
  reauthenticatedAt: Date | null;
}

type Failure = { ok: false; error: MfaError };

export async function getSmsFactor(db: Db, userId: string) {
  const [factor] = await db
    .select()
    .from(mfaFactors)
    .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "sms")));
  return factor ?? null;
}

/** An organisation set to "authenticator app only" forbids text messages as a factor (SECURITY.md 8). */
async function smsForbiddenByOrg(db: Db, organisationId: string | null): Promise<boolean> {
  if (!organisationId) return false;
  const [org] = await db.select({ mfaMethods: organisations.mfaMethods }).from(organisations).where(eq(organisations.id, organisationId));
  return org?.mfaMethods === "totp_only";
}

/**
 * Registration step 3: sends a code to the new number. Needs the password step (fresh), and when the user
 * already has any factor, a verified step-up (adding or changing a method needs a current factor).
 */
export async function startSmsEnrollment(
  db: Db,
  ctx: SendContext,
  actor: Actor,
  input: { phone: string; stepUpChallengeId?: string | null },
): Promise<Failure | { ok: true; challengeId: string; delivery: SendOutcome }> {
  const now = ctx.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  if (await smsForbiddenByOrg(db, actor.organisationId)) return { ok: false, error: "sms_not_allowed" };
  const problem = smsDestinationProblem(input.phone);
  if (problem) return { ok: false, error: problem === "premium_rate" ? "phone_premium" : "phone_country" };
  const factors = await db.select({ kind: mfaFactors.kind, phone: mfaFactors.phone }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
  if (factors.some((f) => f.kind === "sms" && f.phone === input.phone)) return { ok: false, error: "phone_in_use" };
  if (factors.length > 0 && !(await hasVerifiedStepUp(db, actor, input.stepUpChallengeId, now))) return { ok: false, error: "factor_required" };
  const started = await startChallenge(db, ctx, {
    userId: actor.userId,
    sessionId: actor.sessionId,
    purpose: "enroll",
    phone: input.phone,
  });
  return { ok: true, challengeId: started.challenge.id, delivery: started.delivery };
}

async function hasVerifiedStepUp(db: Db, actor: Actor, challengeId: string | null | undefined, now: Date) {
  if (!isChallengeId(challengeId)) return false;
  const [row] = await db
    .select({ verifiedAt: otpChallenges.verifiedAt, consumedAt: otpChallenges.consumedAt })
    .from(otpChallenges)
    .where(
      and(
        eq(otpChallenges.id, challengeId),
        eq(otpChallenges.userId, actor.userId),
        eq(otpChallenges.sessionId, actor.sessionId),
        eq(otpChallenges.purpose, "step_up"),
      ),
    );
  return Boolean(row?.verifiedAt && !row.consumedAt && now.getTime() - row.verifiedAt.getTime() < 10 * 60_000);
}

/** Sends a code to the registered number before turning MFA off or changing the number. */
export async function startSmsStepUp(db: Db, ctx: SendContext, actor: Actor): Promise<Failure | { ok: true; challengeId: string; delivery: SendOutcome }> {
  if (!hasFreshPassword(actor, ctx.now)) return { ok: false, error: "step_up_required" };
  const factor = await getSmsFactor(db, actor.userId);
  if (!factor?.phone) return { ok: false, error: "no_factor" };
  const started = await startChallenge(db, ctx, {
    userId: actor.userId,
    sessionId: actor.sessionId,
    purpose: "step_up",
    phone: factor.phone,
    factorId: factor.id,
  });
  return { ok: true, challengeId: started.challenge.id, delivery: started.delivery };
}

/** Marks an enrolment or step-up code as checked (the Save button enables); the change itself happens later. */
export function checkCode(db: Db, actor: Actor, input: { challengeId: string; purpose: "enroll" | "step_up"; code: string; now?: Date }) {
  return verifyChallenge(db, { ...input, userId: actor.userId, sessionId: actor.sessionId, consume: false });
}

/**
 * Registration step 4 (Save): only now does the number become a factor and MFA turn on. Runs in one
 * transaction so a failure leaves nothing half-registered. When this is the user's first factor, the
 * backup codes are issued here and returned once.
 */
export async function completeSmsEnrollment(
  db: Db,
  actor: Actor,
  input: { challengeId: string; stepUpChallengeId?: string | null; now?: Date; info?: Partial<RequestInfo> },
): Promise<Failure | { ok: true; phone: string; changed: boolean; backupCodes: string[] | null }> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  return db.transaction(async (tx) => {
    if (await smsForbiddenByOrg(tx, actor.organisationId)) return { ok: false, error: "sms_not_allowed" } as const;
    // Serialises factor changes of this user (the first-factor decision below must not race another enrolment).
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.userId)).for("update");
    const factors = await tx.select().from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
    const current = factors.find((f) => f.kind === "sms") ?? null;
    if (factors.length > 0) {
      const stepUp = input.stepUpChallengeId
        ? await consumeVerifiedChallenge(tx, { challengeId: input.stepUpChallengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up", now })
        : null;
      if (!stepUp) return { ok: false, error: "factor_required" } as const;
    }
    const challenge = await consumeVerifiedChallenge(tx, {
      challengeId: input.challengeId,
      userId: actor.userId,
      sessionId: actor.sessionId,
      purpose: "enroll",
      now,
    });
    if (!challenge?.phone) return { ok: false, error: "challenge_missing" } as const;
    if (current) {
      await tx.update(mfaFactors).set({ phone: challenge.phone, verifiedAt: now, lastUsedAt: null }).where(eq(mfaFactors.id, current.id));
    } else {
      await tx.insert(mfaFactors).values({ userId: actor.userId, kind: "sms", phone: challenge.phone, verifiedAt: now });
    }
    await tx.update(users).set({ mfaEnabled: true }).where(eq(users.id, actor.userId));
    const first = factors.length === 0;
    const codes = first ? await generateBackupCodes(tx, actor.userId, { now }) : null;
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, current ? "mfa_phone_changed" : first ? "mfa_enabled" : "mfa_factor_added", now);
    await recordEvent(tx, {
      action: current ? "mfa.phone_changed" : first ? "mfa.enabled" : "mfa.factor_added",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { method: "sms", phoneLast4: challenge.phone.slice(-4), otherSessionsEnded: ended },
      ...input.info,
    });
    return { ok: true, phone: challenge.phone, changed: Boolean(current), backupCodes: codes } as const;
  });
}

/** Turning the switch off: password (fresh) and a checked code from a current factor; then every factor and backup code goes. */
export async function disableMfa(
  db: Db,
  actor: Actor,
  input: { stepUpChallengeId: string; orgRequiresMfa: boolean; now?: Date; info?: Partial<RequestInfo> },
): Promise<Failure | { ok: true }> {
  const now = input.now ?? new Date();
  if (input.orgRequiresMfa) return { ok: false, error: "org_requires_mfa" };
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  return db.transaction(async (tx) => {
    const stepUp = await consumeVerifiedChallenge(tx, {
      challengeId: input.stepUpChallengeId,
      userId: actor.userId,
      sessionId: actor.sessionId,
      purpose: "step_up",
      now,
    });
    if (!stepUp) return { ok: false, error: "factor_required" } as const;
    const factors = await tx.delete(mfaFactors).where(eq(mfaFactors.userId, actor.userId)).returning({ kind: mfaFactors.kind });
    const codes = await tx.delete(backupCodes).where(eq(backupCodes.userId, actor.userId)).returning({ usedAt: backupCodes.usedAt });
    await tx.update(users).set({ mfaEnabled: false }).where(eq(users.id, actor.userId));
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, "mfa_disabled", now);
    await recordEvent(tx, {
      action: "mfa.disabled",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { methods: removedMethods(factors, codes), otherSessionsEnded: ended },
      ...input.info,
    });
    return { ok: true } as const;
  });
}

/** Removes the registered number (see removeFactor for what that needs and does). */
export function removeSmsFactor(db: Db, actor: Actor, input: Parameters<typeof removeFactor>[3]) {
  return removeFactor(db, actor, "sms", input);
}
