"use server";
import { z } from "zod";
import { getCurrentSession } from "@/lib/auth/dal";
import { publicAction } from "@/lib/actions/client";
import { confirmEmailChange } from "@/lib/auth/email-change";
import { say } from "@/lib/i18n/context";

export type ConfirmState =
  | { status: "idle" }
  | { status: "done"; email: string; signedIn: boolean }
  | { status: "error"; message: string };

/** The refusals, messages `confirmEmail.errors.<error>`; anything else reads as an invalid link. */
const ERRORS = new Set(["address_taken", "expired", "used", "invalid"]);
const refusal = (error: string) => say(`confirmEmail.errors.${ERRORS.has(error) ? error : "invalid"}`);

/**
 * Confirms a change of address. The link alone is enough; when this browser is signed in to the same
 * account, that session stays and the others end.
 */
export const confirmEmailAction = publicAction(
  z.object({ token: z.string().max(100).catch("") }),
  async ({ token }, { db, info }): Promise<ConfirmState> => {
    // Only a fully signed-in session of the same account is kept (the domain checks whose it is).
    const current = await getCurrentSession();
    const sessionId = current && current.session.mfaState !== "pending" ? current.session.id : null;
    const result = await confirmEmailChange(db, { token, sessionId, info });
    if (result.ok) return { status: "done", email: result.email, signedIn: result.keptSession };
    return { status: "error", message: refusal(result.error) };
  },
  (): ConfirmState => ({ status: "error", message: refusal("invalid") }),
);
