import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { getCurrentSession } from "@/lib/auth/dal";
import { ResendButton } from "@/app/(app)/_components/resend-verification";

export const metadata: Metadata = { title: "Confirm your email address" };

const RESULTS = {
  verified: { title: "Your email address is confirmed", body: "Thank you. You can now register a phone for text messages and invite your team." },
  invalid: { title: "This link does not work", body: "It may be incomplete, or meant for something else. Send yourself a new link." },
  expired: { title: "This link has expired", body: "Links to confirm an address work for 24 hours. Send yourself a new one." },
  used: { title: "This link has been used", body: "Each link works once. If your address is not confirmed yet, send yourself a new link." },
} as const;

const LINK =
  "mt-6 inline-flex w-full items-center justify-center rounded-lg bg-blue-600 px-4 py-2.5 text-sm font-semibold text-white shadow-xs transition hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

/** Where a verification link lands (the route beside it has spent the token): what happened and the way on. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { result } = await searchParams;
  const key = typeof result === "string" && result in RESULTS ? (result as keyof typeof RESULTS) : "invalid";
  const { title, body } = RESULTS[key];
  const current = await getCurrentSession();
  const signedIn = current?.session.mfaState !== "pending" ? current : null;
  const verified = key === "verified" || Boolean(signedIn?.user.emailVerifiedAt);
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{verified ? RESULTS.verified.title : title}</h1>
      <p className="mt-2 text-sm text-gray-600">{verified ? RESULTS.verified.body : body}</p>
      {signedIn && !verified ? (
        <div className="mt-6">
          <ResendButton email={signedIn.user.email} block />
        </div>
      ) : signedIn ? (
        <Link href="/" className={LINK}>
          Continue
        </Link>
      ) : (
        <>
          <Link href={verified ? "/login?notice=verified" : "/login"} className={LINK}>
            Sign in
          </Link>
          {!verified && <p className="mt-4 text-center text-xs text-gray-500">Sign in to send a new link: it goes to the address on your account.</p>}
        </>
      )}
    </Card>
  );
}
