import { AuthError, CredentialsSignin } from "next-auth";
import { cookies } from "next/headers";
import { z } from "zod";
import { publicAction } from "@/lib/actions/client";
import { sessionClaimsFrom, sessionCookieName } from "@/lib/auth/cookies";
import { signIn } from "@/lib/auth/config";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { fieldErrors, signInSchema } from "@/lib/auth/schemas";
import { say } from "@/lib/i18n/context";
import { retryMessage } from "@/lib/mfa/errors";
import { throttledMessage } from "@/lib/mfa/words";

export type LoginState =
  | { status: "idle" }
  /** unavailable: the database or SMS provider failed, nothing was the user's fault (the route answers 503). */
  | { status: "error"; formError?: string; fieldErrors?: Record<string, string>; email: string; unavailable?: true }
  | { status: "signed_in"; to: string };

/** The sign-in form: the credentials and where to go afterwards (same-origin paths only). */
const loginFormSchema = signInSchema.extend({ callbackUrl: z.unknown().optional().transform((v) => safeCallbackUrl(v)) });

/**
 * The password step, as the route the page's script posts to (POST /login/password) and the action a form
 * posted without JavaScript reaches both run it: the credentials go through Auth.js (which sets the cookie),
 * and the answer says where the browser goes next.
 */
export const passwordStep = publicAction(
  loginFormSchema,
  async ({ email, password, callbackUrl }): Promise<LoginState> => {
    try {
      // The browser's device id (set by the gate with the first page) names the budget of its failed passwords.
      await signIn("password", { email, password, device: await currentDeviceId(), redirect: false });
    } catch (error) {
      const throttled = error instanceof CredentialsSignin ? /^(throttled|mfa_throttled):(\d+)$/.exec(error.code) : null;
      if (throttled) {
        const retryAt = new Date(Number(throttled[2]));
        if (throttled[1] === "mfa_throttled") return { status: "error", formError: throttledMessage(retryAt), email };
        return { status: "error", formError: say("auth.tooManySignIns", { retry: retryMessage(retryAt) }), email };
      }
      // One message for unknown email and wrong password (ASVS 6.3.8): nothing tells which it was.
      if (error instanceof CredentialsSignin) return { status: "error", formError: say("auth.invalid"), email };
      // Anything else (the database or SMS provider failing inside the password step) is not the user's fault.
      if (error instanceof AuthError) return { status: "error", formError: say("auth.unavailable"), email, unavailable: true };
      throw error;
    }
    return { status: "signed_in", to: await destinationAfterPassword(callbackUrl) };
  },
  (error, values): LoginState => ({ status: "error", fieldErrors: fieldErrors(error), email: (values.email ?? "").slice(0, 254) }),
);

/**
 * Where the password step leads: straight to the code page when the new session waits for a second factor,
 * otherwise to the callback URL (where the gate sends a member their organisation holds at MFA setup).
 */
async function destinationAfterPassword(callbackUrl: string): Promise<string> {
  // The cookie Auth.js has just set says which state the new session is in (lib/auth/session-cookie.ts).
  const claims = sessionClaimsFrom((await cookies()).get(sessionCookieName())?.value);
  const query = callbackUrl === "/" ? "" : `?callbackUrl=${encodeURIComponent(callbackUrl)}`;
  if (claims?.mfa === "pending") return `/login/verify${query}`;
  return callbackUrl;
}
