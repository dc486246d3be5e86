"use client";
import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";

type StepError = { field?: string; message: string };

/** What a step's server action answers, as far as the runner reads it: a refusal (`error`, at a field or not), or anything else. */
export type StepOutcome = { status: string; field?: string; message?: string };

/** Runs a server action; `then` gets every answer but a refusal. */
export type Run = <R extends StepOutcome>(action: () => Promise<R>, then: (result: R) => void) => void;

/**
 * One step of an MFA dialog calling its server action: pending while it runs, a refusal kept for its field
 * (or for the whole form), and an unexpected failure shown as one generic sentence.
 */
export function useStepRunner() {
  const unexpected = useTranslations("common")("somethingWrong");
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<StepError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run: Run = (action, then) =>
    startTransition(async () => {
      setError(null);
      setNotice(null);
      try {
        const result = await action();
        if (result.status === "error") setError({ field: result.field, message: result.message ?? unexpected });
        else then(result);
      } catch {
        setError({ message: unexpected });
      }
    });

  const fieldError = (field: string) => (error?.field === field ? error.message : null);

  return { pending, run, error, setError, fieldError, notice, setNotice };
}
