"use client";
import { type StepUpActions, StepUp as StepUpSteps, type StepUpProps } from "@/components/mfa/step-up";
import { checkStepUpAction, startStepUpAction } from "../account/methods-actions";
import { confirmPasswordAction, resendCodeAction, sendStepUpCodeAction } from "../account/mfa-actions";
import { stepUpPasskeyPromptAction } from "../account/passkey-actions";

export type { ProofMethods } from "@/components/mfa/step-up";

/** The user's own proof, whatever it is for: the same server actions behind My account and organisation settings. */
const STEP_UP_ACTIONS: StepUpActions = {
  confirmPassword: confirmPasswordAction,
  start: startStepUpAction,
  sendCode: sendStepUpCodeAction,
  resend: resendCodeAction,
  check: checkStepUpAction,
  passkeyPrompt: stepUpPasskeyPromptAction,
};

/** The step-up (current password, then a current factor) wired to this app's actions. */
export function StepUp(props: Omit<StepUpProps, "actions">) {
  return <StepUpSteps {...props} actions={STEP_UP_ACTIONS} />;
}
