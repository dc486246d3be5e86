"use server";
import { publicAction } from "@/lib/actions/client";
import { signIn } from "@/lib/auth/config";
import { fieldErrors, signUpSchema } from "@/lib/auth/schemas";
import { signUp } from "@/lib/auth/sign-up";
import { retryMessage } from "@/lib/mfa/errors";

type Values = { name: string; email: string; organisation: string };
export type SignUpState = { status: "idle" } | { status: "error"; fieldErrors: Record<string, string>; formError?: string; values: Values };

/** What the form gets back: what the user typed (cut to a sane length), never the password. */
function typed(values: Partial<Record<keyof Values, string>>): Values {
  const text = (key: keyof Values) => (values[key] ?? "").slice(0, 300);
  return { name: text("name"), email: text("email"), organisation: text("organisation") };
}

export const signUpAction = publicAction(
  signUpSchema,
  async (input, { db, info }): Promise<SignUpState> => {
    const result = await signUp(db, input, info);
    if (!result.ok && result.error === "throttled")
      return { status: "error", fieldErrors: {}, formError: `Too many new accounts from here. ${retryMessage(result.retryAt)}`, values: typed(input) };
    if (!result.ok && result.error === "password_unsafe") return { status: "error", fieldErrors: { password: result.message }, values: typed(input) };
    if (!result.ok)
      return { status: "error", fieldErrors: { email: "An account with this email already exists. Sign in instead." }, values: typed(input) };
    await signIn("session", { token: result.token, redirectTo: "/" });
    return { status: "idle" };
  },
  (error, values): SignUpState => ({ status: "error", fieldErrors: fieldErrors(error), values: typed(values) }),
);
