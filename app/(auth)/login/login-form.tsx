"use client";
import Link from "next/link";
import { useActionState, useEffect } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type LoginState, loginAction } from "./actions";
import { useTranslations } from "next-intl";

export function LoginForm({ callbackUrl, notice, email = "" }: { callbackUrl: string; notice?: { text: string; tone: "info" | "success" }; email?: string }) {
  const t = useTranslations("login");
  const [state, action] = useActionState(loginAction, { status: "idle" } as LoginState);
  const errors = state.status === "error" ? state.fieldErrors ?? {} : {};
  const signedIn = state.status === "signed_in" ? state.to : null;
  useEffect(() => {
    if (signedIn) window.location.assign(signedIn);
  }, [signedIn]);
  return (
    <form action={action} className="space-y-5" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {notice && state.status === "idle" && <Alert tone={notice.tone}>{notice.text}</Alert>}
      {state.status === "error" && state.formError && <Alert tone="error">{state.formError}</Alert>}
      <Field
        label={t("email")}
        name="email"
        type="email"
        autoComplete="username"
        required
        maxLength={254}
        defaultValue={state.status === "error" ? state.email : email}
        error={errors.email}
        autoFocus
      />
      <div>
        <Field label={t("password")} name="password" type="password" autoComplete="current-password" required error={errors.password} />
        <div className="mt-2 text-right">
          <Link href="/forgot-password" className="rounded text-sm font-medium text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
            {t("forgot")}
          </Link>
        </div>
      </div>
      <SubmitButton className="w-full" pendingLabel={t("signingIn")} pending={signedIn !== null}>
        {t("submit")}
      </SubmitButton>
    </form>
  );
}
