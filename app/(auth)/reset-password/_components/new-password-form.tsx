"use client";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { type NewPasswordState, setNewPasswordAction } from "../actions";

/** The last step of a reset: the new password, with the sign-up's rules (checked on the server). */
export function NewPasswordForm({ email, factorProven }: { email: string; factorProven: boolean }) {
  const t = useTranslations("reset.newPassword");
  const [state, action] = useActionState(setNewPasswordAction, { status: "idle" } as NewPasswordState);
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-5" noValidate>
      <div>
        {factorProven && <p className="mb-1 text-xs font-semibold tracking-wide text-blue-700 uppercase">{t("step")}</p>}
        <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-gray-600">
          {t.rich("for", { email, address: (chunks) => <span className="font-medium break-all text-gray-900">{chunks}</span> })}
        </p>
      </div>
      {factorProven && state.status === "idle" && <Alert tone="success">{t("confirmed")}</Alert>}
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field
        label={t("label")}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        maxLength={1024}
        error={errors.password}
        hint={t("hint")}
        autoFocus
      />
      <SubmitButton className="w-full" pendingLabel={t("saving")}>
        {t("submit")}
      </SubmitButton>
      <p className="text-center text-xs text-gray-500">{t("after")}</p>
    </form>
  );
}
