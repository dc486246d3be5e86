import "server-only";
import { cookies } from "next/headers";
import { getDb } from "@/db/client";
import { issueSessionCookie } from "@/lib/auth/config";
import { BACKUP_LEFT_COOKIE, backupLeftCookieOptions } from "@/lib/auth/cookies";
import { currentRequest, currentSessionToken } from "@/lib/auth/dal";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { inRequestLanguage } from "@/lib/auth/locale";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { rememberTicked } from "@/lib/auth/trusted-browsers";
import { FACTOR_ERRORS } from "@/lib/mfa/factors";
import { isLoginMethod, type LoginMethod } from "@/lib/mfa/method";
import { signInWithCode } from "@/lib/mfa/sign-in";
import { mfaMessage, throttledMessage, wrongCodeMessage } from "@/lib/mfa/words";

/** Why a code was refused, in a form that can travel in a URL (for the form posted without JavaScript). */
export type CodeRefusal = { error: string; method: LoginMethod; attemptsLeft?: number; retryAt?: number };

export type CodeOutcome =
  | { status: "signed_in"; to: string }
  | { status: "redirect"; to: string }
  | ({ status: "error"; message: string } & CodeRefusal);

/** The sentence the challenge page shows for a refusal. */
export function refusalMessage(r: CodeRefusal, now = new Date()): string {
  if (r.error === "mfa_throttled") return throttledMessage(new Date(r.retryAt ?? now.getTime()), now);
  if (r.error === "code_wrong" || r.error === "backup_code_wrong")
    return wrongCodeMessage(r.method === "backup" ? "backup_code_wrong" : "code_wrong", r.attemptsLeft ?? 0);
  return mfaMessage(r.error);
}

/** A refusal carried in the challenge page's URL (after a post without JavaScript), or null if there is none or it is not one of ours. */
export function refusalFromParams(params: Record<string, string | string[] | undefined>, method: LoginMethod): string | null {
  const error = params.error;
  if (typeof error !== "string" || !(Object.hasOwn(FACTOR_ERRORS, error) || error === "mfa_throttled")) return null;
  const number = (v: unknown) => (typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : undefined);
  return refusalMessage({ error, method, attemptsLeft: number(params.left), retryAt: number(params.retry) });
}

function refuse(r: CodeRefusal): CodeOutcome {
  return { status: "error", message: refusalMessage(r), ...r };
}

/**
 * The second sign-in step for the code form (posted to ./code/route.ts). A right code ends the pending
 * session, sets the cookie of the new verified one and says where to go; everything else says why not.
 * Which methods the user really has is checked by the code step: a method they lack never matches. The
 * pending session is checked with the challenge, in one query (signInWithCode).
 */
export async function submitLoginCode(form: FormData): Promise<CodeOutcome> {
  const token = await currentSessionToken();
  if (!token) return { status: "redirect", to: "/login" };
  const raw = form.get("method");
  const method = isLoginMethod(raw) ? raw : "sms";
  const challengeId = form.get("challengeId");
  const { info } = await currentRequest();
  // The code is read by the chosen method's rules inside the code check (a malformed one costs no attempt).
  const result = await signInWithCode(await getDb(), token, {
    challengeId: typeof challengeId === "string" ? challengeId : "",
    method,
    code: form.get("code"),
    deviceId: await currentDeviceId(),
    // "Don't ask again on this browser": read here for every method, so a method posting to this route gets it too.
    remember: rememberTicked(form.get("remember")),
    info,
  });
  if (result.ok) {
    await issueSessionCookie(result.token, "verified");
    if (result.method === "backup")
      (await cookies()).set(BACKUP_LEFT_COOKIE, String(result.backupCodesLeft ?? 0), backupLeftCookieOptions());
  }
  // The refusal's words, in the account's language (a right code needs none).
  return result.ok ? outcomeOf(result, method, form) : inRequestLanguage(() => outcomeOf(result, method, form));
}

function outcomeOf(result: Awaited<ReturnType<typeof signInWithCode>>, method: LoginMethod, form: FormData): CodeOutcome {
  if (result.ok) return { status: "signed_in", to: safeCallbackUrl(form.get("callbackUrl")) };
  if (result.error === "no_session") return { status: "redirect", to: "/login" };
  if (result.error === "not_pending") return { status: "redirect", to: "/" };
  if (result.error === "code_locked") return { status: "redirect", to: "/login?notice=locked" };
  if (result.error === "mfa_throttled") return refuse({ error: "mfa_throttled", method, retryAt: result.retryAt.getTime() });
  if (result.error === "code_wrong") return refuse({ error: "code_wrong", method, attemptsLeft: result.attemptsLeft });
  if (result.error === "code_unreadable") return refuse({ error: result.reason, method });
  return refuse({ error: result.error, method });
}
