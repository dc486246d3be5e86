"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { BackupCodeField } from "@/components/mfa/backup-code-field";
import { CodeField } from "@/components/mfa/code-field";
import { OtherMethods } from "@/components/mfa/other-methods";
import { useCountdown } from "@/components/mfa/use-countdown";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import type { LoginMethod } from "@/lib/mfa/method";
import { type CodeState, checkResetCodeAction, type SendCodeState, sendResetCodeAction } from "../actions";

/** The reset asks for a code; a passkey's owner answers with a backup code or another factor. */
type CodeMethod = Exclude<LoginMethod, "passkey">;

type Props = {
  method: CodeMethod;
  others: CodeMethod[];
  last4: string;
  backupCodesLeft: number;
  /** A text with a code already went out for this link. */
  textSent: boolean;
  /** When the next text may be asked for (ms since the epoch). */
  resendAt: number;
};

/**
 * The reset's second-factor step, with the sign-in's fields and words: a reset link proves the inbox only,
 * so an account with MFA proves a factor before it gets a new password.
 */
export function ResetFactorStep({ method, others, last4, backupCodesLeft, textSent, resendAt }: Props) {
  const t = useTranslations("reset.factor");
  const tv = useTranslations("verify");
  const [sendState, send] = useActionState(sendResetCodeAction, { status: "idle" } as SendCodeState);
  const [codeState, check] = useActionState(checkResetCodeAction, { status: "idle" } as CodeState);
  const [code, setCode] = useState("");
  const sent = textSent || sendState.status === "sent";
  const nextSend = sendState.status === "sent" || sendState.status === "error" ? (sendState.resendAt ?? 0) : resendAt;
  const seconds = useCountdown(nextSend);
  const error = codeState.status === "error" ? codeState.message : null;
  const needsText = method === "sms" && !sent;

  return (
    <div>
      <p className="text-xs font-semibold tracking-wide text-blue-700 uppercase">{t("step")}</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight">{tv(`headings.${method}`)}</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">
        {t("why")}{" "}
        {method === "totp" && t("totp")}
        {method === "sms" && t.rich(sent ? "smsSent" : "smsSend", { last4, digits: (chunks) => <span className="font-medium text-gray-900">{chunks}</span> })}
        {method === "backup" && t("backup", { count: backupCodesLeft })}
      </p>

      <div className="space-y-5">
        {sendState.status === "sent" && <Alert tone="success">{t("sent")}</Alert>}
        {sendState.status === "error" && <Alert tone="error">{sendState.message}</Alert>}
        {needsText ? (
          <form action={send}>
            <SubmitButton className="w-full" pendingLabel={t("sending")}>
              {t("send")}
            </SubmitButton>
          </form>
        ) : (
          <form action={check} className="space-y-5" noValidate>
            <input type="hidden" name="method" value={method} />
            {method === "backup" ? (
              <BackupCodeField value={code} onChange={setCode} error={error} />
            ) : (
              <CodeField label={method === "totp" ? tv("authenticatorCode") : tv("verificationCode")} value={code} onChange={setCode} error={error} autoFocus />
            )}
            <SubmitButton className="w-full" pendingLabel={tv("checking")}>
              {tv("verify")}
            </SubmitButton>
          </form>
        )}
        {method === "sms" && sent && (
          <form action={send} className="text-center">
            {seconds > 0 ? (
              <p className="text-sm text-gray-500" aria-live="polite">
                {tv.rich("resendIn", {
                  seconds,
                  count: (chunks) => (
                    <span className="font-medium tabular-nums text-gray-700" suppressHydrationWarning>
                      {chunks}
                    </span>
                  ),
                })}
              </p>
            ) : (
              <button type="submit" className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                {tv("resend")}
              </button>
            )}
          </form>
        )}
      </div>

      <OtherMethods
        methods={others}
        last4={last4}
        heading="h2"
        className="mt-6 border-t border-gray-100 pt-4"
        choice={(m, label) => (
          <Link href={`/reset-password?method=${m}`} className="rounded text-sm text-blue-700 hover:text-blue-800">
            {label}
          </Link>
        )}
      />
      <p className="mt-6 border-t border-gray-100 pt-4 text-xs text-gray-500">
        {t("noAccess")}
      </p>
    </div>
  );
}
