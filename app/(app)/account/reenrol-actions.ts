"use server";
import { z } from "zod";
import { firstIssue, mfaSetupAction, noInput } from "@/lib/actions/client";
import { MFA_ERRORS, retryMessage } from "@/lib/mfa/errors";
import { checkReenrolEmailCode, redeemAccessCode, sendReenrolEmailCode } from "@/lib/mfa/reenrol";
import { sixDigitCode } from "@/lib/mfa/schemas";
import { mfaMessage, throttledMessage, wrongCodeMessage } from "@/lib/mfa/words";

/**
 * The proof an admin's reset asks for before the next enrolment (lib/mfa/reenrol.ts): a code sent by email, or
 * the admin's temporary access code. Allowed while the organisation holds the member at setup: it is part of it.
 * Never a code in an answer.
 */
export type ProofResult =
  | { status: "error"; field?: "code"; message: string }
  | { status: "sent"; challengeId: string; email: string; resendInMs: number }
  | { status: "proven" };

const fail = (error: string, field?: "code"): ProofResult => ({ status: "error", field, message: mfaMessage(error) });
const invalid = (error: z.ZodError): ProofResult => ({ status: "error", field: "code", message: firstIssue(error).message });

/** Emails a 6-digit code to the account's address (again: the previous one stops working). */
export const sendReenrolCodeAction = mfaSetupAction(
  noInput,
  async (_input, { actor, db }): Promise<ProofResult> => {
    const result = await sendReenrolEmailCode(db, actor);
    if (result.ok) return { status: "sent", challengeId: result.challengeId, email: result.email, resendInMs: result.resendAt.getTime() - Date.now() };
    if (result.error === "email_limit") return { status: "error", message: `${MFA_ERRORS.email_limit} ${retryMessage(result.retryAt)}` };
    return fail(result.error);
  },
  () => fail("challenge_missing"),
);

const codeSchema = z.object({ challengeId: z.uuid({ error: MFA_ERRORS.challenge_missing }), code: sixDigitCode });

/** The emailed code, typed in: this session may now enrol. */
export const checkReenrolCodeAction = mfaSetupAction(
  codeSchema,
  async ({ challengeId, code }, { actor, db, info }): Promise<ProofResult> => {
    const result = await checkReenrolEmailCode(db, actor, { challengeId, code, info });
    if (result.ok) return { status: "proven" };
    if (result.error === "mfa_throttled" || result.error === "email_limit") return { status: "error", field: "code", message: throttledMessage(result.retryAt) };
    if (result.error === "code_wrong") return { status: "error", field: "code", message: wrongCodeMessage(result.error, result.attemptsLeft) };
    return fail(result.error, result.error === "step_up_required" || result.error.startsWith("reenrol_") ? undefined : "code");
  },
  invalid,
);

const accessCodeSchema = z.object({ code: z.string({ error: MFA_ERRORS.access_code_format }).max(64, MFA_ERRORS.access_code_format) });

/** The temporary access code the admin passed on: spent here, once. */
export const redeemAccessCodeAction = mfaSetupAction(
  accessCodeSchema,
  async ({ code }, { actor, db, info }): Promise<ProofResult> => {
    const result = await redeemAccessCode(db, actor, { code, info });
    if (result.ok) return { status: "proven" };
    if (result.error === "mfa_throttled" || result.error === "email_limit") return { status: "error", field: "code", message: throttledMessage(result.retryAt) };
    if (result.error === "access_code_wrong") return { status: "error", field: "code", message: wrongCodeMessage(result.error, result.attemptsLeft) };
    return fail(result.error, result.error === "step_up_required" || result.error.startsWith("reenrol_") ? undefined : "code");
  },
  invalid,
);
