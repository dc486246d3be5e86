"use client";
import { useActionState, useState } from "react";
import { CodeField } from "@/components/mfa/code-field";
import { useCountdown } from "@/components/mfa/use-countdown";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import type { LoginMethod } from "@/lib/mfa/methods";
import { SubmitButton } from "@/components/ui/button";
import { resendLoginCodeAction, verifyLoginCodeAction, type VerifyState } from "./actions";

type Props = { method: LoginMethod; challengeId: string; callbackUrl: string; resendAt: number; sendFailed: boolean };

export function VerifyForm({ method, challengeId, callbackUrl, resendAt, sendFailed }: Props) {
  const [state, verify] = useActionState(verifyLoginCodeAction, { status: "idle" } as VerifyState);
  const [resendState, resend] = useActionState(resendLoginCodeAction, { status: "idle" } as VerifyState);
  const [code, setCode] = useState("");
  const nextResend = resendState.status === "resent" || resendState.status === "resend_error" ? resendState.resendAt ?? 0 : resendAt;
  const seconds = useCountdown(nextResend);

  return (
    <div className="space-y-5">
      {sendFailed && resendState.status === "idle" && (
        <Alert tone="error">We could not send the code. Try again with Resend code.</Alert>
      )}
      {resendState.status === "resent" && <Alert tone="success">We sent a new code. The previous one no longer works.</Alert>}
      {resendState.status === "resend_error" && <Alert tone="error">{resendState.message}</Alert>}
      <form action={verify} className="space-y-5" noValidate>
        <input type="hidden" name="challengeId" value={challengeId} />
        <input type="hidden" name="callbackUrl" value={callbackUrl} />
        <input type="hidden" name="method" value={method} />
        {method === "backup" ? (
          <Field
            label="Backup code"
            name="code"
            value={code}
            onChange={(e) => setCode(e.target.value.slice(0, 64))}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder="xxxx-xxxx-xxxx-xxxx-xxxx-xxxx"
            className="[&_input]:font-mono"
            error={state.status === "error" ? state.message : null}
            autoFocus
          />
        ) : (
          <CodeField
            label={method === "totp" ? "Authenticator code" : "Verification code"}
            value={code}
            onChange={setCode}
            error={state.status === "error" ? state.message : null}
            autoFocus
          />
        )}
        <SubmitButton className="w-full" pendingLabel="Checking…">
          Verify
        </SubmitButton>
      </form>
      {method === "sms" && (
      <form action={resend} className="text-center">
        <input type="hidden" name="challengeId" value={challengeId} />
        {seconds > 0 ? (
          <p className="text-sm text-gray-500" aria-live="polite">
            You can ask for a new code in <span className="font-medium tabular-nums text-gray-700">{seconds} s</span>
          </p>
        ) : (
          <button type="submit" className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
            Resend code
          </button>
        )}
      </form>
      )}
    </div>
  );
}
