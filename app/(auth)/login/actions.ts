"use server";
import { AuthError, CredentialsSignin } from "next-auth";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { sessionClaimsFrom, sessionCookieName } from "@/lib/auth/cookies";
import { retryMessage } from "@/lib/mfa/errors";
import { signIn } from "@/lib/auth/config";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { fieldErrors, signInSchema } from "@/lib/auth/schemas";

export type LoginState =
  | { status: "idle" }
  | { status: "error"; formError?: string; fieldErrors?: Record<string, string>; email: string }
  | { status: "signed_in"; to: string };

/** One message for unknown email and wrong password (ASVS 6.3.8): nothing tells which it was. */
const INVALID = "The email or password is not right.";
const UNAVAILABLE = "We could not sign you in right now. Nothing was lost: try again in a moment.";

export async function loginAction(_prev: LoginState, formData: FormData): Promise<LoginState> {
  const email = String(formData.get("email") ?? "").slice(0, 254);
  const parsed = signInSchema.safeParse({ email: formData.get("email"), password: formData.get("password") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error), email };
  const callbackUrl = safeCallbackUrl(formData.get("callbackUrl"));
  try {
    await signIn("password", { email: parsed.data.email, password: parsed.data.password, redirect: false });
  } catch (error) {
    if (error instanceof CredentialsSignin && error.code.startsWith("throttled:")) {
      const retryAt = new Date(Number(error.code.slice("throttled:".length)));
      return { status: "error", formError: `Too many failed sign-ins. ${retryMessage(retryAt)}`, email };
    }
    if (error instanceof CredentialsSignin) return { status: "error", formError: INVALID, email };
    // Anything else (the database or SMS provider failing inside the password step) is not the user's fault.
    if (error instanceof AuthError) return { status: "error", formError: UNAVAILABLE, email };
    throw error;
  }
  const to = await destinationAfterPassword(callbackUrl);
  // The page's script loads the next page itself (a full load, so nothing cached while signed out is reused).
  // Redirecting here would make Next render that page into this response, costing more than the sign-in.
  // A form posted without JavaScript carries no Next-Action header and gets a 303.
  if ((await headers()).has("next-action")) return { status: "signed_in", to };
  redirect(to);
}

/**
 * Where the password step leads: straight to the code page (or the required MFA setup) rather than to the
 * callback URL. Next renders an action's redirect target inside the action response; when the proxy then
 * redirects that render, the browser shows the new page under the old address (/ instead of /login/verify).
 */
async function destinationAfterPassword(callbackUrl: string): Promise<string> {
  // The cookie Auth.js has just set says which state the new session is in (lib/auth/session-cookie.ts).
  const claims = sessionClaimsFrom((await cookies()).get(sessionCookieName())?.value);
  const query = callbackUrl === "/" ? "" : `?callbackUrl=${encodeURIComponent(callbackUrl)}`;
  if (claims?.mfa === "pending") return `/login/verify${query}`;
  if (claims?.setup === true) return `/account/mfa-setup${query}`;
  return callbackUrl;
}
