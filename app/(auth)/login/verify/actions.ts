"use server";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { pendingAction } from "@/lib/actions/client";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { listMethods, methodHolder } from "@/lib/mfa/methods";
import { passkeyPromptFor } from "@/lib/mfa/passkey/options";
import { methodAllowed, policyOf } from "@/lib/org/policy";
import { MFA_ERRORS } from "@/lib/mfa/errors";
import { resendAvailableAt, resendChallenge } from "@/lib/mfa/sms/delivery";
import { tooManySendsMessage } from "@/lib/mfa/words";
import { createSmsSender } from "@/lib/sms";

export type VerifyState =
  | { status: "idle" }
  | { status: "error"; message: string }
  | { status: "resent"; resendAt: number }
  | { status: "resend_error"; message: string; resendAt?: number };

/** A malformed challenge id is answered as a closed challenge by the domain, like an unknown one. */
const resendSchema = z.object({ challengeId: z.string().max(64).catch("") });
const chooseSmsSchema = z.object({ callbackUrl: z.unknown().transform((v) => safeCallbackUrl(v)) });

function verifyUrl(method: string, callbackUrl: string) {
  const params = new URLSearchParams({ method });
  if (callbackUrl !== "/") params.set("callbackUrl", callbackUrl);
  return `/login/verify?${params}`;
}

export const resendLoginCodeAction = pendingAction(
  resendSchema,
  async ({ challengeId }, { current, db, info, host }): Promise<VerifyState> => {
    const outcome = await resendChallenge(db, { sms: createSmsSender(db), host, info }, { challengeId, userId: current.user.id, sessionId: current.session.id });
    if (outcome.status === "sent") return { status: "resent", resendAt: (await resendAvailableAt(db, challengeId)).getTime() };
    if (outcome.status === "cooldown") return { status: "resend_error", message: MFA_ERRORS.resend_cooldown, resendAt: outcome.retryAt.getTime() };
    if (outcome.status === "send_failed") return { status: "resend_error", message: MFA_ERRORS.sms_failed };
    if (outcome.status === "rate_limited") return { status: "resend_error", message: tooManySendsMessage(outcome.retryAt), resendAt: outcome.retryAt.getTime() };
    redirect("/login?notice=locked");
  },
  (): VerifyState => ({ status: "resend_error", message: MFA_ERRORS.challenge_missing }),
);

/** "Use another method" → text message: the first text of this sign-in is sent only now. */
export const chooseSmsAction = pendingAction(
  chooseSmsSchema,
  async ({ callbackUrl }, { current, db, info, host }): Promise<void> => {
    const [challenge, methods] = await Promise.all([findOpenChallenge(db, current.session.id, "login"), listMethods(db, current.user.id)]);
    if (!challenge) redirect("/login?notice=locked");
    // Where the organisation allows only authenticator apps, no text is sent to a member who has one.
    if (!methodAllowed(policyOf(current.organisation), "sign_in", "sms", methodHolder(methods))) redirect(verifyUrl("totp", callbackUrl));
    if (challenge.sendCount === 0)
      await resendChallenge(db, { sms: createSmsSender(db), host, info }, { challengeId: challenge.id, userId: current.user.id, sessionId: current.session.id });
    redirect(verifyUrl("sms", callbackUrl));
  },
  () => redirect("/login/verify"),
);

export type PasskeyPromptState = { status: "prompt"; options: PublicKeyCredentialRequestOptionsJSON } | { status: "error"; message: string };

/** "Use your passkey" at the challenge page: a fresh WebAuthn challenge on this sign-in's challenge. */
export const loginPasskeyPromptAction = pendingAction(
  z.object({ challengeId: z.string().max(64).catch("") }),
  async ({ challengeId }, { current, db }): Promise<PasskeyPromptState> => {
    const options = await passkeyPromptFor(db, { challengeId, userId: current.user.id, sessionId: current.session.id, purpose: "login" });
    return options ? { status: "prompt", options } : { status: "error", message: MFA_ERRORS.challenge_missing };
  },
  (): PasskeyPromptState => ({ status: "error", message: MFA_ERRORS.challenge_missing }),
);
