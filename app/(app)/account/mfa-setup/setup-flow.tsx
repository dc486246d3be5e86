"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ProofMethods } from "@/app/(app)/_components/step-up";
import { SmsRegistration } from "../_components/mfa/sms-registration";
import { TotpEnrollment } from "../_components/mfa/totp-enrollment";
import { AddPasskey } from "../_components/passkeys-card";

type Choice = "sms" | "totp" | "passkey";
type Props = { next: string; allowed: Record<Choice, boolean>; methods: ProofMethods | null };


export function SetupFlow({ next, allowed, methods }: Props) {
  const t = useTranslations("mfaSetup.other");
  const [choice, setChoice] = useState<Choice>(allowed.sms ? "sms" : allowed.totp ? "totp" : "passkey");
  // A full load, not router.replace: the router may still hold pages that redirected here before setup was
  // done, and the enrolment actions do not revalidate (that would re-render this page and leave before the
  // backup codes are seen). `next` is a same-origin path (safeCallbackUrl).
  const go = () => window.location.replace(next);
  const others = (["passkey", "totp", "sms"] as const).filter((c) => c !== choice && allowed[c]);
  return (
    <div className="space-y-5">
      {choice === "sms" && <SmsRegistration mode="register" onSaved={go} />}
      {choice === "totp" && <TotpEnrollment key="totp" methods={methods} onDone={go} />}
      {choice === "passkey" && <AddPasskey key="passkey" proof={methods} onDone={go} />}
      {others.length > 0 && (
        <div className="border-t border-gray-100 pt-4 text-sm text-gray-600">
          <p>{t("or")}</p>
          <ul className="mt-1 space-y-1">
            {others.map((c) => (
              <li key={c}>
                <button
                  type="button"
                  onClick={() => setChoice(c)}
                  className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600"
                >
                  {t(`${c}.label`)}
                </button>{" "}
                {t(`${c}.why`)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
