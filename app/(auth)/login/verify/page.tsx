import type { Metadata } from "next";
import Link from "next/link";
import { signOutAction } from "@/app/(app)/sign-out-action";
import { OtherMethods } from "@/components/mfa/other-methods";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { requirePendingSession } from "@/lib/auth/dal";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { effectiveTrustDays } from "@/lib/auth/trusted-browsers";
import { MAX_CODE_ATTEMPTS } from "@/lib/mfa/codes";
import type { LoginMethod } from "@/lib/mfa/method";
import { methodHolder, pickMethod } from "@/lib/mfa/methods";
import { readLoginChallenge } from "@/lib/mfa/sign-in";
import { allowedMethods, policyOf } from "@/lib/org/policy";
import { chooseSmsAction } from "./actions";
import { refusalFromParams } from "./submit-code";
import { VerifyForm } from "./verify-form";
import { getT, inRequestLanguage } from "@/lib/auth/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("verify"))("metaTitle") };
}

export default async function VerifyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const pending = await requirePendingSession();
  const t = await getT("verify");
  const params = await searchParams;
  const db = await getDb();
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const { challenge, methods, resendAt: resendAvailable } = await readLoginChallenge(db, { sessionId: pending.session.id, userId: pending.user.id });
  // Only the methods the organisation allows at sign-in are offered (the code check refuses the others too).
  const allowed = allowedMethods(policyOf(pending.organisation), "sign_in", methodHolder(methods));
  const available = methods.available.filter((m) => allowed.includes(m));
  const method = pickMethod(params.method, available) ?? "sms";
  const usable = challenge && challenge.attempts < MAX_CODE_ATTEMPTS && available.length > 0;
  const last4 = methods.sms?.phone.slice(-4) ?? "";
  const others = available.filter((m) => m !== method);
  const resendAt = usable && method === "sms" ? (resendAvailable?.getTime() ?? 0) : 0;
  const hrefFor = (m: LoginMethod) => `/login/verify?${new URLSearchParams({ method: m, ...(callbackUrl !== "/" ? { callbackUrl } : {}) })}`;

  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{usable ? t(`headings.${method}`) : t("again")}</h1>
      {usable ? (
        <>
          <p className="mt-1 mb-6 text-sm text-gray-600">
            {method === "passkey" && t("intro.passkey")}
            {method === "totp" && t("intro.totp")}
            {method === "sms" && t.rich("intro.sms", { last4, digits: (chunks) => <span className="font-medium text-gray-900">{chunks}</span> })}
            {method === "backup" && t("intro.backup", { count: methods.backupCodesLeft })}
          </p>
          <VerifyForm
            key={method}
            method={method}
            challengeId={challenge.id}
            callbackUrl={callbackUrl}
            resendAt={resendAt}
            sendFailed={method === "sms" && challenge.sendCount > 0 && challenge.lastSentAt.getTime() === 0}
            refusal={await inRequestLanguage(() => refusalFromParams(params, method))}
            rememberDays={effectiveTrustDays(pending.organisation?.id ? pending.organisation.trustedBrowserDays : null)}
          />
          <OtherMethods
            methods={others}
            last4={last4}
            heading="h2"
            className="mt-6 border-t border-gray-100 pt-4"
            choice={(m, label) =>
              m === "sms" ? (
                <form action={chooseSmsAction}>
                  <input type="hidden" name="callbackUrl" value={callbackUrl} />
                  <button type="submit" className="rounded text-sm text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                    {label}
                  </button>
                </form>
              ) : (
                <Link href={hrefFor(m)} className="rounded text-sm text-blue-700 hover:text-blue-800">
                  {label}
                </Link>
              )
            }
          />
        </>
      ) : (
        <p className="mt-2 mb-2 text-sm text-gray-600">{t("closed")}</p>
      )}
      <form action={signOutAction} className="mt-6 border-t border-gray-100 pt-4 text-center">
        <button type="submit" className="rounded text-sm text-gray-600 underline-offset-2 hover:text-gray-900 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
          {t("notYou")}
        </button>
      </form>
    </Card>
  );
}
