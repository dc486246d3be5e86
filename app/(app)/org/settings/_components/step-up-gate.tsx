"use client";
import { createContext, useContext, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { Dialog } from "@/components/ui/dialog";
import { useTranslations } from "next-intl";

/**
 * The page side of "sudo mode" for admin changes to who can get in (lib/org/permissions.ts). The server
 * decides: the change is sent as it is, bad input is answered at its field first, and a refusal for want of
 * a fresh step-up (`stepUp`) opens the same step-up as My account; once it is proven, the change is sent
 * again as it was. The page never guesses freshness from a clock of its own.
 */

type Ask = { intro: string; resume: () => void };
type Gate = { methods: ProofMethods | null; windowMinutes: number; ask: (ask: Ask) => void };

const GateContext = createContext<Gate | null>(null);

function useGate(): Gate {
  const gate = useContext(GateContext);
  if (!gate) throw new Error("useStepUpForm needs a StepUpGate around it");
  return gate;
}

type GateProps = {
  /** How long a proof holds on the server. */
  windowMs: number;
  /** The admin's own factors; null when they have none (the password is the whole proof). */
  methods: ProofMethods | null;
  children: React.ReactNode;
};

/** Holds the page's step-up dialog, for forms that are not in a dialog already. */
export function StepUpGate({ windowMs, methods, children }: GateProps) {
  const t = useTranslations("orgSettings.stepUp");
  const [asking, setAsking] = useState<Ask | null>(null);
  const gate = useMemo<Gate>(() => ({ methods, windowMinutes: Math.round(windowMs / 60_000), ask: setAsking }), [methods, windowMs]);
  return (
    <GateContext.Provider value={gate}>
      {children}
      <Dialog open={asking !== null} onClose={() => setAsking(null)} title={t("title")}>
        {asking && (
          <StepUpProof
            intro={asking.intro}
            onVerified={() => {
              setAsking(null);
              asking.resume();
            }}
          />
        )}
      </Dialog>
    </GateContext.Provider>
  );
}

/** The step-up itself: in the page's dialog, or in place of a form that is in a dialog already. Focus starts in the password. */
function StepUpProof({ intro, onVerified }: { intro: string; onVerified: () => void }) {
  const gate = useGate();
  const t = useTranslations("orgSettings.stepUp");
  const box = useRef<HTMLDivElement>(null);
  // React's autoFocus runs before a dialog opens (see useInitialFocus), so wait a frame.
  useEffect(() => {
    const frame = requestAnimationFrame(() => box.current?.querySelector<HTMLInputElement>("input")?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);
  const factor = Boolean(gate.methods && (gate.methods.totp || gate.methods.smsLast4));
  return (
    <div ref={box}>
      <StepUp
        methods={gate.methods}
        intro={t(factor ? "introWithFactor" : "intro", { intro, minutes: gate.windowMinutes })}
        onVerified={onVerified}
      />
    </div>
  );
}

/**
 * A form behind the step-up. When the server refuses it for want of a fresh proof, the proof is asked for
 * (in the page's dialog, or `inline` in place of the form when the form is in a dialog already) and the form
 * is sent again. `intro` says what is about to happen.
 */
export function useStepUpForm(intro: string, state: { status: string; stepUp?: boolean }, { inline = false } = {}) {
  const gate = useGate();
  const ref = useRef<HTMLFormElement>(null);
  const [held, setHeld] = useState<Ask | null>(null);
  const [, renderAgain] = useReducer((n: number) => n + 1, 0);
  const latest = useRef({ intro, inline, ask: gate.ask });
  latest.current = { intro, inline, ask: gate.ask };
  useEffect(() => {
    if (state.status === "idle") return;
    // React resets a form after its action, and a select or a radio goes back to how it was first drawn;
    // rendering again puts the admin's choice back, so what the form shows is what it sends (again).
    renderAgain();
    if (state.status !== "error" || !state.stepUp) return;
    const resume = () => {
      if (ref.current?.isConnected) ref.current.requestSubmit();
    };
    const { intro: text, inline: here, ask } = latest.current;
    if (here) setHeld({ intro: text, resume });
    else ask({ intro: text, resume });
  }, [state]);
  const proof = held && (
    <StepUpProof
      intro={held.intro}
      onVerified={() => {
        setHeld(null);
        held.resume();
      }}
    />
  );
  return { form: { ref, hidden: held !== null }, proof };
}
