"use server";
import { publicAction } from "@/lib/actions/client";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { fieldErrors, signUpSchema } from "@/lib/auth/schemas";
import { signUp } from "@/lib/auth/sign-up";
import { retryMessage } from "@/lib/mfa/errors";
import { say } from "@/lib/i18n/context";

type Values = { name: string; email: string; organisation: string };
export type SignUpState =
  | { status: "idle" }
  | { status: "error"; fieldErrors: Record<string, string>; formError?: string; values: Values }
  /** The same answer whether or not the address already had an account. */
  | { status: "sent"; email: string };

/** What the form gets back: what the user typed (cut to a sane length), never the password. */
function typed(values: Partial<Record<keyof Values, string>>): Values {
  const text = (key: keyof Values) => (values[key] ?? "").slice(0, 300);
  return { name: text("name"), email: text("email"), organisation: text("organisation") };
}

export const signUpAction = publicAction(
  signUpSchema,
  async (input, { db, info }): Promise<SignUpState> => {
    const result = await signUp(db, input, { ...info, deviceId: await currentDeviceId() });
    if (!result.ok && result.error === "throttled")
      return { status: "error", fieldErrors: {}, formError: say("auth.tooManySignUps", { retry: retryMessage(result.retryAt) }), values: typed(input) };
    if (!result.ok) return { status: "error", fieldErrors: { password: result.message }, values: typed(input) };
    return { status: "sent", email: input.email };
  },
  (error, values): SignUpState => ({ status: "error", fieldErrors: fieldErrors(error), values: typed(values) }),
);
