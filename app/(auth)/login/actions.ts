"use server";
import { AuthError, CredentialsSignin } from "next-auth";
import { retryMessage } from "@/lib/mfa/errors";
import { signIn } from "@/lib/auth/config";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { fieldErrors, signInSchema } from "@/lib/auth/schemas";

export type LoginState = { status: "idle" } | { status: "error"; formError?: string; fieldErrors?: Record<string, string>; email: string };

/** One message for unknown email and wrong password (ASVS 6.3.8): nothing tells which it was. */
const INVALID = "The email or password is not right.";
const UNAVAILABLE = "We could not sign you in right now. Nothing was lost: try again in a moment.";

export async function loginAction(_prev: LoginState, formData: FormData): Promise<LoginState> {
  const email = String(formData.get("email") ?? "").slice(0, 254);
  const parsed = signInSchema.safeParse({ email: formData.get("email"), password: formData.get("password") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error), email };
  try {
    await signIn("password", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: safeCallbackUrl(formData.get("callbackUrl")),
    });
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
  return { status: "idle" };
}
