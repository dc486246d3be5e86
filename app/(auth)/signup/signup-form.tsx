"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass, SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type SignUpState, signUpAction } from "./actions";

export function SignUpForm() {
  const [state, action] = useActionState(signUpAction, { status: "idle" } as SignUpState);
  if (state.status === "sent") return <CheckInbox email={state.email} />;
  const errors = state.status === "error" ? state.fieldErrors : {};
  const values = state.status === "error" ? state.values : { name: "", email: "", organisation: "" };
  return (
    <>
    <h1 className="text-xl font-semibold tracking-tight">Create your account</h1>
    <p className="mt-1 mb-6 text-sm text-gray-600">Start collecting feedback with your team.</p>
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
    </>
  );
}

/** After sign-up, new address or not: where the link went, and that signing in need not wait for it. */
function CheckInbox({ email }: { email: string }) {
  return (
    <div className="text-center" aria-live="polite">
      <div className="mx-auto flex size-12 items-center justify-center rounded-full bg-blue-50 text-blue-700 ring-1 ring-blue-100">
        <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" className="size-6">
          <rect x="3" y="5" width="18" height="14" rx="2" />
          <path d="m3.5 6.5 8.5 6 8.5-6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
      <h1 className="mt-4 text-xl font-semibold tracking-tight">Check your inbox</h1>
      <p className="mt-2 text-sm text-gray-600">
        We sent a link to <span className="font-medium break-all text-gray-900">{email}</span>. Open it to confirm your address; it works for 24 hours.
      </p>
      <p className="mt-2 text-sm text-gray-600">You can sign in now and confirm it later.</p>
      <Link
        href={`/login?email=${encodeURIComponent(email)}`}
        className={buttonClass("primary", "mt-6 w-full")}
      >
        Go to sign in
      </Link>
      <p className="mt-4 text-xs text-gray-500">No email after a few minutes? Check your spam folder, or sign in and send it again.</p>
    </div>
  );
}
