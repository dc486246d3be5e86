"use client";
import { useState, useTransition } from "react";
import {
  checkCodeAction,
  confirmPasswordAction,
  disableMfaAction,
  resendCodeAction,
  sendStepUpCodeAction,
  type StepResult,
} from "@/app/(app)/account/mfa-actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { CodeField, completeCode } from "./code-field";
import { ResendButton } from "./resend-button";

function form(values: Record<string, string | null>) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) if (v != null) fd.set(k, v);
  return fd;
}

/** Turning MFA off: the current password, then a code sent to the registered number. */
export function TurnOffMfa({ maskedPhone, onDone }: { maskedPhone: string; onDone: () => void }) {
  const [step, setStep] = useState<"password" | "code">("password");
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [challengeId, setChallengeId] = useState<string | null>(null);
  const [verified, setVerified] = useState(false);
  const [resendAt, setResendAt] = useState<number | null>(null);

  const run = (action: () => Promise<StepResult>, then: (r: StepResult) => void) =>
    startTransition(async () => {
      setError(null);
      try {
        const r = await action();
        if (r.status === "error") setError({ field: r.field, message: r.message });
        else then(r);
      } catch {
        setError({ message: "Something went wrong on our side. Try again." });
      }
    });

  const sent = (r: StepResult) => {
    if (r.status !== "sent") return;
    setChallengeId(r.challengeId);
    setResendAt(Date.now() + r.resendInMs);
    setCode("");
    setVerified(false);
    setStep("code");
  };

  const onCodeChange = (value: string) => {
    setCode(value);
    setVerified(false);
    if (completeCode(value) && challengeId)
      run(() => checkCodeAction(form({ challengeId, purpose: "step_up", code: value })), () => setVerified(true));
  };

  const fieldError = (f: string) => (error?.field === f ? error.message : null);

  return (
    <div className="space-y-5">
      {error && !error.field && <Alert tone="error">{error.message}</Alert>}
      {step === "password" ? (
        <form
          className="space-y-5"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            run(
              () => confirmPasswordAction(form({ password })),
              () => {
                setPassword("");
                run(sendStepUpCodeAction, sent);
              },
            );
          }}
        >
          <p className="text-sm text-gray-600">Confirm your current password. We then send a code to your number ending in {maskedPhone.replace(/^\D+/, "")}.</p>
          <Field
            label="Current password"
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError("password")}
            autoFocus
            required
          />
          <div className="flex justify-end">
            <Button type="submit" pending={pending}>
              Continue
            </Button>
          </div>
        </form>
      ) : (
        <div className="space-y-5">
          <p className="text-sm text-gray-600">Enter the code we sent to your number ending in {maskedPhone.replace(/^\D+/, "")}.</p>
          <CodeField value={code} onChange={onCodeChange} error={fieldError("code")} autoFocus />
          <div className="flex flex-wrap items-center justify-between gap-3">
            <ResendButton
              availableAt={resendAt}
              pending={pending}
              onResend={() => run(() => resendCodeAction(form({ challengeId })), (r) => r.status === "sent" && setResendAt(Date.now() + r.resendInMs))}
            />
            <Button
              type="button"
              variant="danger"
              disabled={!verified}
              pending={pending && verified}
              onClick={() => run(() => disableMfaAction(form({ stepUpChallengeId: challengeId })), onDone)}
            >
              Turn off
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
