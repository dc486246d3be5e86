"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { form } from "./form-data";
import type { Run, StepOutcome } from "./use-step-runner";
import { useTranslations } from "next-intl";

type Props = {
  /** The server action that checks the password and stamps the session (a component gets its action as a prop). */
  confirm: (data: FormData) => Promise<StepOutcome>;
  /** What is about to happen, above the password field. */
  intro: React.ReactNode;
  /** The caller's runner, so a refusal without a field shows where the caller shows its errors. */
  run: Run;
  /** The refusal of the password itself, shown at the field. */
  error: string | null;
  pending: boolean;
  onConfirmed: () => void;
};

/** The first step of every change to how the user signs in: their current password, checked on the server. */
export function ConfirmPasswordStep({ confirm, intro, run, error, pending, onConfirmed }: Props) {
  const t = useTranslations("codes");
  const [password, setPassword] = useState("");

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    run(
      () => confirm(form({ password })),
      () => {
        setPassword("");
        onConfirmed();
      },
    );
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      {intro}
      <Field
        label={t("currentPassword")}
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={error}
        autoFocus
        required
      />
      <div className="flex justify-end">
        <Button type="submit" pending={pending}>
          {t("continue")}
        </Button>
      </div>
    </form>
  );
}
