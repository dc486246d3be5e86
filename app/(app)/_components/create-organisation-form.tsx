"use client";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { type CreateOrganisationState, createOrganisationAction } from "../actions";

export function CreateOrganisationForm() {
  const t = useTranslations("noOrganisation.create");
  const [state, action] = useActionState(createOrganisationAction, { status: "idle" } as CreateOrganisationState);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  // Controlled, so what was typed stays in the field when the server refuses it.
  const [name, setName] = useState("");
  return (
    <form action={action} className="space-y-4" noValidate>
      <div>
        <h3 className="text-sm font-semibold text-gray-900">{t("title")}</h3>
        <p className="mt-1 text-sm text-gray-600">{t("intro")}</p>
      </div>
      {state.status === "error" && state.message && <Alert tone="error">{state.message}</Alert>}
      <Field
        label={t("name")}
        name="name"
        autoComplete="organization"
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.name}
      />
      <SubmitButton pendingLabel={t("creating")}>{t("submit")}</SubmitButton>
    </form>
  );
}
