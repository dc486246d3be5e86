"use client";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { type OrgState, renameOrganisationAction } from "../actions";

export function OrgNameCard({ name }: { name: string }) {
  const t = useTranslations("orgSettings.name");
  const [state, action] = useActionState(renameOrganisationAction, { status: "idle" } as OrgState);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  // Controlled, so what was typed stays in the field when the server refuses it.
  const [value, setValue] = useState(name);
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <form action={action} className="space-y-4 px-5 py-5 sm:px-6" noValidate>
        {state.status === "success" && <Alert tone="success">{state.message}</Alert>}
        {state.status === "error" && state.message && <Alert tone="error">{state.message}</Alert>}
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
          <Field
            label={t("label")}
            name="name"
            autoComplete="organization"
            required
            maxLength={100}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            error={errors.name}
            className="flex-1"
          />
          <SubmitButton variant="secondary" pendingLabel={t("saving")} className="sm:mt-7">
            {t("save")}
          </SubmitButton>
        </div>
      </form>
    </Card>
  );
}
