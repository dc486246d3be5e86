"use client";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { MfaMethodsSetting } from "@/lib/org/policy";
import { type OrgState, setMfaMethodsAction } from "../actions";
import { useStepUpForm } from "./step-up-gate";

const OPTIONS = [
  { value: "any", label: "Authenticator app or text message", hint: "Members choose, passkeys included. Text messages are the easiest to set up." },
  {
    value: "totp_only",
    label: "Authenticator app only",
    hint: "Stronger: text messages can be intercepted or redirected. Passkeys are allowed too. Members who use SMS are asked to add an app.",
  },
  {
    value: "passkey_only",
    label: "Passkeys and security keys only",
    hint: "Phishing-resistant: a fake site cannot reuse what a passkey signs. Members without one are asked to add one; backup codes still work for recovery.",
  },
] as const;

/** The organisation's allowed methods; changing them needs the admin's fresh step-up. */
export function MfaMethodsForm({ methods }: { methods: MfaMethodsSetting }) {
  const [state, action] = useActionState(setMfaMethodsAction, { status: "idle" } as OrgState);
  const [choice, setChoice] = useState<string>(methods);
  const stepUp = useStepUpForm("You are about to change which sign-in methods members may use.", state);
  const error = state.status === "error" ? (state.fieldErrors?.methods ?? state.message) : null;
  return (
    <form action={action} {...stepUp.form} className="space-y-4 rounded-lg bg-gray-50 px-4 py-4 ring-1 ring-gray-200 ring-inset" noValidate>
      <fieldset>
        <legend className="text-sm font-medium text-gray-900">Allowed methods</legend>
        <div className="mt-3 space-y-3">
          {OPTIONS.map((o) => (
            <label key={o.value} className="flex cursor-pointer items-start gap-3">
              <input
                type="radio"
                name="methods"
                value={o.value}
                checked={choice === o.value}
                onChange={() => setChoice(o.value)}
                className="mt-0.5 size-4 accent-blue-600"
              />
              <span>
                <span className="block text-sm text-gray-900">{o.label}</span>
                <span className="block text-xs text-gray-600">{o.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {state.status === "success" && <Alert tone="success">{state.message}</Alert>}
      {error && <Alert tone={state.status === "error" && state.stepUp ? "info" : "error"}>{error}</Alert>}
      {choice !== methods && (
        <div className="flex justify-end">
          <SubmitButton pendingLabel="Saving…">Save methods</SubmitButton>
        </div>
      )}
    </form>
  );
}
