"use client";
import { useState, useTransition } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { form } from "@/components/mfa/form-data";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { disableMfaAction } from "../../mfa-actions";

/** Turning MFA off: the current password, a code from a current factor, then an explicit "Turn off". */
export function TurnOffMfa({ methods, onDone }: { methods: ProofMethods; onDone: () => void }) {
  const [stepUpId, setStepUpId] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  const turnOff = () =>
    startTransition(async () => {
      setError(null);
      try {
        const r = await disableMfaAction(form({ stepUpChallengeId: stepUpId }));
        if (r.status === "error") setError(r.message);
        else onDone();
      } catch {
        setError("Something went wrong on our side. Try again.");
      }
    });

  if (!stepUpId)
    return (
      <StepUp
        methods={methods}
        onVerified={setStepUpId}
        intro={
          methods.totp
            ? "Confirm your current password, then a code from your authenticator app."
            : `Confirm your current password. We then send a code to your number ending in ${methods.smsLast4 ?? ""}.`
        }
      />
    );

  return (
    <div className="space-y-5">
      {error && <Alert tone="error">{error}</Alert>}
      <p className="text-sm text-gray-600">
        Sign-in will ask only for your password. Your sign-in methods and backup codes are deleted, and your other sessions are signed out.
      </p>
      <div className="flex justify-end">
        <Button type="button" variant="danger" pending={pending} onClick={turnOff}>
          Turn off
        </Button>
      </div>
    </div>
  );
}
