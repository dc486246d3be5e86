"use server";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { currentRequest, requirePendingSession } from "@/lib/auth/dal";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { findOpenChallenge, resendChallenge } from "@/lib/mfa/challenge";
import { RESEND_COOLDOWN_MS } from "@/lib/mfa/codes";
import { MFA_ERRORS, retryMessage } from "@/lib/mfa/errors";
import { createSmsSender } from "@/lib/sms";

export type VerifyState =
  | { status: "idle" }
  | { status: "error"; message: string }
  | { status: "resent"; resendAt: number }
  | { status: "resend_error"; message: string; resendAt?: number };

function challengeIdFrom(formData: FormData) {
  const v = formData.get("challengeId");
  return typeof v === "string" && v.length <= 64 ? v : "";
}

function verifyUrl(method: string, callbackUrl: string) {
  const params = new URLSearchParams({ method });
  if (callbackUrl !== "/") params.set("callbackUrl", callbackUrl);
  return `/login/verify?${params}`;
}

export async function resendLoginCodeAction(_prev: VerifyState, formData: FormData): Promise<VerifyState> {
  const pending = await requirePendingSession();
  const db = await getDb();
  const { host, info } = await currentRequest();
  const outcome = await resendChallenge(
    db,
    { sms: createSmsSender(db), host, info },
    { challengeId: challengeIdFrom(formData), userId: pending.user.id, sessionId: pending.session.id },
  );
  if (outcome.status === "sent") return { status: "resent", resendAt: Date.now() + RESEND_COOLDOWN_MS };
  if (outcome.status === "cooldown") return { status: "resend_error", message: MFA_ERRORS.resend_cooldown, resendAt: outcome.retryAt.getTime() };
  if (outcome.status === "send_failed") return { status: "resend_error", message: MFA_ERRORS.sms_failed };
  if (outcome.status === "rate_limited")
    return { status: "resend_error", message: `You have asked for too many codes. ${retryMessage(outcome.retryAt)}`, resendAt: outcome.retryAt.getTime() };
  redirect("/login?notice=locked");
}

/** "Use another method" → text message: the first text of this sign-in is sent only now. */
export async function chooseSmsAction(formData: FormData): Promise<void> {
  const pending = await requirePendingSession();
  const db = await getDb();
  const callbackUrl = safeCallbackUrl(formData.get("callbackUrl"));
  const challenge = await findOpenChallenge(db, pending.session.id, "login");
  if (!challenge) redirect("/login?notice=locked");
  if (challenge.sendCount === 0) {
    const { host, info } = await currentRequest();
    await resendChallenge(db, { sms: createSmsSender(db), host, info }, { challengeId: challenge.id, userId: pending.user.id, sessionId: pending.session.id });
  }
  redirect(verifyUrl("sms", callbackUrl));
}
