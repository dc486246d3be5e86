"use client";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { type AcceptState, acceptInvitationAction } from "./actions";

export function AcceptForm({ token, email, organisationName }: { token: string; email: string; organisationName: string }) {
  const t = useTranslations("invite");
  const [state, action] = useActionState(acceptInvitationAction, { status: "idle" } as AcceptState);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} className="space-y-5" noValidate>
      <input type="hidden" name="token" value={token} />
      {/* Lets password managers save the new password under the right account. */}
      <input type="hidden" name="username" autoComplete="username" value={email} />
      {state.status === "error" && state.message && <Alert tone="error">{state.message}</Alert>}
      <div>
        <p className="block text-sm font-medium text-gray-900">{t("email")}</p>
        <p className="mt-1.5 rounded-lg bg-gray-50 px-3 py-2.5 text-sm text-gray-700 ring-1 ring-gray-200 ring-inset">{email}</p>
      </div>
      <Field
        label={t("name")}
        name="name"
        autoComplete="name"
        required
        maxLength={100}
        defaultValue={state.status === "error" ? state.name : ""}
        key={state.status === "error" ? `n-${state.name}` : "n"}
        error={errors.name}
        autoFocus
      />
      <Field
        label={t("password")}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        error={errors.password}
        hint={t("passwordHint")}
      />
      <SubmitButton className="w-full" pendingLabel={t("joining")}>
        {t("join", { organisation: organisationName })}
      </SubmitButton>
    </form>
  );
}
