"use server";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { signIn } from "@/lib/auth/config";
import { currentRequest, requirePendingSession } from "@/lib/auth/dal";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { resendChallenge } from "@/lib/mfa/challenge";
import { normalizeCode, RESEND_COOLDOWN_MS } from "@/lib/mfa/codes";
import { MFA_ERRORS, retryMessage } from "@/lib/mfa/errors";
import { completeLoginChallenge } from "@/lib/mfa/login";
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

export async function verifyLoginCodeAction(_prev: VerifyState, formData: FormData): Promise<VerifyState> {
  const pending = await requirePendingSession();
  const code = normalizeCode(formData.get("code"));
  if (!code.ok) return { status: "error", message: MFA_ERRORS[code.error] };
  const { info } = await currentRequest();
  const result = await completeLoginChallenge(
    await getDb(),
    { sessionId: pending.session.id, userId: pending.user.id, organisationId: pending.organisation?.id ?? null },
    { challengeId: challengeIdFrom(formData), code: code.code, info },
  );
  if (result.ok) {
    await signIn("session", { token: result.token, redirectTo: safeCallbackUrl(formData.get("callbackUrl")) });
    return { status: "idle" };
  }
  if (result.error === "code_locked") redirect("/login?notice=locked");
  if (result.error === "mfa_throttled") return { status: "error", message: `Too many wrong codes. ${retryMessage(result.retryAt)}` };
  if (result.error === "code_wrong")
    return { status: "error", message: `${MFA_ERRORS.code_wrong} ${result.attemptsLeft} ${result.attemptsLeft === 1 ? "try" : "tries"} left.` };
  return { status: "error", message: MFA_ERRORS[result.error] };
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
