"use client";
import { createContext, useContext, useMemo, useState } from "react";
import { CodeField } from "@/components/mfa/code-field";
import { form } from "@/components/mfa/form-data";
import { ResendButton } from "@/components/mfa/resend-button";
import { useStepRunner } from "@/components/mfa/use-step-runner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { checkReenrolCodeAction, redeemAccessCodeAction, sendReenrolCodeAction } from "../../reenrol-actions";

/**
 * After an admin's reset, the enrolment dialogs ask for one more proof between the password and the new
 * method (lib/mfa/reenrol.ts): a code emailed to the account's address, or the temporary access code the admin
 * passed on. The page says which (from the user's row); the server checks it again at every step.
 */
type Need = { proof: "email" | "access_code"; email: string };
type Reenrol = Need & { proven: boolean; markProven: () => void };

const ReenrolContext = createContext<Reenrol | null>(null);

export function ReenrolProofProvider({ need, children }: { need: Need | null; children: React.ReactNode }) {
  const [proven, setProven] = useState(false);
  const value = useMemo(() => (need ? { ...need, proven, markProven: () => setProven(true) } : null), [need, proven]);
  return <ReenrolContext.Provider value={value}>{children}</ReenrolContext.Provider>;
}

/** Whether the enrolment must show the proof step now (a reset asked for it and this page has not seen it proven). */
export function useReenrolProofNeeded(): boolean {
  const reenrol = useContext(ReenrolContext);
  return Boolean(reenrol && !reenrol.proven);
}

/** The proof step itself; `onProven` continues the enrolment. */
export function ReenrolProofStep({ onProven }: { onProven: () => void }) {
  const reenrol = useContext(ReenrolContext);
  if (!reenrol) return null;
  const done = () => {
    reenrol.markProven();
    onProven();
  };
  return reenrol.proof === "email" ? <EmailProof email={reenrol.email} onProven={done} /> : <AccessCodeProof onProven={done} />;
}

function EmailProof({ email, onProven }: { email: string; onProven: () => void }) {
  const t = useTranslations("reenrolProof");
  const { pending, run, error, fieldError, notice, setNotice } = useStepRunner();
  const [challengeId, setChallengeId] = useState<string | null>(null);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const [code, setCode] = useState("");

  const send = (again: boolean) =>
    run(sendReenrolCodeAction, (r) => {
      if (r.status !== "sent") return;
      setChallengeId(r.challengeId);
      setResendAt(Date.now() + r.resendInMs);
      setCode("");
      if (again) setNotice(t("resent"));
    });

  const verify = (e: React.FormEvent) => {
    e.preventDefault();
    if (challengeId) run(() => checkReenrolCodeAction(form({ challengeId, code })), (r) => r.status === "proven" && onProven());
  };

  return (
    <div className="space-y-5">
      {error && !error.field && <Alert tone="error">{error.message}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {!challengeId ? (
        <>
          <div className="space-y-2 text-sm text-gray-600">
            <p>{t.rich("emailIntro", { strong: (chunks) => <span className="font-semibold text-gray-900">{chunks}</span> })}</p>
            <p>{t.rich("willEmail", { email, address: (chunks) => <span className="font-medium text-gray-900">{chunks}</span> })}</p>
          </div>
          <div className="flex justify-end">
            <Button type="button" onClick={() => send(false)} pending={pending}>
              {t("send")}
            </Button>
          </div>
        </>
      ) : (
        <form onSubmit={verify} className="space-y-5" noValidate>
          <p className="text-sm text-gray-600">
            {t.rich("emailed", { email, address: (chunks) => <span className="font-medium text-gray-900">{chunks}</span> })}
          </p>
          <CodeField label={t("emailCode")} value={code} onChange={setCode} error={fieldError("code")} autoFocus />
          <div className="flex flex-wrap items-center justify-between gap-3">
            <ResendButton availableAt={resendAt} onResend={() => send(true)} pending={pending} />
            <Button type="submit" pending={pending}>
              {t("verify")}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}

function AccessCodeProof({ onProven }: { onProven: () => void }) {
  const t = useTranslations("reenrolProof");
  const { pending, run, error, fieldError } = useStepRunner();
  const [code, setCode] = useState("");
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    run(() => redeemAccessCodeAction(form({ code })), (r) => r.status === "proven" && onProven());
  };
  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      {error && !error.field && <Alert tone="error">{error.message}</Alert>}
      <p className="text-sm text-gray-600">
        {t.rich("accessIntro", { strong: (chunks) => <span className="font-semibold text-gray-900">{chunks}</span> })}
      </p>
      <Field
        label={t("accessCode")}
        name="code"
        value={code}
        onChange={(e) => setCode(e.target.value.slice(0, 64))}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        placeholder="XXXX-XXXX-XXXX-XXXX"
        className="[&_input]:font-mono [&_input]:tracking-wider [&_input]:uppercase"
        error={fieldError("code")}
        autoFocus
        required
      />
      <div className="flex justify-end">
        <Button type="submit" pending={pending}>
          {t("verify")}
        </Button>
      </div>
    </form>
  );
}
