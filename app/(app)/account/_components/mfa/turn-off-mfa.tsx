"use client";
import { useState, useTransition } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { form } from "@/components/mfa/form-data";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { disableMfaAction } from "../../mfa-actions";

/** Turning MFA off: the current password, a code from a current factor, then an explicit "Turn off". */
export function TurnOffMfa({ methods, onDone }: { methods: ProofMethods; onDone: () => void }) {
  const t = useTranslations("turnOffMfa");
  const tc = useTranslations("common");
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
        setError(tc("somethingWrong"));
      }
    });

  if (!stepUpId)
    return (
      <StepUp
        methods={methods}
        onVerified={setStepUpId}
        intro={methods.totp ? t("introTotp") : t("introSms", { last4: methods.smsLast4 ?? "" })}
      />
    );

  return (
    <div className="space-y-5">
      {error && <Alert tone="error">{error}</Alert>}
      <p className="text-sm text-gray-600">
        {t("explain")}
      </p>
      <div className="flex justify-end">
        <Button type="button" variant="danger" pending={pending} onClick={turnOff}>
          {t("submit")}
        </Button>
      </div>
    </div>
  );
}
