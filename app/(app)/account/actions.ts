"use server";
import { revalidatePath } from "next/cache";
import type { ZodError } from "zod";
import { accountAction, noInput } from "@/lib/actions/client";
import { recordEvent } from "@/lib/audit/events";
import { changePassword } from "@/lib/auth/password-change";
import { fieldErrors, passwordChangeSchema, sessionIdSchema } from "@/lib/auth/schemas";
import { revokeOwnSession, signOutOtherSessions } from "@/lib/auth/sessions";
import { say } from "@/lib/i18n/context";

export type PasswordState =
  | { status: "idle" }
  | { status: "error"; fieldErrors: Partial<Record<"currentPassword" | "newPassword", string>> }
  | { status: "success"; message: string };

export const changePasswordAction = accountAction(
  passwordChangeSchema,
  async (input, { actor, db, info }): Promise<PasswordState> => {
    const result = await changePassword(db, actor, { ...input, info });
    if (!result.ok) return { status: "error", fieldErrors: { [result.field]: result.message } };
    revalidatePath("/account");
    const ended = result.otherSessionsEnded;
    return {
      status: "success",
      message: say("account.password.changed", { ended }),
    };
  },
  (error: ZodError): PasswordState => ({ status: "error", fieldErrors: fieldErrors(error) }),
);

/** Signs out one of the user's other browsers; the current one signs out from the menu. */
export const revokeSessionAction = accountAction(
  sessionIdSchema,
  async ({ sessionId }, { actor, db, info }): Promise<void> => {
    if (sessionId === actor.sessionId) return;
    if (await revokeOwnSession(db, actor.userId, sessionId))
      await recordEvent(db, { action: "session.revoked", userId: actor.userId, organisationId: actor.organisationId, ...info });
    revalidatePath("/account");
  },
  () => undefined,
);

export const revokeOtherSessionsAction = accountAction(
  noInput,
  async (_input, { actor, db, info }): Promise<void> => {
    // Every trusted browser is forgotten too (lib/auth/trusted-browsers.ts).
    await signOutOtherSessions(db, actor, { info });
    revalidatePath("/account");
  },
  () => undefined,
);
