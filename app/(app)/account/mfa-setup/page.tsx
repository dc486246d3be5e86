import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { requireSession } from "@/lib/auth/dal";
import { methodAllowed, needsMfaSetup, policyOf } from "@/lib/org/policy";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { listMethods, summarize } from "@/lib/mfa/methods";
import { SetupFlow } from "./setup-flow";

export const metadata: Metadata = { title: "Set up multi-factor authentication" };

/** Where the organisation's MFA gate sends members without a factor, or (authenticator apps only) without an app. */
export default async function MfaSetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const current = await requireSession({ allowMfaSetup: true });
  const params = await searchParams;
  const next = safeCallbackUrl(params.callbackUrl);
  // A member held only because their method is SMS has MFA on already; they stay until they add an app.
  if (current.user.mfaEnabled && !needsMfaSetup(current)) redirect(next);
  const totpOnly = !methodAllowed(policyOf(current.organisation), "enroll", "sms", current.user);
  const methods = current.user.mfaEnabled ? await listMethods(await getDb(), current.user.id) : null;
  const orgName = current.organisation?.name;
  return (
    <div className="mx-auto max-w-lg space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Set up multi-factor authentication</h1>
        <p className="mt-1 text-sm text-gray-600">
          {totpOnly
            ? `${orgName} allows only authenticator apps for multi-factor authentication. Add one to continue.`
            : current.organisation?.mfaRequired
              ? `${orgName} requires multi-factor authentication for everyone. Register your phone number to continue.`
              : "Register your phone number so sign-in asks for a code sent to it."}
        </p>
      </div>
      <Card className="p-5 sm:p-6">
        <SetupFlow
          next={next}
          totpOnly={totpOnly}
          methods={methods ? summarize(methods) : null}
        />
      </Card>
    </div>
  );
}
