import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import { isEmailVerified } from "@/lib/auth/email-verification";
import { hasFreshPassword } from "@/lib/auth/reauth";
import { smsDestinationProblem } from "@/lib/phone/policy";
import { enrolmentRefusal, readMfaPolicy } from "@/lib/org/policy";
import type { Actor } from "../actor";
import { consumeVerifiedChallenge } from "../challenge";
import { checkCode } from "../code-check";
import { applyFactorChange, lockFactors } from "../enrollment";
import type { MfaError } from "../errors";
import { reenrolProofMissing, spendReenrolProof } from "../reenrol";
import { hasVerifiedStepUp, spendStepUp } from "../step-up";
import { type SendContext, type SendOutcome, startSmsChallenge } from "./delivery";

/**
 * Registering a phone number, as the help article walks through it: Password → Phone number (a code is
 * texted) → Verification (the code is checked) → Save (only now is the number a factor).
 */
type Failure = { ok: false; error: MfaError };

/**
 * Step 3: texts a code to the new number. Needs the password re-entered, a number the organisation's
 * policy and the country allowlist accept, and, when the user already has any factor, a verified
 * step-up (adding or changing a method needs a current factor).
 */
export async function startSmsEnrollment(
  db: Db,
  ctx: SendContext,
  actor: Actor,
  input: { phone: string; stepUpChallengeId?: string | null },
): Promise<Failure | { ok: true; challengeId: string; delivery: SendOutcome }> {
  const now = ctx.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const refusal = enrolmentRefusal(await readMfaPolicy(db, actor.organisationId), "sms");
  if (refusal) return { ok: false, error: refusal };
  // Texting a number the account has not proven costs money and reaches a third party: an unproven address
  // (the cheapest kind of account to make) may not do it (SMS pumping; OWASP ASVS 5.0 2.4.1 anti-automation).
  if (!(await isEmailVerified(db, actor.userId))) return { ok: false, error: "email_unverified" };
  // After an admin's reset, no text goes out before the email (or access code) proof (lib/mfa/reenrol.ts).
  if (await reenrolProofMissing(db, actor, now)) return { ok: false, error: "reenrol_proof_required" };
  const problem = smsDestinationProblem(input.phone);
  if (problem) return { ok: false, error: problem === "premium_rate" ? "phone_premium" : "phone_country" };
  const factors = await db.select({ kind: mfaFactors.kind, phone: mfaFactors.phone }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
  if (factors.some((f) => f.kind === "sms" && f.phone === input.phone)) return { ok: false, error: "phone_in_use" };
  if (factors.length > 0 && !(await hasVerifiedStepUp(db, actor, input.stepUpChallengeId, now))) return { ok: false, error: "factor_required" };
  const started = await startSmsChallenge(db, ctx, { userId: actor.userId, sessionId: actor.sessionId, purpose: "enroll", phone: input.phone });
  return { ok: true, challengeId: started.challenge.id, delivery: started.delivery };
}

/** Step 3, the code typed in: marks the enrolment verified (the Save button enables); nothing is stored yet. */
export function checkEnrollmentCode(db: Db, actor: Actor, input: { challengeId: string; code: unknown; now?: Date }) {
  return checkCode(db, {
    challengeId: input.challengeId,
    userId: actor.userId,
    sessionId: actor.sessionId,
    organisationId: actor.organisationId,
    purpose: "enroll",
    method: "sms",
    code: input.code,
    now: input.now,
  });
}

/**
 * Step 4 (Save): only now does the number become a factor and MFA turn on. One transaction, so a failure
 * leaves nothing half-registered. When this is the user's first factor, the backup codes are issued here
 * and returned once.
 */
export async function completeSmsEnrollment(
  db: Db,
  actor: Actor,
  input: { challengeId: string; stepUpChallengeId?: string | null; now?: Date; info?: Partial<RequestInfo> },
): Promise<Failure | { ok: true; phone: string; changed: boolean; backupCodes: string[] | null }> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  return db.transaction(async (tx) => {
    const refusal = enrolmentRefusal(await readMfaPolicy(tx, actor.organisationId), "sms");
    if (refusal) return { ok: false, error: refusal } as const;
    const factors = await lockFactors(tx, actor.userId);
    const current = factors.find((f) => f.kind === "sms") ?? null;
    if (factors.length > 0 && !(await spendStepUp(tx, actor, input.stepUpChallengeId, now))) return { ok: false, error: "factor_required" } as const;
    const challenge = await consumeVerifiedChallenge(tx, { challengeId: input.challengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "enroll", now });
    if (!challenge?.phone) return { ok: false, error: "challenge_missing" } as const;
    // The last check before anything is written, so nothing after it can fail with the proof spent.
    if (!(await spendReenrolProof(tx, actor, now))) return { ok: false, error: "reenrol_proof_required" } as const;
    if (current) {
      await tx.update(mfaFactors).set({ phone: challenge.phone, verifiedAt: now, lastUsedAt: null }).where(eq(mfaFactors.id, current.id));
    } else {
      await tx.insert(mfaFactors).values({ userId: actor.userId, kind: "sms", phone: challenge.phone, verifiedAt: now });
    }
    const first = factors.length === 0;
    const { backupCodes } = await applyFactorChange(tx, actor, {
      action: current ? "mfa.phone_changed" : first ? "mfa.enabled" : "mfa.factor_added",
      reason: current ? "mfa_phone_changed" : first ? "mfa_enabled" : "mfa_factor_added",
      detail: { method: "sms", phoneLast4: challenge.phone.slice(-4) },
      issueBackupCodes: first,
      now,
      info: input.info,
    });
    return { ok: true, phone: challenge.phone, changed: Boolean(current), backupCodes } as const;
  });
}
