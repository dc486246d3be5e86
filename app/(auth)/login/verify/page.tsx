import type { Metadata } from "next";
import { signOutAction } from "@/components/shell/sign-out-action";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { requirePendingSession } from "@/lib/auth/dal";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { MAX_CODE_ATTEMPTS, RESEND_COOLDOWN_MS } from "@/lib/mfa/codes";
import { VerifyForm } from "./verify-form";

export const metadata: Metadata = { title: "Enter your code" };

export default async function VerifyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const pending = await requirePendingSession();
  const params = await searchParams;
  const challenge = await findOpenChallenge(await getDb(), pending.session.id, "login");
  const usable = challenge && challenge.attempts < MAX_CODE_ATTEMPTS;
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Check your phone</h1>
      {usable && challenge.phone ? (
        <>
          <p className="mt-1 mb-6 text-sm text-gray-600">
            Enter the 6-digit code we sent to the number ending in{" "}
            <span className="font-medium text-gray-900">{challenge.phone.slice(-4)}</span>.
          </p>
          <VerifyForm
            challengeId={challenge.id}
            callbackUrl={safeCallbackUrl(params.callbackUrl)}
            resendAt={challenge.lastSentAt.getTime() + RESEND_COOLDOWN_MS}
            sendFailed={challenge.lastSentAt.getTime() === 0}
          />
        </>
      ) : (
        <p className="mt-2 mb-2 text-sm text-gray-600">
          This sign-in can no longer be completed. Sign out below, then sign in again for a new code.
        </p>
      )}
      <form action={signOutAction} className="mt-6 border-t border-gray-100 pt-4 text-center">
        <button type="submit" className="rounded text-sm text-gray-600 underline-offset-2 hover:text-gray-900 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
          Not you? Sign out
        </button>
      </form>
    </Card>
  );
}
