"use server";
import { revalidatePath } from "next/cache";
import type { ZodError } from "zod";
import { firstIssue, mfaSetupAction, noInput } from "@/lib/actions/client";
import { confirmPassword } from "@/lib/auth/reauth";
import { passwordConfirmSchema } from "@/lib/auth/schemas";
import type { Db } from "@/db/connect";
import { MFA_ERRORS, type MfaError } from "@/lib/mfa/errors";
import { removeOwnFactors } from "@/lib/mfa/remove";
import {
  disableMfaSchema,
  enrollmentCodeSchema,
  resendCodeSchema,
  saveEnrollmentSchema,
  smsEnrollmentSchema,
} from "@/lib/mfa/schemas";
import { type ResendOutcome, resendAvailableAt, resendChallenge, type SendOutcome } from "@/lib/mfa/sms/delivery";
import { checkEnrollmentCode, completeSmsEnrollment, startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { checkStepUp, startStepUp } from "@/lib/mfa/step-up";
import { mfaMessage, passwordThrottledMessage, throttledMessage, tooManySendsMessage, wrongCodeMessage } from "@/lib/mfa/words";
import { maskPhone } from "@/lib/phone/parse";
import { createSmsSender } from "@/lib/sms";

/**
 * The text-message registration and the switch's steps (the help article's flow). Every action here is
 * allowed while the organisation holds the user at MFA setup: this is the setup itself.
 */

type Field = "password" | "phone" | "code";
/** What every MFA step returns to the dialog. Never a code, a password or a full number; new backup codes once, on Save. */
export type StepResult =
  | { status: "error"; field?: Field; message: string }
  | { status: "ok" }
  | { status: "sent"; challengeId: string; maskedPhone: string; resendInMs: number }
  | { status: "saved"; maskedPhone: string | null; backupCodes?: string[] | null };

const fail = (error: MfaError | string, field?: Field): StepResult => ({ status: "error", field, message: mfaMessage(error) });
const invalid = (error: ZodError): StepResult => {
  const { field, message } = firstIssue(error);
  return { status: "error", field: field === "password" || field === "phone" || field === "code" ? field : undefined, message };
};
const codeInvalid = (error: ZodError): StepResult => ({ status: "error", field: "code", message: firstIssue(error).message });

/** A send that did not go out: the provider failed, or a send limit says when to try again. */
function notSent(outcome: SendOutcome | ResendOutcome, field?: "phone" | "code"): StepResult {
  if (outcome.status === "rate_limited") return { status: "error", field, message: tooManySendsMessage(outcome.retryAt) };
  if (outcome.status === "cooldown") return fail("resend_cooldown", field);
  if (outcome.status === "send_failed") return fail("sms_failed", field);
  return fail("challenge_missing", field);
}

/** A text went out: the dialog counts down to the next resend the server will allow (the delay grows). */
async function sent(db: Db, challengeId: string, maskedPhone = ""): Promise<StepResult> {
  const resendAt = await resendAvailableAt(db, challengeId);
  return { status: "sent", challengeId, maskedPhone, resendInMs: Math.max(0, resendAt.getTime() - Date.now()) };
}

/** Step 1: the current password. */
export const confirmPasswordAction = mfaSetupAction(
  passwordConfirmSchema,
  async ({ password }, { actor, db, info }): Promise<StepResult> => {
    const result = await confirmPassword(db, { ...actor, password, info });
    if (result.ok) return { status: "ok" };
    if (result.error === "password_throttled") return { status: "error", field: "password", message: passwordThrottledMessage(result.retryAt) };
    return fail("password_wrong", "password");
  },
  invalid,
);

/** Steps 2 → 3: a number valid for the chosen country gets a code. */
export const sendEnrollmentCodeAction = mfaSetupAction(
  smsEnrollmentSchema,
  async ({ phone, maskedPhone, stepUpChallengeId }, { actor, db, info, host }): Promise<StepResult> => {
    const result = await startSmsEnrollment(db, { sms: createSmsSender(db), host, info }, actor, { phone, stepUpChallengeId });
    if (!result.ok) return fail(result.error, ["phone_in_use", "phone_country", "phone_premium"].includes(result.error) ? "phone" : undefined);
    if (result.delivery.status !== "sent") return notSent(result.delivery, "phone");
    return sent(db, result.challengeId, maskedPhone);
  },
  invalid,
);

/** Before turning MFA off or changing the number: a code to the number already registered (a step-up by text). */
export const sendStepUpCodeAction = mfaSetupAction(
  noInput,
  async (_input, { actor, db, info, host }): Promise<StepResult> => {
    const result = await startStepUp(db, actor, { method: "sms", sms: { sms: createSmsSender(db), host, info } });
    if (!result.ok) return fail(result.error);
    if (result.delivery && result.delivery.status !== "sent") return notSent(result.delivery);
    return sent(db, result.challengeId);
  },
  invalid,
);

export const resendCodeAction = mfaSetupAction(
  resendCodeSchema,
  async ({ challengeId }, { actor, db, info, host }): Promise<StepResult> => {
    const outcome = await resendChallenge(db, { sms: createSmsSender(db), host, info }, { challengeId, userId: actor.userId, sessionId: actor.sessionId });
    return outcome.status === "sent" ? sent(db, challengeId) : notSent(outcome, "code");
  },
  codeInvalid,
);

/** Step 3: check the code; the Save button enables when this says ok. Proving the current number is a step-up. */
export const checkCodeAction = mfaSetupAction(
  enrollmentCodeSchema,
  async ({ challengeId, code, purpose }, { actor, db, info }): Promise<StepResult> => {
    if (purpose === "step_up") {
      const result = await checkStepUp(db, actor, { challengeId, method: "sms", code, info });
      if (result.ok) return { status: "ok" };
      if ("retryAt" in result) return { status: "error", field: "code", message: throttledMessage(result.retryAt) };
      if ("attemptsLeft" in result) return { status: "error", field: "code", message: wrongCodeMessage(result.error, result.attemptsLeft) };
      return fail(result.error, result.error === "step_up_required" ? undefined : "code");
    }
    const result = await checkEnrollmentCode(db, actor, { challengeId, code });
    if (result.ok) return { status: "ok" };
    if (result.error === "code_wrong") return { status: "error", field: "code", message: wrongCodeMessage(result.reason, result.attemptsLeft) };
    if (result.error === "code_unreadable") return fail(result.reason, "code");
    if (result.error === "mfa_throttled") return { status: "error", field: "code", message: throttledMessage(result.retryAt) };
    return fail(result.error, "code");
  },
  codeInvalid,
);

/** Step 4 (Save): only now is the number stored and MFA switched on. */
export const saveEnrollmentAction = mfaSetupAction(
  saveEnrollmentSchema,
  async ({ challengeId, stepUpChallengeId }, { actor, db, info }): Promise<StepResult> => {
    const result = await completeSmsEnrollment(db, actor, { challengeId, stepUpChallengeId, info });
    if (!result.ok) return fail(result.error);
    // No revalidatePath here: re-rendering the setup page now would redirect away before the new backup codes
    // are seen. The dialog refreshes the page once the user continues (or closes it).
    return { status: "saved", maskedPhone: maskPhone(result.phone), backupCodes: result.backupCodes };
  },
  () => fail("challenge_missing"),
);

/** Switching the toggle off: needs the password step and a checked code from a current factor. */
export const disableMfaAction = mfaSetupAction(
  disableMfaSchema,
  async ({ stepUpChallengeId }, { actor, db, info }): Promise<StepResult> => {
    const result = await removeOwnFactors(db, actor, { which: "all", stepUpChallengeId, info });
    if (!result.ok) return fail(result.error);
    revalidatePath("/account");
    return { status: "saved", maskedPhone: null };
  },
  (): StepResult => ({ status: "error", message: MFA_ERRORS.factor_required }),
);
