"use client";
import { useState } from "react";
import type { ProofMethods } from "@/app/(app)/_components/step-up";
import { SmsRegistration } from "../_components/mfa/sms-registration";
import { TotpEnrollment } from "../_components/mfa/totp-enrollment";

type Props = { next: string; totpOnly: boolean; methods: ProofMethods | null };

export function SetupFlow({ next, totpOnly, methods }: Props) {
  const [useApp, setUseApp] = useState(totpOnly);
  // A full load, not router.replace: the router may still hold pages that redirected here before setup was
  // done, and the enrolment actions do not revalidate (that would re-render this page and leave before the
  // backup codes are seen). `next` is a same-origin path (safeCallbackUrl).
  const go = () => window.location.replace(next);
  if (useApp) return <TotpEnrollment methods={methods} onDone={go} />;
  return (
    <div className="space-y-5">
      <SmsRegistration mode="register" onSaved={go} />
      <p className="border-t border-gray-100 pt-4 text-sm text-gray-600">
        Or{" "}
        <button
          type="button"
          onClick={() => setUseApp(true)}
          className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          use an authenticator app instead
        </button>{" "}
        (recommended: stronger than text messages).
      </p>
    </div>
  );
}
