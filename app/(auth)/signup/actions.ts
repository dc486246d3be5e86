"use server";
import { getDb } from "@/db/client";
import { signIn } from "@/lib/auth/config";
import { currentRequest } from "@/lib/auth/dal";
import { fieldErrors, signUpSchema } from "@/lib/auth/schemas";
import { signUp } from "@/lib/auth/sign-up";

type Values = { name: string; email: string; organisation: string };
export type SignUpState = { status: "idle" } | { status: "error"; fieldErrors: Record<string, string>; values: Values };

/** What the form gets back: what the user typed (cut to a sane length), never the password. */
function typed(formData: FormData): Values {
  const text = (key: string) => {
    const v = formData.get(key);
    return typeof v === "string" ? v.slice(0, 300) : "";
  };
  return { name: text("name"), email: text("email"), organisation: text("organisation") };
}

export async function signUpAction(_prev: SignUpState, formData: FormData): Promise<SignUpState> {
  const parsed = signUpSchema.safeParse({
    name: formData.get("name"),
    email: formData.get("email"),
    password: formData.get("password"),
    organisation: formData.get("organisation"),
  });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error), values: typed(formData) };
  const { info } = await currentRequest();
  const result = await signUp(await getDb(), parsed.data, info);
  if (!result.ok)
    return {
      status: "error",
      fieldErrors: { email: "An account with this email already exists. Sign in instead." },
      values: typed(formData),
    };
  await signIn("session", { token: result.token, redirectTo: "/" });
  return { status: "idle" };
}
