"use server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { signIn } from "@/lib/auth/config";
import { currentRequest, requirePendingSession } from "@/lib/auth/dal";
import { BACKUP_LEFT_COOKIE } from "@/lib/auth/cookies";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { BACKUP_CODE_ERRORS, normalizeBackupCode } from "@/lib/mfa/backup-codes";
import { findOpenChallenge, resendChallenge } from "@/lib/mfa/challenge";
import { normalizeCode, RESEND_COOLDOWN_MS } from "@/lib/mfa/codes";
import { MFA_ERRORS, retryMessage } from "@/lib/mfa/errors";
import { completeLoginChallenge } from "@/lib/mfa/login";
import { loginMethods, parseLoginMethod } from "@/lib/mfa/methods";
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

export async function verifyLoginCodeAction(_prev: VerifyState, formData: FormData): Promise<VerifyState> {
  const pending = await requirePendingSession();
  const db = await getDb();
  const method = parseLoginMethod(formData.get("method"), await loginMethods(db, pending.user.id));
  if (!method) return { status: "error", message: MFA_ERRORS.challenge_missing };
  const raw = formData.get("code");
  let code: string;
  if (method === "backup") {
    const normal = normalizeBackupCode(raw);
    if (!normal.ok) return { status: "error", message: BACKUP_CODE_ERRORS[normal.error] };
    code = normal.code;
  } else {
    const normal = normalizeCode(raw);
    if (!normal.ok) return { status: "error", message: MFA_ERRORS[normal.error] };
    code = normal.code;
  }
  const { info } = await currentRequest();
  const result = await completeLoginChallenge(
    db,
    { sessionId: pending.session.id, userId: pending.user.id, organisationId: pending.organisation?.id ?? null },
    { challengeId: challengeIdFrom(formData), method, code, info },
  );
  if (result.ok) {
    if (result.method === "backup")
      (await cookies()).set(BACKUP_LEFT_COOKIE, String(result.backupCodesLeft ?? 0), { httpOnly: true, sameSite: "lax", maxAge: 120, path: "/" });
    await signIn("session", { token: result.token, redirectTo: safeCallbackUrl(formData.get("callbackUrl")) });
    return { status: "idle" };
  }
  if (result.error === "code_locked") redirect("/login?notice=locked");
  if (result.error === "mfa_throttled") return { status: "error", message: `Too many wrong codes. ${retryMessage(result.retryAt)}` };
  if (result.error === "code_wrong") {
    const what = method === "backup" ? "That backup code is not right, or it has already been used." : MFA_ERRORS.code_wrong;
    return { status: "error", message: `${what} ${result.attemptsLeft} ${result.attemptsLeft === 1 ? "try" : "tries"} left.` };
  }
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
