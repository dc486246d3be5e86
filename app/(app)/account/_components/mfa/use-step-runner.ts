"use client";
import { useState, useTransition } from "react";
import type { MethodResult } from "../../methods-actions";
import type { StepResult } from "../../mfa-actions";

type StepError = { field?: string; message: string };

/** Runs a server action; `then` gets every answer but a refusal. */
export type Run = <R extends StepResult | MethodResult>(action: () => Promise<R>, then: (result: R) => void) => void;

/**
 * One step of an MFA dialog calling its server action: pending while it runs, a refusal kept for its field
 * (or for the whole form), and an unexpected failure shown as one generic sentence.
 */
export function useStepRunner() {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<StepError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run: Run = (action, then) =>
    startTransition(async () => {
      setError(null);
      setNotice(null);
      try {
        const result = await action();
        if (result.status === "error") setError({ field: result.field, message: result.message });
        else then(result);
      } catch {
        setError({ message: "Something went wrong on our side. Try again." });
      }
    });

  const fieldError = (field: string) => (error?.field === field ? error.message : null);

  return { pending, run, error, setError, fieldError, notice, setNotice };
}
