"use server";
import { after } from "next/server";
import { publicAction } from "@/lib/actions/client";
import { deliverAfterResponse } from "@/lib/actions/email-delivery";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { fieldErrors, forgotPasswordSchema } from "@/lib/auth/schemas";

export type ForgotState =
  | { status: "idle"; email?: string }
  | { status: "error"; fieldErrors: Record<string, string>; email: string }
  | { status: "sent"; email: string };

/**
 * "Forgot password?": one answer whatever happens (ASVS 5.0 6.3.8). The work runs after the response
 * (`after`), so neither the answer nor how long it takes says whether the account exists, or whether a
 * limit stopped the email. A failure there is logged without the address.
 */
export const forgotPasswordAction = publicAction(
  forgotPasswordSchema,
  async ({ email }, { db, info }): Promise<ForgotState> => {
    after(async () => {
      try {
        await requestPasswordReset(db, { email, info });
        // This already runs after the response, where the action's own delivery run has passed: send now.
        await deliverAfterResponse();
      } catch (error) {
        console.error(`[reset] a reset request failed: ${(error as Error).name}`);
      }
    });
    return { status: "sent", email };
  },
  (error, values): ForgotState => ({ status: "error", fieldErrors: fieldErrors(error), email: (values.email ?? "").slice(0, 254) }),
);
