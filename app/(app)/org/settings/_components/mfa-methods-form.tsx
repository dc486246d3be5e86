"use client";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import type { MfaMethodsSetting } from "@/lib/org/policy";
import { type OrgState, setMfaMethodsAction } from "../actions";
import { useStepUpForm } from "./step-up-gate";

/** The choices, labelled by messages `orgSettings.methods.options.<value>`. */
const OPTIONS = ["any", "totp_only", "passkey_only"] as const;

/** The organisation's allowed methods; changing them needs the admin's fresh step-up. */
export function MfaMethodsForm({ methods }: { methods: MfaMethodsSetting }) {
  const t = useTranslations("orgSettings.methods");
  const [state, action] = useActionState(setMfaMethodsAction, { status: "idle" } as OrgState);
  const [choice, setChoice] = useState<string>(methods);
  const stepUp = useStepUpForm(t("stepUp"), state);
  const error = state.status === "error" ? (state.fieldErrors?.methods ?? state.message) : null;
  return (
    <form action={action} {...stepUp.form} className="space-y-4 rounded-lg bg-gray-50 px-4 py-4 ring-1 ring-gray-200 ring-inset" noValidate>
      <fieldset>
        <legend className="text-sm font-medium text-gray-900">{t("legend")}</legend>
        <div className="mt-3 space-y-3">
          {OPTIONS.map((value) => ({ value, label: t(`options.${value}.label`), hint: t(`options.${value}.hint`) })).map((o) => (
            <label key={o.value} className="flex cursor-pointer items-start gap-3">
              <input
                type="radio"
                name="methods"
                value={o.value}
                checked={choice === o.value}
                onChange={() => setChoice(o.value)}
                className="mt-0.5 size-4 accent-blue-600"
              />
              <span>
                <span className="block text-sm text-gray-900">{o.label}</span>
                <span className="block text-xs text-gray-600">{o.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {state.status === "success" && <Alert tone="success">{state.message}</Alert>}
      {error && <Alert tone={state.status === "error" && state.stepUp ? "info" : "error"}>{error}</Alert>}
      {choice !== methods && (
        <div className="flex justify-end">
          <SubmitButton pendingLabel={t("saving")}>{t("save")}</SubmitButton>
        </div>
      )}
    </form>
  );
}
