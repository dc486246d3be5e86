"use client";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { changePasswordAction, type PasswordState } from "../actions";
import { useTranslations } from "next-intl";

export function PasswordCard() {
  const t = useTranslations("account.password");
  const [state, action] = useActionState(changePasswordAction, { status: "idle" } as PasswordState);
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <form action={action} className="space-y-4 px-5 py-5 sm:px-6" noValidate>
        {state.status === "success" && <Alert tone="success">{state.message}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("current")} name="currentPassword" type="password" autoComplete="current-password" error={errors.currentPassword} />
          <Field
            label={t("new")}
            name="newPassword"
            type="password"
            autoComplete="new-password"
            error={errors.newPassword}
            hint={t("hint")}
          />
        </div>
        <div className="flex justify-end">
          <SubmitButton variant="secondary" pendingLabel={t("changing")}>
            {t("submit")}
          </SubmitButton>
        </div>
      </form>
    </Card>
  );
}
