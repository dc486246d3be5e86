import { z } from "zod";
import { publicAction } from "@/lib/actions/client";
import { issueSessionCookie } from "@/lib/auth/config";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { fieldErrors, signInSchema } from "@/lib/auth/schemas";
import type { MfaState } from "@/lib/auth/sessions";
import { type SignInResult, signInWithPassword } from "@/lib/auth/sign-in";
import { say } from "@/lib/i18n/context";
import { retryMessage } from "@/lib/mfa/errors";
import { throttledMessage } from "@/lib/mfa/words";
import { createSmsSender } from "@/lib/sms";

export type LoginState =
  | { status: "idle" }
  /** unavailable: the database or SMS provider failed, nothing was the user's fault (the route answers 503). */
  | { status: "error"; formError?: string; fieldErrors?: Record<string, string>; email: string; unavailable?: true }
  | { status: "signed_in"; to: string };

/** The sign-in form: the credentials and where to go afterwards (same-origin paths only). */
const loginFormSchema = signInSchema.extend({ callbackUrl: z.unknown().optional().transform((v) => safeCallbackUrl(v)) });

/**
 * The password step, as the route the page's script posts to (POST /login/password) and the action a form
 * posted without JavaScript reaches both run it: a right password sets the session cookie (in Auth.js's
 * format, lib/auth/config.ts), and the answer says where the browser goes next.
 */
export const passwordStep = publicAction(
  loginFormSchema,
  async ({ email, password, callbackUrl }, { db, info, host }): Promise<LoginState> => {
    let result: SignInResult;
    try {
      // The browser's device id (set by the gate with the first page) names the budget of its failed passwords.
      result = await signInWithPassword(db, { sms: createSmsSender(db), host }, { email, password, deviceId: await currentDeviceId() }, info);
    } catch (error) {
      // The database or the SMS provider failing inside the password step is not the user's fault.
      console.error(`[login] ${(error as Error).name}: the password step failed`);
      return { status: "error", formError: say("auth.unavailable"), email, unavailable: true };
    }
    if (!result.ok) {
      if (result.error === "mfa_throttled") return { status: "error", formError: throttledMessage(result.retryAt), email };
      if (result.error === "throttled") return { status: "error", formError: say("auth.tooManySignIns", { retry: retryMessage(result.retryAt) }), email };
      // One message for unknown email and wrong password (ASVS 6.3.8): nothing tells which it was.
      return { status: "error", formError: say("auth.invalid"), email };
    }
    await issueSessionCookie(result.token, result.mfaState);
    return { status: "signed_in", to: destinationAfterPassword(result.mfaState, callbackUrl) };
  },
  (error, values): LoginState => ({ status: "error", fieldErrors: fieldErrors(error), email: (values.email ?? "").slice(0, 254) }),
);

/**
 * Where the password step leads: straight to the code page when the new session waits for a second factor,
 * otherwise to the callback URL (where the gate sends a member their organisation holds at MFA setup).
 */
function destinationAfterPassword(mfaState: MfaState, callbackUrl: string): string {
  const query = callbackUrl === "/" ? "" : `?callbackUrl=${encodeURIComponent(callbackUrl)}`;
  if (mfaState === "pending") return `/login/verify${query}`;
  return callbackUrl;
}
