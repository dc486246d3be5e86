"use client";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type NewPasswordState, setNewPasswordAction } from "../actions";

/** The last step of a reset: the new password, with the sign-up's rules (checked on the server). */
export function NewPasswordForm({ email, factorProven }: { email: string; factorProven: boolean }) {
  const [state, action] = useActionState(setNewPasswordAction, { status: "idle" } as NewPasswordState);
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-5" noValidate>
      <div>
        {factorProven && <p className="mb-1 text-xs font-semibold tracking-wide text-blue-700 uppercase">Reset password · Step 2 of 2</p>}
        <h1 className="text-xl font-semibold tracking-tight">Choose a new password</h1>
        <p className="mt-1 text-sm text-gray-600">
          For <span className="font-medium break-all text-gray-900">{email}</span>.
        </p>
      </div>
      {factorProven && state.status === "idle" && <Alert tone="success">Code confirmed. Now choose your new password.</Alert>}
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        maxLength={1024}
        error={errors.password}
        hint="At least 8 characters. A few unrelated words make a strong one."
        autoFocus
      />
      <SubmitButton className="w-full" pendingLabel="Saving…">
        Save new password
      </SubmitButton>
      <p className="text-center text-xs text-gray-500">Every session on every device is signed out. Then you sign in with the new password.</p>
    </form>
  );
}
