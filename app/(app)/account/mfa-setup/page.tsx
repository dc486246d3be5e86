import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { requireSession } from "@/lib/auth/dal";
import Link from "next/link";
import { formatDay } from "@/lib/org/dates";
import { methodAllowed, mfaGraceDeadline, needsMfaSetup, policyOf } from "@/lib/org/policy";
import { ReenrolProofProvider } from "../_components/mfa/reenrol-proof";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { listMethods, summarize } from "@/lib/mfa/methods";
import { SetupFlow } from "./setup-flow";
import { getT, requestLocale } from "@/lib/auth/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("mfaSetup"))("title") };
}

/** Where the organisation's MFA gate sends members without a factor, or (authenticator apps only) without an app. */
export default async function MfaSetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const current = await requireSession({ allowMfaSetup: true });
  const params = await searchParams;
  const next = safeCallbackUrl(params.callbackUrl);
  // A member held only because their method is SMS has MFA on already; they stay until they add an app.
  if (current.user.mfaEnabled && !needsMfaSetup(current)) redirect(next);
  const policy = policyOf(current.organisation);
  const allowed = {
    sms: methodAllowed(policy, "enroll", "sms", current.user),
    totp: methodAllowed(policy, "enroll", "totp", current.user),
    passkey: methodAllowed(policy, "enroll", "passkey", current.user),
  };
  const [t, locale] = await Promise.all([getT("mfaSetup"), requestLocale()]);
  const only = policy.methods === "passkey_only" ? "passkeys" : !allowed.sms ? "appsAndPasskeys" : null;
  const methods = current.user.mfaEnabled ? await listMethods(await getDb(), current.user.id) : null;
  const orgName = current.organisation?.name;
  const now = new Date();
  // Before the organisation's deadline the member may leave and come back; from it on, setup is the only page.
  const deadline = mfaGraceDeadline(current, now);
  const held = needsMfaSetup(current, now);
  return (
    <div className="mx-auto max-w-lg space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-gray-600">
          {only
            ? t(`only.${only}`, { organisation: orgName ?? "" })
            : deadline
              ? t("deadline", { organisation: orgName ?? "", day: formatDay(deadline, locale) })
              : held
                ? t("held", { organisation: orgName ?? "" })
                : t("intro")}
        </p>
      </div>
      <Card className="p-5 sm:p-6">
        <ReenrolProofProvider need={current.user.mfaReenrolProof ? { proof: current.user.mfaReenrolProof, email: current.user.email } : null}>
          <SetupFlow next={next} allowed={allowed} methods={methods ? summarize(methods) : null} />
        </ReenrolProofProvider>
      </Card>
      {!held && (
        <p className="text-center text-sm text-gray-600">
          <Link href={next} className="rounded font-medium text-gray-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
            {t("notNow")}
          </Link>
          {deadline ? ` · ${t("keepWorking", { day: formatDay(deadline, locale) })}` : ""}
        </p>
      )}
    </div>
  );
}
