"use client";
import Link from "next/link";
import { unstable_rethrow } from "next/navigation";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { actionFailureMessage } from "@/lib/http/unavailable";
import { type LoginState, loginAction } from "./actions";

export function LoginForm({ callbackUrl, notice }: { callbackUrl: string; notice?: string }) {
  const [state, action] = useActionState(async (prev: LoginState, data: FormData): Promise<LoginState> => {
    try {
      return await loginAction(prev, data);
    } catch (error) {
      // A 503 from the gate (database down) or no network: say so here and keep what was typed.
      unstable_rethrow(error);
      return { status: "error", formError: actionFailureMessage(error), email: String(data.get("email") ?? "") };
    }
  }, { status: "idle" } as LoginState);
  const errors = state.status === "error" ? state.fieldErrors ?? {} : {};
  return (
    <form action={action} className="space-y-5" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {notice && state.status === "idle" && <Alert tone="info">{notice}</Alert>}
      {state.status === "error" && state.formError && <Alert tone="error">{state.formError}</Alert>}
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        maxLength={254}
        defaultValue={state.status === "error" ? state.email : ""}
        error={errors.email}
        autoFocus
      />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
      <SubmitButton className="w-full" pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
      <p className="text-center text-sm text-gray-600">
        New here?{" "}
        <Link href="/signup" className="font-semibold text-blue-700 hover:text-blue-800">
          Create an account
        </Link>
      </p>
    </form>
  );
}
