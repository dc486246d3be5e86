"use client";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ProofMethods } from "@/app/(app)/_components/step-up";
import { form } from "@/components/mfa/form-data";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { cancelEmailChangeAction, requestEmailChangeAction } from "../email-actions";

// The step-up (and what it carries) loads when the dialog needs it, not with the page.
function Loading() {
  const t = useTranslations("common");
  return (
    <p className="flex items-center gap-2 text-sm text-gray-600">
      <Spinner /> {t("loading")}
    </p>
  );
}
const StepUp = dynamic(() => import("@/app/(app)/_components/step-up").then((m) => m.StepUp), { loading: () => <Loading /> });

type Props = {
  email: string;
  /** The address waiting for its link to be opened, if any. */
  pending: { email: string; expiresAt: string } | null;
  methods: ProofMethods;
  /** Whether the user has a factor: then the step-up asks for it after the password. */
  hasFactor: boolean;
};

/** The Email row of the Profile card: the address, "Change", and a change waiting for confirmation. */
export function EmailRow({ email, pending, methods, hasFactor }: Props) {
  const router = useRouter();
  const t = useTranslations("emailChange");
  const [open, setOpen] = useState(false);
  const [round, setRound] = useState(0);
  const [cancelling, startCancel] = useTransition();
  const close = () => {
    setOpen(false);
    router.refresh();
  };
  return (
    <div className="space-y-3">
      {/* The button is taller than a line of text: pulled into the row's padding, so the address lines up with its label. */}
      <div className="-my-1.5 flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <span className="break-all">{email}</span>
        <Button
          variant="secondary"
          className="px-3 py-1.5"
          onClick={() => {
            setRound((n) => n + 1);
            setOpen(true);
          }}
          aria-label={t("changeLabel")}
        >
          {t("change")}
        </Button>
      </div>
      {pending && (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-lg bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200 ring-inset" role="status">
          <span>
            {t.rich("waiting", { email: pending.email, address: (chunks) => <span className="font-medium break-all">{chunks}</span> })}
          </span>
          <button
            type="button"
            disabled={cancelling}
            onClick={() => startCancel(async () => cancelEmailChangeAction())}
            className="rounded text-sm font-semibold text-amber-900 underline underline-offset-2 hover:text-amber-950 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:opacity-60"
          >
            {cancelling ? t("cancelling") : t("cancel")}
          </button>
        </div>
      )}
      <Dialog open={open} onClose={close} title={t("title")}>
        <ChangeEmail key={round} current={email} methods={methods} hasFactor={hasFactor} onDone={close} />
      </Dialog>
    </div>
  );
}

type Step = { at: "address"; error?: string | null } | { at: "prove"; error?: string | null } | { at: "sent"; email: string };

/**
 * The new address, then the step-up (password, then a factor when the user has one), then the request. A
 * refused address keeps the step-up (nothing was spent) so only the address is asked again.
 */
function ChangeEmail({ current, methods, hasFactor, onDone }: { current: string; methods: ProofMethods; hasFactor: boolean; onDone: () => void }) {
  const t = useTranslations("emailChange");
  const tc = useTranslations("common");
  const [step, setStep] = useState<Step>({ at: "address" });
  const [address, setAddress] = useState("");
  // undefined: not proven yet; null: proven by the password alone (no factor); a string: the verified step-up.
  const [proof, setProof] = useState<string | null | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const [pending, startTransition] = useTransition();

  const submit = (stepUpChallengeId: string | null) =>
    startTransition(async () => {
      try {
        const r = await requestEmailChangeAction(form({ email: address, stepUpChallengeId }));
        if (r.status === "sent") setStep({ at: "sent", email: r.email });
        else if (r.stepUp) {
          setProof(undefined);
          setAttempt((n) => n + 1);
          setStep({ at: "prove", error: r.message });
        } else setStep({ at: "address", error: r.message });
      } catch {
        setStep({ at: step.at === "sent" ? "address" : step.at, error: tc("somethingWrong") });
      }
    });

  if (step.at === "sent")
    return (
      <div className="space-y-4">
        <Alert tone="success">
          {t.rich("sent", { email: step.email, address: (chunks) => <span className="font-medium break-all">{chunks}</span> })}
        </Alert>
        <p className="text-sm text-gray-600">
          {t.rich("until", { email: current, address: (chunks) => <span className="font-medium break-all text-gray-900">{chunks}</span> })}
        </p>
        <div className="flex justify-end">
          <Button onClick={onDone}>{t("done")}</Button>
        </div>
      </div>
    );

  if (step.at === "prove")
    return (
      <div className="space-y-4">
        {step.error && <Alert tone="error">{step.error}</Alert>}
        <StepUp
          key={attempt}
          methods={hasFactor ? methods : null}
          busy={pending}
          intro={
            <>
              {t.rich(hasFactor ? "proveWithFactor" : "prove", {
                email: address,
                address: (chunks) => <span className="font-medium break-all text-gray-900">{chunks}</span>,
              })}
            </>
          }
          onVerified={(id) => {
            setProof(id);
            submit(id);
          }}
        />
        <button
          type="button"
          onClick={() => setStep({ at: "address" })}
          className="rounded text-sm text-gray-600 underline-offset-2 hover:text-gray-900 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          {t("different")}
        </button>
      </div>
    );

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!address.trim()) return setStep({ at: "address", error: t("empty") });
        if (proof !== undefined) submit(proof);
        else setStep({ at: "prove" });
      }}
    >
      <p className="text-sm text-gray-600">
        {t.rich("intro", { email: current, address: (chunks) => <span className="font-medium break-all text-gray-900">{chunks}</span> })}
      </p>
      <Field
        label={t("new")}
        name="email"
        type="email"
        autoComplete="email"
        maxLength={254}
        value={address}
        onChange={(e) => setAddress(e.target.value)}
        error={step.error}
        autoFocus
      />
      <div className="flex justify-end">
        <Button type="submit" pending={pending}>
          {proof !== undefined ? t("send") : tc("continue")}
        </Button>
      </div>
    </form>
  );
}
