import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { requireSession } from "@/lib/auth/dal";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { SetupFlow } from "./setup-flow";

export const metadata: Metadata = { title: "Set up multi-factor authentication" };

/** Where the organisation's required-MFA gate sends members without a factor. */
export default async function MfaSetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const current = await requireSession({ allowMfaSetup: true });
  const params = await searchParams;
  const next = safeCallbackUrl(params.callbackUrl);
  if (current.user.mfaEnabled) redirect(next);
  return (
    <div className="mx-auto max-w-lg space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Set up multi-factor authentication</h1>
        <p className="mt-1 text-sm text-gray-600">
          {current.organisation?.mfaRequired
            ? `${current.organisation.name} requires multi-factor authentication for everyone. Register your phone number to continue.`
            : "Register your phone number so sign-in asks for a code sent to it."}
        </p>
      </div>
      <Card className="p-5 sm:p-6">
        <SetupFlow next={next} />
      </Card>
    </div>
  );
}
