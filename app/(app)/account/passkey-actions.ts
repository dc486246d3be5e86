"use server";
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { revalidatePath } from "next/cache";
import type { ZodError } from "zod";
import { firstIssue, mfaSetupAction } from "@/lib/actions/client";
import { beginPasskeyRegistration, finishPasskeyRegistration, renamePasskey } from "@/lib/mfa/passkey/enrollment";
import { passkeyPromptFor } from "@/lib/mfa/passkey/options";
import { removeOwnFactors } from "@/lib/mfa/remove";
import { beginPasskeySchema, finishPasskeySchema, passkeyPromptSchema, removePasskeySchema, renamePasskeySchema } from "@/lib/mfa/schemas";
import { say } from "@/lib/i18n/context";
import { mfaMessage } from "@/lib/mfa/words";

/**
 * My account's passkeys and security keys: adding one (step-up, then the browser's prompt), renaming and
 * removing. The browser's own prompt runs between two actions: the first hands it the options with a
 * challenge stored on this session, the second checks the answer.
 */
export type PasskeyResult =
  | { status: "error"; message: string }
  | { status: "register"; challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }
  | { status: "prompt"; options: PublicKeyCredentialRequestOptionsJSON }
  | { status: "done"; message: string; name?: string; backupCodes: string[] | null };

const fail = (error: string): PasskeyResult => ({ status: "error", message: mfaMessage(error) });
const invalid = (error: ZodError): PasskeyResult => ({ status: "error", message: firstIssue(error).message });

/** The browser's prompt for a passkey during a step-up: a fresh challenge on the open step-up. */
export const stepUpPasskeyPromptAction = mfaSetupAction(
  passkeyPromptSchema,
  async ({ challengeId }, { actor, db }): Promise<PasskeyResult> => {
    const options = await passkeyPromptFor(db, { challengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "step_up" });
    return options ? { status: "prompt", options } : fail("challenge_missing");
  },
  invalid,
);

/** Add a passkey, step 1: the options for navigator.credentials.create, once the step-up is verified. */
export const beginPasskeyAction = mfaSetupAction(
  beginPasskeySchema,
  async (input, { actor, db }): Promise<PasskeyResult> => {
    const result = await beginPasskeyRegistration(db, actor, input);
    return result.ok ? { status: "register", challengeId: result.challengeId, options: result.options } : fail(result.error);
  },
  invalid,
);

/** Add a passkey, step 2: the browser's new credential becomes a factor; on a first factor the backup codes come back once. */
export const finishPasskeyAction = mfaSetupAction(
  finishPasskeySchema,
  async (input, { actor, db, info }): Promise<PasskeyResult> => {
    const result = await finishPasskeyRegistration(db, actor, { ...input, info });
    if (!result.ok) return fail(result.error);
    return { status: "done", message: say(`passkeys.done.${result.change}`), name: result.name, backupCodes: result.backupCodes };
  },
  invalid,
);

export const renamePasskeyAction = mfaSetupAction(
  renamePasskeySchema,
  async (input, { actor, db, info }): Promise<PasskeyResult> => {
    const result = await renamePasskey(db, actor, { ...input, info });
    if (!result.ok) return fail(result.error);
    revalidatePath("/account");
    return { status: "done", message: say("passkeys.done.renamed", { name: result.name }), name: result.name, backupCodes: null };
  },
  invalid,
);

/** Remove one passkey; it needs a step-up like any factor removal, and the last factor turns MFA off. */
export const removePasskeyAction = mfaSetupAction(
  removePasskeySchema,
  async ({ factorId, stepUpChallengeId }, { actor, db, info }): Promise<PasskeyResult> => {
    const result = await removeOwnFactors(db, actor, { which: "passkey", factorId, stepUpChallengeId, info });
    if (!result.ok) return fail(result.error);
    revalidatePath("/account");
    const message = say(result.mfaEnabled ? "passkeys.done.removed" : "passkeys.done.removedLast");
    return { status: "done", message, backupCodes: null };
  },
  invalid,
);
