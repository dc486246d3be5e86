"use server";
import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { currentRequest, requireSession } from "@/lib/auth/dal";
import { confirmPassword } from "@/lib/auth/step-up";
import { type ResendOutcome, resendChallenge, type SendOutcome } from "@/lib/mfa/challenge";
import { RESEND_COOLDOWN_MS, normalizeCode } from "@/lib/mfa/codes";
import { MFA_ERRORS, type MfaError, retryMessage } from "@/lib/mfa/errors";
import { type Actor, checkCode, completeSmsEnrollment, disableMfa, startSmsEnrollment, startSmsStepUp } from "@/lib/mfa/sms-factor";
import { maskPhone, parsePhone, phoneErrorMessage, toCountryCode } from "@/lib/phone/parse";
import { createSmsSender } from "@/lib/sms";

/** What every MFA step returns to the dialog. Never a code, a password or a full number; new backup codes once, on Save. */
export type StepResult =
  | { status: "error"; field?: "password" | "phone" | "code"; message: string }
  | { status: "ok" }
  | { status: "sent"; challengeId: string; maskedPhone: string; resendInMs: number }
  | { status: "saved"; maskedPhone: string | null; backupCodes?: string[] | null };

/** A send that did not go out: the provider failed, or a send limit says when to try again. */
function notSent(outcome: SendOutcome | ResendOutcome, field?: "phone" | "code"): StepResult {
  if (outcome.status === "rate_limited")
    return { status: "error", field, message: `You have asked for too many codes. ${retryMessage(outcome.retryAt)}` };
  if (outcome.status === "cooldown") return { status: "error", field, message: MFA_ERRORS.resend_cooldown };
  if (outcome.status === "send_failed") return fail("sms_failed", field);
  return fail("challenge_missing", field);
}

const fail = (error: MfaError, field?: "password" | "phone" | "code"): StepResult => ({ status: "error", field, message: MFA_ERRORS[error] });

function text(formData: FormData, key: string, max = 200): string | null {
  const v = formData.get(key);
  return typeof v === "string" && v.length <= max ? v : null;
}

/** Allowed even while the organisation's required-MFA gate holds the user: this is the setup itself. */
async function actor() {
  const current = await requireSession({ allowMfaSetup: true });
  const value: Actor = {
    userId: current.user.id,
    sessionId: current.session.id,
    organisationId: current.organisation?.id ?? null,
    reauthenticatedAt: current.session.reauthenticatedAt,
  };
  return { current, actor: value };
}

async function sendContext() {
  const db = await getDb();
  const { host, info } = await currentRequest();
  return { db, ctx: { sms: createSmsSender(db), host, info } };
}

/** Step 1: the current password. */
export async function confirmPasswordAction(formData: FormData): Promise<StepResult> {
  const { actor: a } = await actor();
  const password = text(formData, "password", 1024);
  if (!password) return { status: "error", field: "password", message: "Enter your current password." };
  const { info } = await currentRequest();
  const result = await confirmPassword(await getDb(), { userId: a.userId, sessionId: a.sessionId, organisationId: a.organisationId, password, info });
  if (result.ok) return { status: "ok" };
  if (result.error === "password_throttled")
    return { status: "error", field: "password", message: `${MFA_ERRORS.password_throttled} ${retryMessage(result.retryAt)}` };
  return fail("password_wrong", "password");
}

/** Steps 2 → 3: validate the number for the chosen country and send it a code. */
export async function sendEnrollmentCodeAction(formData: FormData): Promise<StepResult> {
  const { actor: a } = await actor();
  const raw = formData.get("phone");
  const country = toCountryCode(formData.get("phoneCountry"));
  if (typeof raw !== "string" || !country) return { status: "error", field: "phone", message: phoneErrorMessage("invalid_chars") };
  const parsed = parsePhone(raw, country);
  if (!parsed.ok) return { status: "error", field: "phone", message: phoneErrorMessage(parsed.error, parsed.country ?? country) };
  const { db, ctx } = await sendContext();
  const result = await startSmsEnrollment(db, ctx, a, { phone: parsed.e164, stepUpChallengeId: text(formData, "stepUpChallengeId", 64) });
  if (!result.ok) return fail(result.error, ["phone_in_use", "phone_country", "phone_premium"].includes(result.error) ? "phone" : undefined);
  if (result.delivery.status !== "sent") return notSent(result.delivery, "phone");
  return { status: "sent", challengeId: result.challengeId, maskedPhone: maskPhone(parsed.e164), resendInMs: RESEND_COOLDOWN_MS };
}

/** Before turning MFA off or changing the number: a code to the number already registered. */
export async function sendStepUpCodeAction(): Promise<StepResult> {
  const { actor: a } = await actor();
  const { db, ctx } = await sendContext();
  const result = await startSmsStepUp(db, ctx, a);
  if (!result.ok) return fail(result.error);
  if (result.delivery.status !== "sent") return notSent(result.delivery);
  return { status: "sent", challengeId: result.challengeId, maskedPhone: "", resendInMs: RESEND_COOLDOWN_MS };
}

export async function resendCodeAction(formData: FormData): Promise<StepResult> {
  const { actor: a } = await actor();
  const challengeId = text(formData, "challengeId", 64);
  if (!challengeId) return fail("challenge_missing", "code");
  const { db, ctx } = await sendContext();
  const outcome = await resendChallenge(db, ctx, { challengeId, userId: a.userId, sessionId: a.sessionId });
  if (outcome.status === "sent") return { status: "sent", challengeId, maskedPhone: "", resendInMs: RESEND_COOLDOWN_MS };
  return notSent(outcome, "code");
}

/** Step 3: check the code; the Save button enables when this says ok. */
export async function checkCodeAction(formData: FormData): Promise<StepResult> {
  const { actor: a } = await actor();
  const challengeId = text(formData, "challengeId", 64);
  const purpose = formData.get("purpose") === "step_up" ? "step_up" : "enroll";
  const code = normalizeCode(formData.get("code"));
  if (!code.ok) return fail(code.error, "code");
  if (!challengeId) return fail("challenge_missing", "code");
  const outcome = await checkCode(await getDb(), a, { challengeId, purpose, code: code.code });
  switch (outcome.status) {
    case "ok":
      return { status: "ok" };
    case "wrong":
      return {
        status: "error",
        field: "code",
        message: `${MFA_ERRORS.code_wrong} ${outcome.attemptsLeft} ${outcome.attemptsLeft === 1 ? "try" : "tries"} left.`,
      };
    case "locked":
      return fail("code_locked", "code");
    case "expired":
      return fail("code_expired", "code");
    default:
      return fail("challenge_missing", "code");
  }
}

/** Step 4 (Save): only now is the number stored and MFA switched on. */
export async function saveEnrollmentAction(formData: FormData): Promise<StepResult> {
  const { actor: a } = await actor();
  const challengeId = text(formData, "challengeId", 64);
  if (!challengeId) return fail("challenge_missing");
  const { info } = await currentRequest();
  const result = await completeSmsEnrollment(await getDb(), a, {
    challengeId,
    stepUpChallengeId: text(formData, "stepUpChallengeId", 64),
    info,
  });
  if (!result.ok) return fail(result.error);
  // No revalidatePath here: re-rendering the setup page now would redirect away before the new backup codes
  // are seen. The dialog refreshes the page once the user continues (or closes it).
  return { status: "saved", maskedPhone: maskPhone(result.phone), backupCodes: result.backupCodes };
}

/** Switching the toggle off: needs the password step and a checked code from the current number. */
export async function disableMfaAction(formData: FormData): Promise<StepResult> {
  const { current, actor: a } = await actor();
  const stepUpChallengeId = text(formData, "stepUpChallengeId", 64);
  if (!stepUpChallengeId) return fail("factor_required");
  const { info } = await currentRequest();
  const result = await disableMfa(await getDb(), a, {
    stepUpChallengeId,
    orgRequiresMfa: Boolean(current.organisation?.mfaRequired),
    info,
  });
  if (!result.ok) return fail(result.error);
  revalidatePath("/account");
  return { status: "saved", maskedPhone: null };
}
