"use server";
import { AuthError, CredentialsSignin } from "next-auth";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { sessionClaimsFrom, sessionCookieName } from "@/lib/auth/cookies";
import { retryMessage } from "@/lib/mfa/errors";
import { throttledMessage } from "@/lib/mfa/words";
import { signIn } from "@/lib/auth/config";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { fieldErrors, signInSchema } from "@/lib/auth/schemas";
import { publicAction } from "@/lib/actions/client";
import { z } from "zod";
import { say } from "@/lib/i18n/context";

export type LoginState =
  | { status: "idle" }
  | { status: "error"; formError?: string; fieldErrors?: Record<string, string>; email: string }
  | { status: "signed_in"; to: string };

/** One message for unknown email and wrong password (ASVS 6.3.8): nothing tells which it was. */
const INVALID = () => say("auth.invalid");
const UNAVAILABLE = () => say("auth.unavailable");

/** The sign-in form: the credentials and where to go afterwards (same-origin paths only). */
const loginFormSchema = signInSchema.extend({ callbackUrl: z.unknown().transform((v) => safeCallbackUrl(v)) });

export const loginAction = publicAction(
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
      if (error instanceof CredentialsSignin) return { status: "error", formError: INVALID(), email };
      // Anything else (the database or SMS provider failing inside the password step) is not the user's fault.
      if (error instanceof AuthError) return { status: "error", formError: UNAVAILABLE(), email };
      throw error;
    }
    const to = await destinationAfterPassword(callbackUrl);
    // The page's script loads the next page itself (a full load, so nothing cached while signed out is reused).
    // Redirecting here would make Next render that page into this response, costing more than the sign-in.
    // A form posted without JavaScript carries no Next-Action header and gets a 303.
    if ((await headers()).has("next-action")) return { status: "signed_in", to };
    redirect(to);
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
