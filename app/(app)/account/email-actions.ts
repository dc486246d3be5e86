"use server";
import { revalidatePath } from "next/cache";
import type { ZodError } from "zod";
import { accountAction, firstIssue, noInput } from "@/lib/actions/client";
import { cancelEmailChange, requestEmailChange } from "@/lib/auth/email-change";
import { emailChangeSchema } from "@/lib/auth/schemas";
import { say } from "@/lib/i18n/context";
import { MFA_ERRORS, retryMessage } from "@/lib/mfa/errors";

export type EmailChangeResult =
  | { status: "sent"; email: string }
  /** field "email": the address is refused (the step-up stays valid); otherwise the step-up must be done again. */
  | { status: "error"; field?: "email"; message: string; stepUp?: boolean };

/**
 * Asks for a change of address behind the step-up. The answer is the same whether or not another account
 * has the address (the domain sends no link then).
 */
export const requestEmailChangeAction = accountAction(
  emailChangeSchema,
  async ({ email, stepUpChallengeId }, { actor, db, info }): Promise<EmailChangeResult> => {
    const result = await requestEmailChange(db, actor, { newEmail: email, stepUpChallengeId, info });
    if (result.ok) {
      revalidatePath("/account");
      return { status: "sent", email: result.pending };
    }
    switch (result.error) {
      case "same_address":
        return { status: "error", field: "email", message: say("emailChange.sameAddress") };
      case "throttled":
        return { status: "error", field: "email", message: say("emailChange.throttled", { retry: retryMessage(result.retryAt) }) };
      default:
        return { status: "error", stepUp: true, message: MFA_ERRORS[result.error] };
    }
  },
  (error: ZodError): EmailChangeResult => ({ status: "error", field: "email", message: firstIssue(error).message }),
);

/** Withdraws the pending change: its link stops working. */
export const cancelEmailChangeAction = accountAction(
  noInput,
  async (_input, { actor, db, info }): Promise<void> => {
    await cancelEmailChange(db, actor, { info });
    revalidatePath("/account");
  },
  () => undefined,
);
