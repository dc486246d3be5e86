"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type SignUpState, signUpAction } from "./actions";

export function SignUpForm() {
  const [state, action] = useActionState(signUpAction, { status: "idle" } as SignUpState);
  const errors = state.status === "error" ? state.fieldErrors : {};
  const values = state.status === "error" ? state.values : { name: "", email: "", organisation: "" };
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.status === "error" && state.formError && <Alert tone="error">{state.formError}</Alert>}
      <Field label="Your name" name="name" autoComplete="name" required maxLength={100} defaultValue={values.name} error={errors.name} autoFocus />
      <Field label="Work email" name="email" type="email" autoComplete="email" required maxLength={254} defaultValue={values.email} error={errors.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        error={errors.password}
        hint="At least 8 characters. Long passphrases welcome."
      />
      <Field
        label="Organisation name"
        name="organisation"
        autoComplete="organization"
        required
        maxLength={100}
        defaultValue={values.organisation}
        error={errors.organisation}
        hint="You become its admin and can invite your team later."
      />
      <SubmitButton className="w-full" pendingLabel="Creating your account…">
        Create account
      </SubmitButton>
      <p className="text-center text-sm text-gray-600">
        Already have an account?{" "}
        <Link href="/login" className="font-semibold text-blue-700 hover:text-blue-800">
          Sign in
        </Link>
      </p>
    </form>
  );
}
