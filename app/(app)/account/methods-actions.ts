"use server";
import { revalidatePath } from "next/cache";
import type { ZodError } from "zod";
import { firstIssue, mfaSetupAction } from "@/lib/actions/client";
import { regenerateCodes } from "@/lib/mfa/backup-codes/regenerate";
import { removeOwnFactors } from "@/lib/mfa/remove";
import { beginTotpSchema, checkStepUpSchema, confirmTotpSchema, regenerateCodesSchema, removeMethodSchema, startStepUpSchema } from "@/lib/mfa/schemas";
import { checkStepUp, startStepUp } from "@/lib/mfa/step-up";
import { beginTotpEnrollment, confirmTotpEnrollment } from "@/lib/mfa/totp/enrollment";
import { say } from "@/lib/i18n/context";
import { mfaMessage, throttledMessage, wrongCodeMessage } from "@/lib/mfa/words";

/**
 * The sign-in method dialogs of My account (and of MFA setup, where the organisation holds the user until a
 * method is added). Secrets leave the server only where the user must see them, once: the authenticator key
 * and its QR code while enrolling, and a new set of backup codes.
 */
export type MethodResult =
  | { status: "error"; field?: "code"; message: string }
  | { status: "opened"; challengeId: string }
  | { status: "verified" }
  | { status: "enrolling"; challengeId: string; key: string; qrDataUrl: string; replacing: boolean }
  | { status: "done"; message: string; backupCodes: string[] | null };

const fail = (error: string, field?: "code"): MethodResult => ({ status: "error", field, message: mfaMessage(error) });
const invalid = (error: ZodError): MethodResult => {
  const { field, message } = firstIssue(error);
  return { status: "error", field: field === "code" ? "code" : undefined, message };
};
/** A code refusal goes next to the code field; a stale password is a message for the whole dialog. */
const codeRefused = (error: string) => fail(error, error === "step_up_required" ? undefined : "code");

/** Opens a step-up to answer with the authenticator app or a backup code (a text message uses sendStepUpCodeAction). */
export const startStepUpAction = mfaSetupAction(
  startStepUpSchema,
  async ({ method }, { actor, db }): Promise<MethodResult> => {
    const result = await startStepUp(db, actor, { method });
    return result.ok ? { status: "opened", challengeId: result.challengeId } : fail(result.error);
  },
  invalid,
);

/** Checks the code of an open step-up; the change that follows consumes it. */
export const checkStepUpAction = mfaSetupAction(
  checkStepUpSchema,
  async (input, { actor, db, info }): Promise<MethodResult> => {
    const result = await checkStepUp(db, actor, { ...input, info });
    if (result.ok) return { status: "verified" };
    if ("retryAt" in result) return { status: "error", field: "code", message: throttledMessage(result.retryAt) };
    if ("attemptsLeft" in result) return { status: "error", field: "code", message: wrongCodeMessage(result.error, result.attemptsLeft) };
    return codeRefused(result.error);
  },
  invalid,
);

/** Add or replace an authenticator app: a new key and its QR code, shown until the user confirms a code. */
export const beginTotpEnrollmentAction = mfaSetupAction(
  beginTotpSchema,
  async (input, { actor, db }): Promise<MethodResult> => {
    const result = await beginTotpEnrollment(db, actor, input);
    if (!result.ok) return fail(result.error);
    return { status: "enrolling", challengeId: result.challengeId, key: result.secret, qrDataUrl: result.qrDataUrl, replacing: result.replacing };
  },
  invalid,
);

/** The code from the app makes the new key the authenticator; on a first factor the backup codes come back once. */
export const confirmTotpEnrollmentAction = mfaSetupAction(
  confirmTotpSchema,
  async (input, { actor, db, info }): Promise<MethodResult> => {
    const result = await confirmTotpEnrollment(db, actor, { ...input, info });
    if (!result.ok) {
      if (result.error === "totp_code_wrong") return { status: "error", field: "code", message: wrongCodeMessage(result.error, result.attemptsLeft) };
      return codeRefused(result.error);
    }
    // No revalidatePath: re-rendering the setup page now would redirect away before the backup codes are seen.
    // The dialog refreshes the page once the user continues.
    return { status: "done", message: say(`totpEnrollment.done.${result.change}`), backupCodes: result.backupCodes };
  },
  invalid,
);

/** Remove the authenticator app or the phone number; the last method turns MFA off. */
export const removeMethodAction = mfaSetupAction(
  removeMethodSchema,
  async ({ kind, stepUpChallengeId }, { actor, db, info }): Promise<MethodResult> => {
    const result = await removeOwnFactors(db, actor, { which: kind, stepUpChallengeId, info });
    if (!result.ok) return fail(result.error);
    revalidatePath("/account");
    const message = say(`methodDialogs.removed.${kind}${result.mfaEnabled ? "" : "Last"}`);
    return { status: "done", message, backupCodes: null };
  },
  invalid,
);

/** A new set of 10 backup codes; the old set stops working. */
export const regenerateBackupCodesAction = mfaSetupAction(
  regenerateCodesSchema,
  async ({ stepUpChallengeId }, { actor, db, info }): Promise<MethodResult> => {
    const result = await regenerateCodes(db, actor, { stepUpChallengeId, info });
    if (!result.ok) return fail(result.error);
    revalidatePath("/account");
    return { status: "done", message: say("methodDialogs.regenerated"), backupCodes: result.codes };
  },
  invalid,
);
