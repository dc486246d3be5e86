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
import { cancelEmailChangeAction, requestEmailChangeAction } from "../email-actions";

// The step-up (and what it carries) loads when the dialog needs it, not with the page.
const StepUp = dynamic(() => import("@/app/(app)/_components/step-up").then((m) => m.StepUp), {
  loading: () => (
    <p className="flex items-center gap-2 text-sm text-gray-600">
      <Spinner /> Loading…
    </p>
  ),
});

type Props = {
  email: string;
  /** The address waiting for its link to be opened, if any. */
  pending: { email: string; expiresAt: string } | null;
  methods: ProofMethods;
  /** Whether the user has a factor: then the step-up asks for it after the password. */
  hasFactor: boolean;
};

const SOMETHING_WRONG = "Something went wrong on our side. Try again.";

/** The Email row of the Profile card: the address, "Change", and a change waiting for confirmation. */
export function EmailRow({ email, pending, methods, hasFactor }: Props) {
  const router = useRouter();
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
          aria-label="Change email address"
        >
          Change
        </Button>
      </div>
      {pending && (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-lg bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200 ring-inset" role="status">
          <span>
            Waiting for confirmation of <span className="font-medium break-all">{pending.email}</span>. Open the link we sent there.
          </span>
          <button
            type="button"
            disabled={cancelling}
            onClick={() => startCancel(async () => cancelEmailChangeAction())}
            className="rounded text-sm font-semibold text-amber-900 underline underline-offset-2 hover:text-amber-950 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:opacity-60"
          >
            {cancelling ? "Cancelling…" : "Cancel change"}
          </button>
        </div>
      )}
      <Dialog open={open} onClose={close} title="Change your email address">
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
        setStep({ at: step.at === "sent" ? "address" : step.at, error: SOMETHING_WRONG });
      }
    });

  if (step.at === "sent")
    return (
      <div className="space-y-4">
        <Alert tone="success">
          We sent a link to <span className="font-medium break-all">{step.email}</span>. Open it within 24 hours to confirm the new address.
        </Alert>
        <p className="text-sm text-gray-600">
          Until then you keep signing in with <span className="font-medium break-all text-gray-900">{current}</span>. Once it is confirmed, we
          tell this address about the change and sign out your other sessions.
        </p>
        <div className="flex justify-end">
          <Button onClick={onDone}>Done</Button>
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
              To change your email to <span className="font-medium break-all text-gray-900">{address}</span>, confirm your current password
              {hasFactor ? ", then a code from one of your methods." : "."}
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
          Use a different address
        </button>
      </div>
    );

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!address.trim()) return setStep({ at: "address", error: "Enter your new email address." });
        if (proof !== undefined) submit(proof);
        else setStep({ at: "prove" });
      }}
    >
      <p className="text-sm text-gray-600">
        You sign in with <span className="font-medium break-all text-gray-900">{current}</span>. We will send a link to the new address; the
        change happens when you open it.
      </p>
      <Field
        label="New email address"
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
          {proof !== undefined ? "Send link" : "Continue"}
        </Button>
      </div>
    </form>
  );
}
