"use client";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { MethodSummary } from "@/lib/mfa/factor";
import { BackupCodeField } from "./backup-code-field";
import { CodeField } from "./code-field";
import { ConfirmPasswordStep } from "./confirm-password-step";
import { form } from "./form-data";
import { OtherMethods } from "./other-methods";
import { signWithPasskey } from "./passkey-ceremony";
import { ResendButton } from "./resend-button";
import { type StepOutcome, useStepRunner } from "./use-step-runner";
import { useTranslations } from "next-intl";

/** The factors a user can prove themselves with (what may leave the server about them). */
export type ProofMethods = MethodSummary;

/** What the step-up's server actions answer, as far as the dialog reads it. */
export type StepUpAnswer = StepOutcome & { challengeId?: string; resendInMs?: number };
/** A passkey prompt's options (navigator.credentials.get), from the server. */
export type PasskeyPromptAnswer = StepOutcome & { options?: PublicKeyCredentialRequestOptionsJSON };

/**
 * The server actions of a step-up, passed in by the route (components/ imports nothing from app/): the
 * password, opening a step-up for the app or a backup code, texting a code, sending it again, checking it.
 */
export interface StepUpActions {
  confirmPassword: (data: FormData) => Promise<StepOutcome>;
  start: (data: FormData) => Promise<StepUpAnswer>;
  sendCode: () => Promise<StepUpAnswer>;
  resend: (data: FormData) => Promise<StepUpAnswer>;
  check: (data: FormData) => Promise<StepUpAnswer>;
  /** A fresh WebAuthn challenge on the open step-up, for the browser's passkey prompt. */
  passkeyPrompt: (data: FormData) => Promise<PasskeyPromptAnswer>;
}
type Method = "passkey" | "totp" | "sms" | "backup";

function available(methods: ProofMethods): Method[] {
  const list: Method[] = [];
  if (methods.passkeys > 0) list.push("passkey");
  if (methods.totp) list.push("totp");
  if (methods.smsLast4) list.push("sms");
  if (methods.backupCodesLeft > 0) list.push("backup");
  return list;
}

export type StepUpProps = {
  actions: StepUpActions;
  /** What is about to happen, above the password field. */
  intro: React.ReactNode;
  methods: ProofMethods | null;
  /** Called with the verified step-up (null when the user has no factor yet); the caller's change consumes it. */
  onVerified: (stepUpChallengeId: string | null) => void;
  /** The caller's change is running. */
  busy?: boolean;
};

/**
 * Confirms it is really the user before a change to how they sign in (ASVS 5.0 7.5.1): the current
 * password, then a current factor, strongest first: a passkey, the authenticator app, a text message
 * (sent only when chosen), or a backup code.
 */
export function StepUp({ actions, intro, methods, onVerified, busy = false }: StepUpProps) {
  const t = useTranslations("stepUp");
  const [step, setStep] = useState<"password" | "factor">("password");
  const [method, setMethod] = useState<Method | null>(null);
  const { pending, run, error, fieldError, notice, setNotice } = useStepRunner();
  const [code, setCode] = useState("");
  const [challengeId, setChallengeId] = useState<string | null>(null);
  const [resendAt, setResendAt] = useState<number | null>(null);

  const open = (next: Method) => {
    setMethod(next);
    setCode("");
    setChallengeId(null);
    setStep("factor");
    if (next === "sms")
      run(actions.sendCode, (r) => {
        if (r.status !== "sent" || !r.challengeId) return;
        setChallengeId(r.challengeId);
        setResendAt(Date.now() + (r.resendInMs ?? 0));
      });
    else run(() => actions.start(form({ method: next })), (r) => r.status === "opened" && r.challengeId && setChallengeId(r.challengeId));
  };

  const afterPassword = () => {
    const first = methods ? available(methods)[0] : undefined;
    if (!first) onVerified(null);
    else open(first);
  };

  // The browser's prompt needs a click (user activation), so the passkey has its own button.
  const provePasskey = () => {
    if (!challengeId) return;
    run(
      async (): Promise<StepUpAnswer> => {
        const prompt = await actions.passkeyPrompt(form({ challengeId }));
        if (prompt.status !== "prompt" || !prompt.options) return { status: "error", message: prompt.message };
        const answer = await signWithPasskey(prompt.options);
        if (!answer.ok) return { status: "error", message: answer.message };
        return actions.check(form({ challengeId, method: "passkey", code: answer.response }));
      },
      (r) => r.status === "verified" && onVerified(challengeId),
    );
  };

  const submitCode = (e: React.FormEvent) => {
    e.preventDefault();
    if (method === "passkey") return provePasskey();
    if (!challengeId || !method) return;
    run(
      () => actions.check(form({ challengeId, method, code })),
      (r) => r.status === "verified" && onVerified(challengeId),
    );
  };

  const resend = () =>
    run(
      () => actions.resend(form({ challengeId })),
      (r) => {
        if (r.status !== "sent") return;
        setResendAt(Date.now() + (r.resendInMs ?? 0));
        setCode("");
        setNotice(t("resent"));
      },
    );

  const others = methods && method ? available(methods).filter((m) => m !== method) : [];
  const last4 = methods?.smsLast4 ?? "";

  return (
    <div className="space-y-5">
      {error && !error.field && <Alert tone="error">{error.message}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {step === "password" ? (
        <ConfirmPasswordStep
          confirm={actions.confirmPassword}
          intro={<div className="text-sm text-gray-600">{intro}</div>}
          run={run}
          error={fieldError("password")}
          pending={pending || busy}
          onConfirmed={afterPassword}
        />
      ) : (
        <form onSubmit={submitCode} className="space-y-5" noValidate>
          <p className="text-sm text-gray-600">
            {method === "passkey" && t("intro.passkey")}
            {method === "totp" && t("intro.totp")}
            {method === "sms" && t.rich("intro.sms", { last4, digits: (chunks) => <span className="font-medium text-gray-900">{chunks}</span> })}
            {method === "backup" && t("intro.backup", { count: methods?.backupCodesLeft ?? 0 })}
          </p>
          {method === "passkey" ? null : method === "backup" ? (
            <BackupCodeField key="backup" value={code} onChange={setCode} error={fieldError("code")} />
          ) : (
            <CodeField
              key={method ?? "code"}
              label={method === "totp" ? t("authenticatorCode") : t("verificationCode")}
              value={code}
              onChange={setCode}
              error={fieldError("code")}
              autoFocus
            />
          )}
          <div className="flex flex-wrap items-center justify-between gap-3">
            {method === "sms" ? <ResendButton availableAt={resendAt} onResend={resend} pending={pending} /> : <span />}
            <Button type="submit" pending={pending || busy} disabled={!challengeId}>
              {method === "passkey" ? t("usePasskey") : t("verify")}
            </Button>
          </div>
          <OtherMethods
            methods={others}
            last4={last4}
            heading="h3"
            className="border-t border-gray-100 pt-4"
            choice={(m, label) => (
              <button
                type="button"
                onClick={() => open(m)}
                disabled={pending}
                className="rounded text-sm text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:text-gray-400"
              >
                {label}
              </button>
            )}
          />
        </form>
      )}
    </div>
  );
}
