"use server";
import { z } from "zod";
import { getCurrentSession } from "@/lib/auth/dal";
import { publicAction } from "@/lib/actions/client";
import { confirmEmailChange } from "@/lib/auth/email-change";

export type ConfirmState =
  | { status: "idle" }
  | { status: "done"; email: string; signedIn: boolean }
  | { status: "error"; message: string };

const MESSAGES: Record<string, string> = {
  address_taken: "This address now belongs to another account, so it cannot be yours. Your email address has not been changed.",
  expired: "This link has expired. Ask for the change again in My account.",
  used: "This link no longer works. Ask for the change again in My account.",
  invalid: "This link does not work. Ask for the change again in My account.",
};

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
    return { status: "error", message: MESSAGES[result.error] ?? MESSAGES.invalid };
  },
  (): ConfirmState => ({ status: "error", message: MESSAGES.invalid }),
);
