"use client";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { type OrgState, setTrustedBrowserDaysAction } from "../actions";
import { useStepUpForm } from "./step-up-gate";

const OPTIONS = ["0", "1", "7", "30"] as const;

/**
 * "Let members skip MFA on trusted browsers for": the organisation's limit on "Don't ask again on this browser"
 * (lib/auth/trusted-browsers.ts). Changing it needs the admin's fresh step-up, like the rest of the MFA policy.
 */
export function TrustedBrowsersForm({ days }: { days: number }) {
  const t = useTranslations("orgSettings.trustedBrowsers");
  const [state, action] = useActionState(setTrustedBrowserDaysAction, { status: "idle" } as OrgState);
  const [choice, setChoice] = useState(String(days));
  const stepUp = useStepUpForm(t("stepUp"), state);
  const fieldError = state.status === "error" ? state.fieldErrors?.days : undefined;
  const error = state.status === "error" ? (fieldError ?? state.message) : null;
  return (
    <form action={action} {...stepUp.form} className="space-y-4 rounded-lg bg-gray-50 px-4 py-4 ring-1 ring-gray-200 ring-inset" noValidate>
      <div>
        <label htmlFor="trusted-browser-days" className="block text-sm font-medium text-gray-900">
          {t("label")}
        </label>
        <p id="trusted-browser-days-help" className="mt-0.5 text-xs text-gray-600">
          {t("help")}
        </p>
        <select
          id="trusted-browser-days"
          name="days"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          aria-describedby={fieldError ? "trusted-browser-days-help trusted-browser-days-error" : "trusted-browser-days-help"}
          aria-invalid={fieldError ? true : undefined}
          className="mt-2 block w-full max-w-xs rounded-lg border-0 bg-white px-3 py-2 text-sm text-gray-900 shadow-xs ring-1 ring-gray-300 ring-inset focus:ring-2 focus:ring-blue-600 focus:outline-none"
        >
          {OPTIONS.map((value) => (
            <option key={value} value={value}>
              {value === "0" ? t("off") : t("days", { days: Number(value) })}
            </option>
          ))}
        </select>
        {fieldError && (
          <p id="trusted-browser-days-error" className="mt-1.5 text-sm text-red-600">
            {fieldError}
          </p>
        )}
      </div>
      {state.status === "success" && <Alert tone="success">{state.message}</Alert>}
      {error && !fieldError && <Alert tone={state.status === "error" && state.stepUp ? "info" : "error"}>{error}</Alert>}
      {choice !== String(days) && (
        <div className="flex justify-end">
          <SubmitButton pendingLabel={t("saving")}>{t("save")}</SubmitButton>
        </div>
      )}
    </form>
  );
}
