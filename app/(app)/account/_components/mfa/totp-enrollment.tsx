"use client";
import { useState } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { BackupCodesReveal } from "@/components/mfa/backup-codes";
import { CodeField } from "@/components/mfa/code-field";
import { form } from "@/components/mfa/form-data";
import { useStepRunner } from "@/components/mfa/use-step-runner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { beginTotpEnrollmentAction, confirmTotpEnrollmentAction, type MethodResult } from "../../methods-actions";
import { ReenrolProofStep, useReenrolProofNeeded } from "./reenrol-proof";

type Enrolling = Extract<MethodResult, { status: "enrolling" }>;

/** The key in groups of four, as authenticator apps show and accept it. */
const grouped = (key: string) => key.match(/.{1,4}/g)?.join(" ") ?? key;

type Props = {
  /** The user's current factors (null: none yet, this will be the first). */
  methods: ProofMethods | null;
  replacing?: boolean;
  /** After the factor is active (and any new backup codes were saved). */
  onDone: (message: string) => void;
};

/**
 * Adding or replacing an authenticator app: password (and a current factor) → scan the QR code or type
 * the key → a code from the app makes it active → on a first factor, the backup codes, once.
 */
export function TotpEnrollment({ methods, replacing = false, onDone }: Props) {
  const t = useTranslations("totpEnrollment");
  const [stage, setStage] = useState<"prove" | "reenrol" | "scan" | "codes">("prove");
  // After an admin's reset the password alone is not enough: the email (or access code) proof comes next.
  const proofNeeded = useReenrolProofNeeded();
  const [attempt, setAttempt] = useState(0);
  const { pending, run, error, setError, fieldError } = useStepRunner();
  const [enrolling, setEnrolling] = useState<Enrolling | null>(null);
  const [code, setCode] = useState("");
  const [copied, setCopied] = useState<string | null>(null);
  const [result, setResult] = useState<{ message: string; codes: string[] } | null>(null);

  const begin = (stepUpChallengeId: string | null) =>
    run(
      () => beginTotpEnrollmentAction(form({ stepUpChallengeId })),
      (r) => {
        if (r.status !== "enrolling") return;
        setEnrolling(r);
        setCode("");
        setStage("scan");
      },
    );

  const confirm = (e: React.FormEvent) => {
    e.preventDefault();
    if (!enrolling) return;
    run(
      () => confirmTotpEnrollmentAction(form({ challengeId: enrolling.challengeId, code })),
      (r) => {
        if (r.status !== "done") return;
        setEnrolling(null);
        if (r.backupCodes) {
          setResult({ message: r.message, codes: r.backupCodes });
          setStage("codes");
        } else onDone(r.message);
      },
    );
  };

  const copyKey = async () => {
    if (!enrolling) return;
    try {
      await navigator.clipboard.writeText(enrolling.key);
      setCopied(t("copied"));
    } catch {
      setCopied(t("copyFailed"));
    }
  };

  const startAgain = () => {
    setEnrolling(null);
    setError(null);
    setStage("prove");
    setAttempt((n) => n + 1);
  };

  if (stage === "prove")
    return (
      <div className="space-y-4">
        {error && <Alert tone="error">{error.message}</Alert>}
        <StepUp
          key={attempt}
          methods={methods}
          busy={pending}
          onVerified={(id) => (proofNeeded ? setStage("reenrol") : begin(id))}
          intro={replacing ? t("introReplace") : t("introAdd")}
        />
      </div>
    );

  if (stage === "reenrol")
    return (
      <div className="space-y-4">
        {error && <Alert tone="error">{error.message}</Alert>}
        <ReenrolProofStep onProven={() => begin(null)} />
      </div>
    );

  if (stage === "codes" && result)
    return (
      <div className="space-y-4">
        <Alert tone="success">{result.message}</Alert>
        <BackupCodesReveal codes={result.codes} onDone={() => onDone(result.message)} />
      </div>
    );

  if (!enrolling) return null;
  return (
    <form onSubmit={confirm} className="space-y-5" noValidate>
      {error && !error.field && <Alert tone="error">{error.message}</Alert>}
      <div className="space-y-3">
        <p className="text-sm text-gray-700">
          <span className="font-semibold text-gray-900">1.</span> {t("scan")}
        </p>
        {/* A data: URL in an <img>: the SVG is never injected into the page (the CSP allows img-src data:). */}
        <img
          src={enrolling.qrDataUrl}
          alt={t("qrAlt")}
          width={176}
          height={176}
          className="mx-auto size-44 rounded-lg bg-white ring-1 ring-gray-200"
        />
        <div className="rounded-lg bg-gray-50 px-4 py-3 ring-1 ring-gray-200 ring-inset">
          <p className="text-xs text-gray-600">
            {t("cannotScan")}
          </p>
          <div className="mt-1.5 flex flex-wrap items-center justify-between gap-2">
            <code data-testid="totp-key" className="font-mono text-sm tracking-wide break-all text-gray-900">
              {grouped(enrolling.key)}
            </code>
            <Button type="button" variant="secondary" className="px-3 py-1.5" onClick={copyKey}>
              {t("copy")}
            </Button>
          </div>
          {copied && (
            <p className="mt-1.5 text-xs text-gray-600" role="status">
              {copied}
            </p>
          )}
        </div>
      </div>
      <div className="space-y-3">
        <p className="text-sm text-gray-700">
          <span className="font-semibold text-gray-900">2.</span> {t("enter")}
        </p>
        <CodeField label={t("code")} value={code} onChange={setCode} error={fieldError("code")} autoFocus />
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <button
          type="button"
          onClick={startAgain}
          className="rounded text-sm text-gray-600 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          {t("startAgain")}
        </button>
        <Button type="submit" pending={pending}>
          {t("verify")}
        </Button>
      </div>
    </form>
  );
}
