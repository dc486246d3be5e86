"use client";
import { useState, useTransition } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { BackupCodesReveal } from "@/components/mfa/backup-codes";
import { form } from "@/components/mfa/form-data";
import { Alert } from "@/components/ui/alert";
import { useTranslations } from "next-intl";
import { type MethodResult, regenerateBackupCodesAction, removeMethodAction } from "../methods-actions";
import { SmsRegistration } from "./mfa/sms-registration";

/** Runs the change right after the step-up; a refusal is shown above a fresh step-up. */
function useChange(onDone: (message: string, codes: string[] | null) => void) {
  const tc = useTranslations("common");
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const run = (action: () => Promise<MethodResult>) =>
    startTransition(async () => {
      setError(null);
      try {
        const r = await action();
        if (r.status === "done") onDone(r.message, r.backupCodes);
        else {
          setError(r.status === "error" ? r.message : tc("somethingWrong"));
          setAttempt((n) => n + 1);
        }
      } catch {
        setError(tc("somethingWrong"));
        setAttempt((n) => n + 1);
      }
    });
  return { pending, error, attempt, run };
}

/** Removing the authenticator app or the number. The last method turns MFA off, and the dialog says so first. */
export function RemoveMethod({
  kind,
  methods,
  last,
  onDone,
}: {
  kind: "totp" | "sms";
  methods: ProofMethods;
  last: boolean;
  onDone: (message: string) => void;
}) {
  const t = useTranslations("methodDialogs");
  const { pending, error, attempt, run } = useChange((message) => onDone(message));
  return (
    <div className="space-y-4">
      {error && <Alert tone="error">{error}</Alert>}
      {last && (
        <Alert tone="warning">{t("onlyMethod")}</Alert>
      )}
      <StepUp
        key={attempt}
        methods={methods}
        busy={pending}
        intro={kind === "totp" ? t("removeTotp") : t("removeSms", { last4: methods.smsLast4 ?? "" })}
        onVerified={(stepUpChallengeId) => run(() => removeMethodAction(form({ kind, stepUpChallengeId })))}
      />
    </div>
  );
}

/** A new set of backup codes: the old ones stop working. Password and a current factor first. */
export function RegenerateBackupCodes({ methods, onDone }: { methods: ProofMethods; onDone: (message: string) => void }) {
  const t = useTranslations("methodDialogs");
  const [codes, setCodes] = useState<{ message: string; codes: string[] } | null>(null);
  const { pending, error, attempt, run } = useChange((message, backupCodes) =>
    backupCodes ? setCodes({ message, codes: backupCodes }) : onDone(message),
  );
  if (codes)
    return (
      <div className="space-y-4">
        <Alert tone="success">{codes.message}</Alert>
        <BackupCodesReveal codes={codes.codes} onDone={() => onDone(codes.message)} />
      </div>
    );
  return (
    <div className="space-y-4">
      {error && <Alert tone="error">{error}</Alert>}
      <StepUp
        key={attempt}
        methods={methods}
        busy={pending}
        intro={t("regenerate")}
        onVerified={(stepUpChallengeId) => run(() => regenerateBackupCodesAction(form({ stepUpChallengeId })))}
      />
    </div>
  );
}

/** Adding a phone number beside an authenticator app: a current factor first, then the usual registration from the number on. */
export function AddPhone({ methods, onDone }: { methods: ProofMethods; onDone: (message: string) => void }) {
  const t = useTranslations("methodDialogs");
  const [stepUpId, setStepUpId] = useState<string | null>(null);
  if (stepUpId) return <SmsRegistration mode="register" stepUpChallengeId={stepUpId} onSaved={() => onDone(t("phoneAdded"))} />;
  return (
    <StepUp
      methods={methods}
      onVerified={(id) => id && setStepUpId(id)}
      intro={t("addPhone")}
    />
  );
}
