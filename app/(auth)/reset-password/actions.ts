"use server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { noInput, publicAction } from "@/lib/actions/client";
import { resetLinkCookieName, resetLinkCookieOptions } from "@/lib/auth/cookies";
import { checkResetCode, completePasswordReset, sendResetCode } from "@/lib/auth/password-reset";
import { fieldErrors, resetPasswordSchema } from "@/lib/auth/schemas";
import { MFA_ERRORS } from "@/lib/mfa/errors";
import { isLoginMethod } from "@/lib/mfa/method";
import { mfaMessage, throttledMessage, tooManySendsMessage, wrongCodeMessage } from "@/lib/mfa/words";
import { createSmsSender } from "@/lib/sms";

/**
 * The reset page's actions. The reset link's token is read from its cookie (set by ./[token]/route.ts), never
 * from the form; a link that stopped working sends the browser back to the page, which says why.
 */
const linkToken = async () => (await cookies()).get(resetLinkCookieName())?.value ?? null;
const RESET_PAGE = "/reset-password";

export type SendCodeState = { status: "idle" } | { status: "sent"; resendAt: number } | { status: "error"; message: string; resendAt?: number };

/** Texts a code for the second-factor step: only when the user asks (the page never texts by itself). */
export const sendResetCodeAction = publicAction(
  noInput,
  async (_input, { db, info, host }): Promise<SendCodeState> => {
    const outcome = await sendResetCode(db, { sms: createSmsSender(db), host, info }, await linkToken());
    switch (outcome.status) {
      case "sent":
        return { status: "sent", resendAt: outcome.resendAt.getTime() };
      case "cooldown":
        return { status: "error", message: MFA_ERRORS.resend_cooldown, resendAt: outcome.retryAt.getTime() };
      case "rate_limited":
        return { status: "error", message: tooManySendsMessage(outcome.retryAt), resendAt: outcome.retryAt.getTime() };
      case "send_failed":
        return { status: "error", message: MFA_ERRORS.sms_failed };
      case "no_sms":
        return { status: "error", message: MFA_ERRORS.method_not_allowed };
      case "closed":
        return redirect(`${RESET_PAGE}?problem=locked`);
      default:
        redirect(RESET_PAGE);
    }
  },
  (): SendCodeState => ({ status: "error", message: MFA_ERRORS.sms_failed }),
);

export type CodeState = { status: "idle" } | { status: "error"; message: string };

const codeSchema = z.object({
  method: z.unknown().transform((v) => (isLoginMethod(v) ? v : "totp")),
  // Read by the chosen method's own rules in the code check (a malformed code costs no attempt).
  code: z.string().max(100).catch(""),
});

/** Checks the second factor; a right code brings the page back at the new-password step. */
export const checkResetCodeAction = publicAction(
  codeSchema,
  async ({ method, code }, { db, info }): Promise<CodeState> => {
    const result = await checkResetCode(db, await linkToken(), { method, code, info });
    if (result.ok) redirect(RESET_PAGE);
    switch (result.error) {
      case "code_wrong":
        return { status: "error", message: wrongCodeMessage(result.reason, result.attemptsLeft) };
      case "code_unreadable":
        return { status: "error", message: mfaMessage(result.reason) };
      case "mfa_throttled":
        return { status: "error", message: throttledMessage(result.retryAt) };
      case "method_not_allowed":
        return { status: "error", message: MFA_ERRORS.method_not_allowed };
      case "code_locked":
        return redirect(`${RESET_PAGE}?problem=locked`);
      default:
        redirect(RESET_PAGE);
    }
  },
  (): CodeState => ({ status: "error", message: MFA_ERRORS.code_format }),
);

export type NewPasswordState = { status: "idle" } | { status: "error"; fieldErrors: Record<string, string> };

/** Sets the new password; every session ends, and the person signs in again with it. */
export const setNewPasswordAction = publicAction(
  resetPasswordSchema,
  async ({ password }, { db, info }): Promise<NewPasswordState> => {
    const result = await completePasswordReset(db, { token: await linkToken(), password, info });
    if (result.ok) {
      (await cookies()).set(resetLinkCookieName(), "", { ...resetLinkCookieOptions(), maxAge: 0 });
      redirect("/login?notice=password_reset");
    }
    if (result.error === "password") return { status: "error", fieldErrors: { password: result.message } };
    // The link stopped working, or the factor step is due (again): the page shows which.
    redirect(RESET_PAGE);
  },
  (error): NewPasswordState => ({ status: "error", fieldErrors: fieldErrors(error) }),
);
