"use client";
import { useSearchParams } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { UNAVAILABLE_MESSAGE } from "@/lib/http/unavailable";
import { LoginForm } from "./login-form";
import { useTranslations } from "next-intl";

/**
 * The sign-in page when its action failed on the server (the gate answers 503 while the database is down):
 * the form again, with what happened, so trying again is one click away.
 */
export default function LoginError({ error }: { error: Error & { digest?: string } }) {
  const params = useSearchParams();
  const t = useTranslations("login");
  const message = error.message === UNAVAILABLE_MESSAGE ? t("databaseUnavailable") : t("unavailable");
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
      <div className="mt-4 mb-6">
        <Alert tone="error">{message}</Alert>
      </div>
      <LoginForm callbackUrl={safeCallbackUrl(params.get("callbackUrl"))} />
    </Card>
  );
}
