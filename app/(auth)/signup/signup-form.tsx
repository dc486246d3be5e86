"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass, SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type SignUpState, signUpAction } from "./actions";
import { useTranslations } from "next-intl";

export function SignUpForm() {
  const t = useTranslations("signup");
  const [state, action] = useActionState(signUpAction, { status: "idle" } as SignUpState);
  if (state.status === "sent") return <CheckInbox email={state.email} />;
  const errors = state.status === "error" ? state.fieldErrors : {};
  const values = state.status === "error" ? state.values : { name: "", email: "", organisation: "" };
  return (
    <>
    <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
    <p className="mt-1 mb-6 text-sm text-gray-600">{t("intro")}</p>
    <form action={action} className="space-y-5" noValidate>
      {state.status === "error" && state.formError && <Alert tone="error">{state.formError}</Alert>}
      <Field label={t("name")} name="name" autoComplete="name" required maxLength={100} defaultValue={values.name} error={errors.name} autoFocus />
      <Field label={t("email")} name="email" type="email" autoComplete="email" required maxLength={254} defaultValue={values.email} error={errors.email} />
      <Field
        label={t("password")}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        error={errors.password}
        hint={t("passwordHint")}
      />
      <Field
        label={t("organisation")}
        name="organisation"
        autoComplete="organization"
        required
        maxLength={100}
        defaultValue={values.organisation}
        error={errors.organisation}
        hint={t("organisationHint")}
      />
      <SubmitButton className="w-full" pendingLabel={t("creating")}>
        {t("submit")}
      </SubmitButton>
      <p className="text-center text-sm text-gray-600">
        {t("haveAccount")}{" "}
        <Link href="/login" className="font-semibold text-blue-700 hover:text-blue-800">
          {t("signIn")}
        </Link>
      </p>
    </form>
    </>
  );
}

/** After sign-up, new address or not: where the link went, and that signing in need not wait for it. */
function CheckInbox({ email }: { email: string }) {
  const t = useTranslations("signup.sent");
  return (
    <div className="text-center" aria-live="polite">
      <div className="mx-auto flex size-12 items-center justify-center rounded-full bg-blue-50 text-blue-700 ring-1 ring-blue-100">
        <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" className="size-6">
          <rect x="3" y="5" width="18" height="14" rx="2" />
          <path d="m3.5 6.5 8.5 6 8.5-6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
      <h1 className="mt-4 text-xl font-semibold tracking-tight">{t("title")}</h1>
      <p className="mt-2 text-sm text-gray-600">
        {t.rich("body", { email, address: (chunks) => <span className="font-medium break-all text-gray-900">{chunks}</span> })}
      </p>
      <p className="mt-2 text-sm text-gray-600">{t("later")}</p>
      <Link
        href={`/login?email=${encodeURIComponent(email)}`}
        className={buttonClass("primary", "mt-6 w-full")}
      >
        {t("goToSignIn")}
      </Link>
      <p className="mt-4 text-xs text-gray-500">{t("noEmail")}</p>
    </div>
  );
}
