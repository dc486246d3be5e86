import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { LoginForm } from "./login-form";
import { PasskeySignIn } from "./passkey-sign-in";

export const metadata: Metadata = { title: "Sign in" };

const NOTICES: Record<string, string> = {
  signed_out: "You have signed out.",
  locked: "Too many wrong codes. Sign in again to get a new code.",
  expired: "Your sign-in took too long. Sign in again.",
  ended: "Your session has ended. Sign in again to continue.",
  verified: "Your email address is confirmed. Sign in to continue.",
  password_reset: "Your password is changed, and every session was signed out. Sign in with your new password.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const text = typeof params.notice === "string" && Object.hasOwn(NOTICES, params.notice) ? NOTICES[params.notice] : undefined;
  const notice = text ? { text, tone: params.notice === "password_reset" || params.notice === "verified" ? ("success" as const) : ("info" as const) } : undefined;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Sign in</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">Welcome back. Sign in to your organisation.</p>
      <LoginForm callbackUrl={callbackUrl} notice={notice} email={typeof params.email === "string" ? params.email.slice(0, 254) : undefined} />
      <div className="my-5 flex items-center gap-3 text-xs text-gray-500" aria-hidden="true">
        <span className="h-px flex-1 bg-gray-200" />
        or
        <span className="h-px flex-1 bg-gray-200" />
      </div>
      <PasskeySignIn callbackUrl={callbackUrl} />
      <p className="mt-6 text-center text-sm text-gray-600">
        New here?{" "}
        <Link href="/signup" className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
          Create an account
        </Link>
      </p>
    </Card>
  );
}
