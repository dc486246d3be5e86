import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { getCurrentSession } from "@/lib/auth/dal";
import { ResendButton } from "@/app/(app)/_components/resend-verification";
import { getT } from "@/lib/auth/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("verifyEmail"))("metaTitle") };
}

const RESULTS = ["verified", "invalid", "expired", "used"] as const;

const LINK =
  "mt-6 inline-flex w-full items-center justify-center rounded-lg bg-blue-600 px-4 py-2.5 text-sm font-semibold text-white shadow-xs transition hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

/** Where a verification link lands (the route beside it has spent the token): what happened and the way on. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { result } = await searchParams;
  const key = RESULTS.find((r) => r === result) ?? "invalid";
  const t = await getT("verifyEmail");
  const current = await getCurrentSession();
  const signedIn = current?.session.mfaState !== "pending" ? current : null;
  const verified = key === "verified" || Boolean(signedIn?.user.emailVerifiedAt);
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{t(`${verified ? "verified" : key}.title`)}</h1>
      <p className="mt-2 text-sm text-gray-600">{t(`${verified ? "verified" : key}.body`)}</p>
      {signedIn && !verified ? (
        <div className="mt-6">
          <ResendButton email={signedIn.user.email} block />
        </div>
      ) : signedIn ? (
        <Link href="/" className={LINK}>
          {t("continue")}
        </Link>
      ) : (
        <>
          <Link href={verified ? "/login?notice=verified" : "/login"} className={LINK}>
            {t("signIn")}
          </Link>
          {!verified && <p className="mt-4 text-center text-xs text-gray-500">{t("signInToResend")}</p>}
        </>
      )}
    </Card>
  );
}
