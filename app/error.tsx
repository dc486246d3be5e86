"use client";
import { Button } from "@/components/ui/button";
import { UNAVAILABLE_MESSAGE } from "@/lib/http/unavailable";
import { useTranslations } from "next-intl";

/** Any unexpected server error: one calm sentence, a retry, and nothing internal. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // The gate's 503 for an action while the database is down (the only message shown as is: it is our own text).
  const unavailable = error.message === UNAVAILABLE_MESSAGE;
  const t = useTranslations("errorPage");
  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <div className="w-full max-w-md rounded-xl bg-white p-8 shadow-sm ring-1 ring-gray-200">
        <h1 className="text-xl font-semibold tracking-tight">{unavailable ? t("unavailableTitle") : t("title")}</h1>
        <p className="mt-2 text-sm text-gray-600">{unavailable ? t("unavailable") : t("body")}</p>
        <Button className="mt-6" onClick={reset}>
          {t("retry")}
        </Button>
      </div>
    </main>
  );
}
