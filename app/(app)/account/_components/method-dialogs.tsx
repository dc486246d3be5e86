"use client";
import { useState, useTransition } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { BackupCodesReveal } from "@/components/mfa/backup-codes";
import { form } from "@/components/mfa/form-data";
import { Alert } from "@/components/ui/alert";
import { type MethodResult, regenerateBackupCodesAction, removeMethodAction } from "../methods-actions";
import { SmsRegistration } from "./mfa/sms-registration";

/** Runs the change right after the step-up; a refusal is shown above a fresh step-up. */
function useChange(onDone: (message: string, codes: string[] | null) => void) {
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
          setError(r.status === "error" ? r.message : "Something went wrong on our side. Try again.");
          setAttempt((n) => n + 1);
        }
      } catch {
        setError("Something went wrong on our side. Try again.");
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
  const { pending, error, attempt, run } = useChange((message) => onDone(message));
  const what = kind === "totp" ? "your authenticator app" : `your number ending in ${methods.smsLast4 ?? ""}`;
  return (
    <div className="space-y-4">
      {error && <Alert tone="error">{error}</Alert>}
      {last && (
        <Alert tone="warning">
          This is your only sign-in method. Removing it turns multi-factor authentication off and deletes your backup codes.
        </Alert>
      )}
      <StepUp
        key={attempt}
        methods={methods}
        busy={pending}
        intro={`To remove ${what}, confirm your current password and then a code from one of your methods. Your other sessions will be signed out.`}
        onVerified={(stepUpChallengeId) => run(() => removeMethodAction(form({ kind, stepUpChallengeId })))}
      />
    </div>
  );
}

/** A new set of backup codes: the old ones stop working. Password and a current factor first. */
export function RegenerateBackupCodes({ methods, onDone }: { methods: ProofMethods; onDone: (message: string) => void }) {
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
        intro="New codes replace all your current backup codes, used or not. Confirm your current password, then a code from one of your methods."
        onVerified={(stepUpChallengeId) => run(() => regenerateBackupCodesAction(form({ stepUpChallengeId })))}
      />
    </div>
  );
}

/** Adding a phone number beside an authenticator app: a current factor first, then the usual registration from the number on. */
export function AddPhone({ methods, onDone }: { methods: ProofMethods; onDone: (message: string) => void }) {
  const [stepUpId, setStepUpId] = useState<string | null>(null);
  if (stepUpId)
    return <SmsRegistration mode="register" stepUpChallengeId={stepUpId} onSaved={() => onDone("Your phone number is added. Other sessions were signed out.")} />;
  return (
    <StepUp
      methods={methods}
      onVerified={(id) => id && setStepUpId(id)}
      intro="Text messages are a backup to your authenticator app. Confirm your current password, then a code from your authenticator app."
    />
  );
}
