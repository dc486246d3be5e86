"use client";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
import { type OrgState, setMfaRequirementAction } from "../actions";
import { CoverageBar } from "./coverage-bar";
import { MfaMethodsForm } from "./mfa-methods-form";
import { useStepUpForm } from "./step-up-gate";
import { useInitialFocus } from "./use-initial-focus";

type Person = { userId: string; name: string; email: string; isYou: boolean };
type Props = {
  required: boolean;
  requiredSince: string | null;
  methods: "any" | "totp_only";
  coverage: { enabled: number; total: number };
  withoutMfa: Person[];
};

const REQUIRE_SWITCH_LABEL = "Require multi-factor authentication for all users";

export function MfaPolicyCard({ required, requiredSince, methods, coverage, withoutMfa }: Props) {
  const [dialog, setDialog] = useState<null | "on" | "off">(null);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Card>
      <CardHeader
        title="Multi-factor authentication"
        description="A second step after the password, with a code from the member's phone, so a stolen password alone is not enough."
      />
      <div className="space-y-5 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        <CoverageBar enabled={coverage.enabled} total={coverage.total} />
        <div className="rounded-lg bg-gray-50 px-4 py-4 ring-1 ring-gray-200 ring-inset">
          <Switch
            id="require-mfa"
            label={REQUIRE_SWITCH_LABEL}
            checked={required}
            describedBy="require-mfa-help"
            onChange={(next) => {
              setMessage(null);
              setDialog(next ? "on" : "off");
            }}
          />
          <p id="require-mfa-help" className="mt-2 text-sm text-gray-600">
            {required
              ? `Required${requiredSince ? ` since ${new Date(requiredSince).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })}` : ""}. Members without it are sent to set it up before they can do anything else.`
              : "When on, members without it must register a phone before they can continue, from their next page on."}
          </p>
        </div>
        <MfaMethodsForm methods={methods} />
      </div>
      <Dialog
        open={dialog !== null}
        onClose={() => setDialog(null)}
        title={dialog === "off" ? "Stop requiring multi-factor authentication?" : "Require multi-factor authentication?"}
      >
        {dialog && (
          <RequirementForm
            turnOn={dialog === "on"}
            withoutMfa={withoutMfa}
            onCancel={() => setDialog(null)}
            onDone={(text) => {
              setDialog(null);
              setMessage(text);
            }}
          />
        )}
      </Dialog>
    </Card>
  );
}

function RequirementForm({
  turnOn,
  withoutMfa,
  onCancel,
  onDone,
}: {
  turnOn: boolean;
  withoutMfa: Person[];
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const [state, action] = useActionState(setMfaRequirementAction, { status: "idle" } as OrgState);
  const error = state.status === "error" && !state.stepUp ? (state.fieldErrors?.required ?? state.message) : null;
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    if (state.status === "success") done.current(state.message);
  }, [state]);
  const stepUp = useStepUpForm(
    turnOn ? "You are about to require multi-factor authentication for everyone." : "You are about to stop requiring multi-factor authentication.",
    state,
    { inline: true },
  );
  const youToo = withoutMfa.some((p) => p.isYou);
  // Turning it off is the weaker choice, so Cancel has focus first there; turning it on, the confirmation.
  useInitialFocus(turnOn ? "require-mfa-confirm" : "require-mfa-cancel");
  return (
    <>
      {stepUp.proof}
      <form action={action} {...stepUp.form} className="space-y-5" noValidate>
        <input type="hidden" name="required" value={turnOn ? "on" : "off"} />
        {turnOn ? (
          withoutMfa.length === 0 ? (
            <p className="text-sm text-gray-700">Every member already uses multi-factor authentication, so nobody is interrupted.</p>
          ) : (
            <div className="space-y-3">
              <p className="text-sm text-gray-700" id="without-mfa-summary">
                <strong className="font-semibold text-gray-900">
                  {withoutMfa.length} {withoutMfa.length === 1 ? "member does" : "members do"} not use multi-factor authentication yet.
                </strong>{" "}
                From their next page on, they must register a phone before they can do anything else.
              </p>
              <ul aria-labelledby="without-mfa-summary" className="max-h-48 divide-y divide-gray-100 overflow-y-auto rounded-lg ring-1 ring-gray-200 ring-inset">
                {withoutMfa.map((p) => (
                  <li key={p.userId} className="px-3 py-2">
                    <p className="truncate text-sm font-medium text-gray-900">
                      {p.name}
                      {p.isYou && <span className="ml-1.5 font-normal text-gray-500">(you)</span>}
                    </p>
                    <p className="truncate text-xs text-gray-500">{p.email}</p>
                  </li>
                ))}
              </ul>
              {youToo && <Alert tone="warning">You do not use it yet either: you will set it up right after confirming.</Alert>}
            </div>
          )
        ) : (
          <p className="text-sm text-gray-700">
            Members keep the factors they set up, but new members and anyone who turns theirs off can sign in with a password alone.
          </p>
        )}
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button type="button" variant="secondary" onClick={onCancel} id="require-mfa-cancel">
            Cancel
          </Button>
          <SubmitButton id="require-mfa-confirm" variant={turnOn ? "primary" : "danger"} pendingLabel={turnOn ? "Turning on…" : "Turning off…"}>
            {turnOn ? "Require for everyone" : "Stop requiring"}
          </SubmitButton>
        </div>
      </form>
    </>
  );
}
