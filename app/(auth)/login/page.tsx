import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { LoginForm } from "./login-form";
import { PasskeySignIn } from "./passkey-sign-in";
import { getT } from "@/lib/auth/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("login"))("title") };
}

const NOTICES = ["signed_out", "locked", "expired", "ended", "verified", "password_reset"] as const;

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const t = await getT("login");
  const key = NOTICES.find((n) => n === params.notice);
  const text = key ? t(`notices.${key}`) : undefined;
  const notice = text ? { text, tone: params.notice === "password_reset" || params.notice === "verified" ? ("success" as const) : ("info" as const) } : undefined;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">{t("intro")}</p>
      <LoginForm callbackUrl={callbackUrl} notice={notice} email={typeof params.email === "string" ? params.email.slice(0, 254) : undefined} />
      <div className="my-5 flex items-center gap-3 text-xs text-gray-500" aria-hidden="true">
        <span className="h-px flex-1 bg-gray-200" />
        {t("or")}
        <span className="h-px flex-1 bg-gray-200" />
      </div>
      <PasskeySignIn callbackUrl={callbackUrl} />
      <p className="mt-6 text-center text-sm text-gray-600">
        {t("newHere")}{" "}
        <Link href="/signup" className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
          {t("createAccount")}
        </Link>
      </p>
    </Card>
  );
}
