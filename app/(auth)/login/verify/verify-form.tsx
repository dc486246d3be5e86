"use client";
import { type FormEvent, useActionState, useState } from "react";
import { BackupCodeField } from "@/components/mfa/backup-code-field";
import { CodeField } from "@/components/mfa/code-field";
import { useCountdown } from "@/components/mfa/use-countdown";
import { Alert } from "@/components/ui/alert";
import type { LoginMethod } from "@/lib/mfa/method";
import { Button } from "@/components/ui/button";
import { signWithPasskey } from "@/components/mfa/passkey-ceremony";
import { loginPasskeyPromptAction, resendLoginCodeAction, type VerifyState } from "./actions";
import { useTranslations } from "next-intl";

type Props = {
  method: LoginMethod;
  challengeId: string;
  callbackUrl: string;
  resendAt: number;
  sendFailed: boolean;
  refusal: string | null;
  /** "Don't ask again on this browser for N days" (lib/auth/trusted-browsers.ts); 0: the organisation turned it off. */
  rememberDays: number;
};

const CODE_ROUTE = "/login/verify/code";

export function VerifyForm({ method, challengeId, callbackUrl, resendAt, sendFailed, refusal, rememberDays }: Props) {
  // A refusal in the URL comes from the same form posted without JavaScript.
  const t = useTranslations("verify");
  const OFFLINE = t("offline");
  const [error, setError] = useState<string | null>(refusal);
  const [checking, setChecking] = useState(false);
  const [resendState, resend] = useActionState(resendLoginCodeAction, { status: "idle" } as VerifyState);
  const [code, setCode] = useState("");
  const nextResend = resendState.status === "resent" || resendState.status === "resend_error" ? resendState.resendAt ?? 0 : resendAt;
  const seconds = useCountdown(nextResend);

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (checking) return;
    setChecking(true);
    setError(null);
    try {
      // URL-encoded, as the same form posts without JavaScript (and cheaper to parse than multipart).
      const body = new URLSearchParams();
      for (const [name, value] of new FormData(event.currentTarget)) if (typeof value === "string") body.append(name, value);
      if (method === "passkey") {
        // A passkey's answer is the browser's signature over a challenge issued just now for this sign-in.
        const prompt = await loginPasskeyPromptAction(new FormData(event.currentTarget));
        if (prompt.status !== "prompt") return fail(prompt.message);
        const answer = await signWithPasskey(prompt.options);
        if (!answer.ok) return fail(answer.message);
        body.set("code", answer.response);
      }
      const res = await fetch(CODE_ROUTE, { method: "POST", body, headers: { accept: "application/json" } });
      const outcome = (await res.json()) as { status: string; to?: string; message?: string; error?: string };
      if ((outcome.status === "signed_in" || outcome.status === "redirect") && outcome.to) {
        // A full load of the next page: nothing the client router cached while signed in halfway
        // (prefetches answered with a redirect to this page) can be reused. Stay "checking" meanwhile.
        window.location.assign(outcome.to);
        return;
      }
      setError(outcome.message ?? outcome.error ?? OFFLINE);
    } catch {
      setError(OFFLINE);
    }
    setChecking(false);
  }

  function fail(message: string) {
    setError(message);
    setChecking(false);
  }

  return (
    <div className="space-y-5">
      {sendFailed && resendState.status === "idle" && (
        <Alert tone="error">{t("sendFailed")}</Alert>
      )}
      {resendState.status === "resent" && <Alert tone="success">{t("resent")}</Alert>}
      {resendState.status === "resend_error" && <Alert tone="error">{resendState.message}</Alert>}
      <form method="post" action={CODE_ROUTE} onSubmit={verify} className="space-y-5" noValidate>
        <input type="hidden" name="challengeId" value={challengeId} />
        <input type="hidden" name="callbackUrl" value={callbackUrl} />
        <input type="hidden" name="method" value={method} />
        {method === "passkey" ? (
          error && <Alert tone="error">{error}</Alert>
        ) : method === "backup" ? (
          <BackupCodeField value={code} onChange={setCode} error={error} />
        ) : (
          <CodeField
            label={method === "totp" ? t("authenticatorCode") : t("verificationCode")}
            value={code}
            onChange={setCode}
            error={error}
            autoFocus
          />
        )}
        {rememberDays > 0 && (
          // A plain checkbox: posted as "on" with or without JavaScript, left out when not ticked.
          <label className="flex cursor-pointer items-start gap-3 text-sm text-gray-700">
            <input type="checkbox" name="remember" value="on" className="mt-0.5 size-4 shrink-0 accent-blue-600" />
            <span>
              {t("remember", { days: rememberDays })}
            </span>
          </label>
        )}
        <Button type="submit" className="w-full" pending={checking} autoFocus={method === "passkey"}>
          {checking ? (method === "passkey" ? t("waitingForPasskey") : t("checking")) : method === "passkey" ? t("usePasskey") : t("verify")}
        </Button>
      </form>
      {method === "sms" && (
      <form action={resend} className="text-center">
        <input type="hidden" name="challengeId" value={challengeId} />
        {seconds > 0 ? (
          <p className="text-sm text-gray-500" aria-live="polite">
            {t.rich("resendIn", { seconds, count: (chunks) => <span className="font-medium tabular-nums text-gray-700" suppressHydrationWarning>{chunks}</span> })}
          </p>
        ) : (
          <button type="submit" className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
            {t("resend")}
          </button>
        )}
      </form>
      )}
    </div>
  );
}
