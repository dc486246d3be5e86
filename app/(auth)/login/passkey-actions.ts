"use server";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { publicAction } from "@/lib/actions/client";
import { issueSessionCookie } from "@/lib/auth/config";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { retryMessage } from "@/lib/mfa/errors";
import { finishPasskeySignIn, PASSKEY_SIGN_IN_ERRORS, startPasskeySignIn } from "@/lib/mfa/passkey/sign-in";
import { throttledMessage } from "@/lib/mfa/words";
import { say } from "@/lib/i18n/context";

export type PasskeySignInState =
  | { status: "prompt"; id: string; options: PublicKeyCredentialRequestOptionsJSON }
  | { status: "signed_in"; to: string }
  | { status: "error"; message: string };

const BAD_REQUEST = (): PasskeySignInState => ({ status: "error", message: say("common.badRequest") });

/** "Sign in with a passkey", step 1: a prompt for the passkeys this browser holds for the site. */
export const startPasskeySignInAction = publicAction(
  z.object({}),
  async (_input, { db, info }): Promise<PasskeySignInState> => {
    const result = await startPasskeySignIn(db, { deviceId: await currentDeviceId(), ip: info.ip });
    if (result.ok) return { status: "prompt", id: result.id, options: result.options };
    if (result.error === "throttled") return { status: "error", message: say("auth.tooManyPasskeyPrompts", { retry: retryMessage(result.retryAt) }) };
    return { status: "error", message: PASSKEY_SIGN_IN_ERRORS[result.error] };
  },
  BAD_REQUEST,
);

/** Step 2: the browser's answer. A right one signs in fully (the passkey is both factors) and sets the session cookie. */
export const finishPasskeySignInAction = publicAction(
  z.object({ id: z.string().max(64), response: z.string().min(2).max(16_000), callbackUrl: z.unknown().transform((v) => safeCallbackUrl(v)) }),
  async ({ id, response, callbackUrl }, { db, info }): Promise<PasskeySignInState> => {
    const result = await finishPasskeySignIn(db, { id, response, deviceId: await currentDeviceId(), info });
    if (result.ok) {
      await issueSessionCookie(result.token, "verified");
      return { status: "signed_in", to: callbackUrl };
    }
    if (result.error === "throttled") return { status: "error", message: say("auth.tooManySignIns", { retry: retryMessage(result.retryAt) }) };
    if (result.error === "mfa_throttled") return { status: "error", message: throttledMessage(result.retryAt) };
    return { status: "error", message: PASSKEY_SIGN_IN_ERRORS[result.error] };
  },
  BAD_REQUEST,
);
