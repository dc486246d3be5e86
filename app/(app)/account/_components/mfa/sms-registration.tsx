"use client";
import { useEffect, useRef, useState } from "react";
import { BackupCodesReveal } from "@/components/mfa/backup-codes";
import { CodeField, completeCode } from "@/components/mfa/code-field";
import { ConfirmPasswordStep } from "@/components/mfa/confirm-password-step";
import { form } from "@/components/mfa/form-data";
import { ResendButton } from "@/components/mfa/resend-button";
import { useStepRunner } from "@/components/mfa/use-step-runner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { PhoneInput } from "@/components/ui/phone-input";
import {
  checkCodeAction,
  confirmPasswordAction,
  resendCodeAction,
  saveEnrollmentAction,
  sendEnrollmentCodeAction,
  sendStepUpCodeAction,
  type StepResult,
} from "../../mfa-actions";
import { ReenrolProofStep, useReenrolProofNeeded } from "./reenrol-proof";
import { useTranslations } from "next-intl";

type Step = "password" | "proof" | "current" | "phone" | "verify";

const STEPS = ["password", "phone", "verify", "save"] as const;

function Stepper({ active }: { active: number }) {
  const t = useTranslations("smsRegistration");
  return (
    <ol className="mb-6 grid grid-cols-4 gap-2" aria-label={t("steps")}>
      {STEPS.map((s, i) => (
        <li key={s} aria-current={i === active ? "step" : undefined} className="flex flex-col gap-1.5">
          <span className={`h-1 rounded-full ${i <= active ? "bg-blue-600" : "bg-gray-200"}`} aria-hidden="true" />
          <span className={`text-xs hyphens-auto [overflow-wrap:anywhere] ${i === active ? "font-semibold text-gray-900" : i < active ? "text-gray-700" : "text-gray-500"}`}>
            <span className="sr-only">{t("step", { n: i + 1 })} </span>
            {t(`stepNames.${s}`)}
          </span>
        </li>
      ))}
    </ol>
  );
}

type Props = {
  /** "change" first proves the current number with a code, then registers the new one. */
  mode: "register" | "change";
  onSaved: (maskedPhone: string | null) => void;
  defaultCountry?: string;
  /** A step-up already verified with another factor (adding SMS beside an authenticator app): starts at the phone number. */
  stepUpChallengeId?: string;
};

/**
 * The registration the help article describes: Password → Phone number → Verification → Save.
 * Each step is checked again on the server; nothing is stored until Save.
 */
export function SmsRegistration({ mode, onSaved, defaultCountry, stepUpChallengeId }: Props) {
  const t = useTranslations("smsRegistration");
  const [step, setStep] = useState<Step>(stepUpChallengeId ? "phone" : "password");
  const { pending, run, error, setError, fieldError, notice, setNotice } = useStepRunner();
  const [code, setCode] = useState("");
  const [challengeId, setChallengeId] = useState<string | null>(null);
  const [stepUpId, setStepUpId] = useState<string | null>(stepUpChallengeId ?? null);
  const [saved, setSaved] = useState<{ maskedPhone: string | null; backupCodes: string[] } | null>(null);
  const [maskedPhone, setMaskedPhone] = useState("");
  const [resendAt, setResendAt] = useState<number | null>(null);
  const [verified, setVerified] = useState(false);
  const lastChecked = useRef<string | null>(null);
  const phoneForm = useRef<HTMLFormElement>(null);
  // After an admin's reset the password alone is not enough: the email (or access code) proof comes next.
  const proofNeeded = useReenrolProofNeeded();

  const afterSend = (r: StepResult, next: Step) => {
    if (r.status !== "sent") return;
    setCode("");
    setVerified(false);
    lastChecked.current = null;
    setResendAt(Date.now() + r.resendInMs);
    if (next === "current") setStepUpId(r.challengeId);
    else setChallengeId(r.challengeId);
    if (r.maskedPhone) setMaskedPhone(r.maskedPhone);
    setStep(next);
  };

  const afterPassword = () => {
    if (mode === "change") run(sendStepUpCodeAction, (r) => afterSend(r, "current"));
    else setStep(proofNeeded ? "proof" : "phone");
  };

  const submitPhone = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    if (stepUpId) fd.set("stepUpChallengeId", stepUpId);
    run(() => sendEnrollmentCodeAction(fd), (r) => afterSend(r, "verify"));
  };

  const currentChallenge = step === "current" ? stepUpId : challengeId;
  const purpose = step === "current" ? "step_up" : "enroll";

  const check = (value: string) => {
    const full = completeCode(value);
    if (!full || !currentChallenge || lastChecked.current === full) return;
    lastChecked.current = full;
    run(
      () => checkCodeAction(form({ challengeId: currentChallenge, purpose, code: value })),
      () => {
        if (step === "current") {
          setCode("");
          lastChecked.current = null;
          setStep("phone");
        } else setVerified(true);
      },
    );
  };

  const onCodeChange = (value: string) => {
    setCode(value);
    setVerified(false);
    if (completeCode(value)) check(value);
    else lastChecked.current = null;
  };

  const resend = () =>
    run(
      () => resendCodeAction(form({ challengeId: currentChallenge })),
      (r) => {
        if (r.status === "sent") {
          setResendAt(Date.now() + r.resendInMs);
          setCode("");
          setVerified(false);
          lastChecked.current = null;
          setNotice(t("resent"));
        }
      },
    );

  const save = () =>
    run(
      () => saveEnrollmentAction(form({ challengeId, stepUpChallengeId: stepUpId })),
      (r) => {
        if (r.status !== "saved") return;
        // A first factor comes with backup codes: shown once, here, before the dialog closes.
        if (r.backupCodes?.length) setSaved({ maskedPhone: r.maskedPhone, backupCodes: r.backupCodes });
        else onSaved(r.maskedPhone);
      },
    );

  useEffect(() => {
    if (step === "phone") phoneForm.current?.querySelector<HTMLInputElement>('input[type="tel"]')?.focus();
  }, [step]);

  const active = step === "password" || step === "proof" ? 0 : step === "phone" || step === "current" ? 1 : verified ? 3 : 2;
  const formError = error && !error.field ? <Alert tone="error" className="mb-4">{error.message}</Alert> : null;

  if (saved)
    return (
      <div className="space-y-4">
        <Alert tone="success">{t("registered", { last4: saved.maskedPhone?.replace(/^\D+/, "") ?? "" })}</Alert>
        <BackupCodesReveal codes={saved.backupCodes} onDone={() => onSaved(saved.maskedPhone)} />
      </div>
    );

  return (
    <div>
      <Stepper active={active} />
      {formError}
      {notice && (
        <Alert tone="success" className="mb-4">
          {notice}
        </Alert>
      )}

      {step === "password" && (
        <ConfirmPasswordStep
          confirm={confirmPasswordAction}
          intro={<p className="text-sm text-gray-600">{t("passwordIntro")}</p>}
          run={run}
          error={fieldError("password")}
          pending={pending}
          onConfirmed={afterPassword}
        />
      )}

      {step === "proof" && <ReenrolProofStep onProven={() => setStep("phone")} />}

      {step === "current" && (
        <div className="space-y-5">
          <p className="text-sm text-gray-600">
            {t("currentIntro")}
          </p>
          <CodeField value={code} onChange={onCodeChange} error={fieldError("code")} autoFocus disabled={pending} />
          <ResendButton availableAt={resendAt} onResend={resend} pending={pending} />
        </div>
      )}

      {step === "phone" && (
        <form ref={phoneForm} onSubmit={submitPhone} className="space-y-5" noValidate>
          <p className="text-sm text-gray-600">
            {t("phoneIntro")}
          </p>
          <PhoneInput name="phone" defaultCountry={defaultCountry} error={fieldError("phone")} />
          <div className="flex justify-end">
            <Button type="submit" pending={pending}>
              {t("sendCode")}
            </Button>
          </div>
        </form>
      )}

      {step === "verify" && (
        <div className="space-y-5">
          <p className="text-sm text-gray-600">
            {t.rich("verifyIntro", { last4: maskedPhone.replace(/^\D+/, ""), minutes: 10, digits: (chunks) => <span className="font-medium text-gray-900">{chunks}</span> })}
          </p>
          <CodeField
            value={code}
            onChange={onCodeChange}
            error={fieldError("code")}
            autoFocus
            hint={verified ? undefined : t("saveHint")}
          />
          {verified && (
            <p className="flex items-center gap-1.5 text-sm font-medium text-green-700" role="status">
              <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
                <path
                  fillRule="evenodd"
                  d="M16.7 5.3a1 1 0 0 1 0 1.4l-7.5 7.5a1 1 0 0 1-1.4 0L3.3 9.7a1 1 0 1 1 1.4-1.4l3.8 3.8 6.8-6.8a1 1 0 0 1 1.4 0Z"
                  clipRule="evenodd"
                />
              </svg>
              {t("confirmed")}
            </p>
          )}
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
              <ResendButton availableAt={resendAt} onResend={resend} pending={pending} />
              <button
                type="button"
                onClick={() => {
                  setStep("phone");
                  setError(null);
                }}
                className="rounded text-sm text-gray-600 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
              >
                {t("differentNumber")}
              </button>
            </div>
            <Button type="button" onClick={save} disabled={!verified} pending={pending && verified} className="ml-auto">
              {t("save")}
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
