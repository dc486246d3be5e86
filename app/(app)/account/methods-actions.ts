"use server";
import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { currentRequest, requireSession } from "@/lib/auth/dal";
import { beginTotpEnrollment, regenerateCodes, removeMethod } from "@/lib/mfa/account-methods";
import { BACKUP_CODE_ERRORS } from "@/lib/mfa/backup-codes";
import { MFA_ERRORS, type MfaError, retryMessage } from "@/lib/mfa/errors";
import {
  beginTotpSchema,
  checkStepUpSchema,
  confirmTotpSchema,
  regenerateCodesSchema,
  removeMethodSchema,
  startStepUpSchema,
} from "@/lib/mfa/schemas";
import type { Actor } from "@/lib/mfa/sms-factor";
import { checkStepUp, startStepUp } from "@/lib/mfa/step-up";
import { confirmTotpEnrollment, TOTP_ERRORS } from "@/lib/mfa/totp-factor";

/**
 * What the sign-in method dialogs get back. Secrets leave the server only where the user must see them,
 * once: the authenticator key and its QR code while enrolling, and a new set of backup codes.
 */
export type MethodResult =
  | { status: "error"; field?: "code"; message: string }
  | { status: "opened"; challengeId: string }
  | { status: "verified" }
  | { status: "enrolling"; challengeId: string; key: string; qrDataUrl: string; replacing: boolean }
  | { status: "done"; message: string; backupCodes: string[] | null };

const MESSAGES: Record<string, string> = { ...MFA_ERRORS, ...TOTP_ERRORS, ...BACKUP_CODE_ERRORS };
const fail = (error: string, field?: "code"): MethodResult => ({ status: "error", field, message: MESSAGES[error] ?? MFA_ERRORS.challenge_missing });
const invalid = (issues: { message: string; path: PropertyKey[] }[]): MethodResult => {
  const issue = issues[0];
  return { status: "error", field: issue?.path[0] === "code" ? "code" : undefined, message: issue?.message ?? MFA_ERRORS.challenge_missing };
};
const entries = (formData: FormData) => Object.fromEntries([...formData.entries()].filter(([, v]) => typeof v === "string"));
const tries = (n: number) => `${n} ${n === 1 ? "try" : "tries"} left.`;

/** Allowed while the organisation's gate holds the user at setup: adding a method is how they get out. */
async function actor() {
  const current = await requireSession({ allowMfaSetup: true });
  const value: Actor = {
    userId: current.user.id,
    sessionId: current.session.id,
    organisationId: current.organisation?.id ?? null,
    reauthenticatedAt: current.session.reauthenticatedAt,
  };
  return { current, actor: value, db: await getDb() };
}

/** Opens a step-up to answer with the authenticator app or a backup code (a text message uses sendStepUpCodeAction). */
export async function startStepUpAction(formData: FormData): Promise<MethodResult> {
  const { actor: a, db } = await actor();
  const parsed = startStepUpSchema.safeParse(entries(formData));
  if (!parsed.success) return invalid(parsed.error.issues);
  const result = await startStepUp(db, a, { method: parsed.data.method });
  return result.ok ? { status: "opened", challengeId: result.challengeId } : fail(result.error);
}

/** Checks the code of an open step-up; the change that follows consumes it. */
export async function checkStepUpAction(formData: FormData): Promise<MethodResult> {
  const { actor: a, db } = await actor();
  const parsed = checkStepUpSchema.safeParse(entries(formData));
  if (!parsed.success) return invalid(parsed.error.issues);
  const { info } = await currentRequest();
  const result = await checkStepUp(db, a, { ...parsed.data, info });
  if (result.ok) return { status: "verified" };
  if (result.error === "mfa_throttled") return { status: "error", field: "code", message: `Too many wrong codes. ${retryMessage(result.retryAt)}` };
  if ("attemptsLeft" in result) return { status: "error", field: "code", message: `${MESSAGES[result.error]} ${tries(result.attemptsLeft)}` };
  return fail(result.error, result.error === "step_up_required" ? undefined : "code");
}

/** Add or replace an authenticator app: a new key and its QR code, shown until the user confirms a code. */
export async function beginTotpEnrollmentAction(formData: FormData): Promise<MethodResult> {
  const { actor: a, db } = await actor();
  const parsed = beginTotpSchema.safeParse(entries(formData));
  if (!parsed.success) return invalid(parsed.error.issues);
  const result = await beginTotpEnrollment(db, a, parsed.data);
  if (!result.ok) return fail(result.error);
  return { status: "enrolling", challengeId: result.challengeId, key: result.secret, qrDataUrl: result.qrDataUrl, replacing: result.replacing };
}

/** The code from the app makes the new key the authenticator; on a first factor the backup codes come back once. */
export async function confirmTotpEnrollmentAction(formData: FormData): Promise<MethodResult> {
  const { actor: a, db } = await actor();
  const parsed = confirmTotpSchema.safeParse(entries(formData));
  if (!parsed.success) return invalid(parsed.error.issues);
  const { info } = await currentRequest();
  const result = await confirmTotpEnrollment(db, a, { ...parsed.data, info });
  if (!result.ok) {
    if (result.error === "totp_code_wrong") return { status: "error", field: "code", message: `${TOTP_ERRORS.totp_code_wrong} ${tries(result.attemptsLeft)}` };
    return fail(result.error, result.error === "step_up_required" ? undefined : "code");
  }
  // No revalidatePath: re-rendering the setup page now would redirect away before the backup codes are seen.
  // The dialog refreshes the page once the user continues.
  const message = {
    enabled: "Multi-factor authentication is on with your authenticator app.",
    added: "Your authenticator app is added. Other sessions were signed out.",
    replaced: "Your authenticator app is replaced; the old one no longer works. Other sessions were signed out.",
  }[result.change];
  return { status: "done", message, backupCodes: result.backupCodes };
}

/** Remove the authenticator app or the phone number; the last method turns MFA off. */
export async function removeMethodAction(formData: FormData): Promise<MethodResult> {
  const { current, actor: a, db } = await actor();
  const parsed = removeMethodSchema.safeParse(entries(formData));
  if (!parsed.success) return invalid(parsed.error.issues);
  const { info } = await currentRequest();
  const result = await removeMethod(db, a, { ...parsed.data, orgRequiresMfa: Boolean(current.organisation?.mfaRequired), info });
  if (!result.ok) return fail(result.error as MfaError);
  revalidatePath("/account");
  const what = parsed.data.kind === "totp" ? "Your authenticator app is removed." : "Your phone number is removed.";
  const message = result.mfaEnabled ? `${what} Other sessions were signed out.` : `${what} Multi-factor authentication is off. Other sessions were signed out.`;
  return { status: "done", message, backupCodes: null };
}

/** A new set of 10 backup codes; the old set stops working. */
export async function regenerateBackupCodesAction(formData: FormData): Promise<MethodResult> {
  const { actor: a, db } = await actor();
  const parsed = regenerateCodesSchema.safeParse(entries(formData));
  if (!parsed.success) return invalid(parsed.error.issues);
  const { info } = await currentRequest();
  const result = await regenerateCodes(db, a, { ...parsed.data, info });
  if (!result.ok) return fail(result.error);
  revalidatePath("/account");
  return { status: "done", message: "New backup codes are ready; the old ones no longer work. Other sessions were signed out.", backupCodes: result.codes };
}
