"use client";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { LOCALE_NAMES, LOCALES, type Locale } from "@/lib/i18n/locales";
import type { LanguageState } from "../language-actions";

/** My account → Profile → Language: English or Nederlands, saved on the account. */
export function LanguageRow({ current, action }: { current: Locale; action: (state: LanguageState, form: FormData) => Promise<LanguageState> }) {
  const t = useTranslations("account.language");
  const [state, formAction] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <label htmlFor="locale" className="sr-only">
        {t("label")}
      </label>
      <select
        id="locale"
        name="locale"
        defaultValue={current}
        className="rounded-md border-0 py-1.5 pr-8 pl-3 text-sm text-gray-900 ring-1 ring-gray-300 ring-inset focus:ring-2 focus:ring-blue-600"
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {LOCALE_NAMES[locale]}
          </option>
        ))}
      </select>
      <SubmitButton variant="secondary">{t("save")}</SubmitButton>
      <p role="status" className={state.status === "error" ? "text-sm text-red-700" : "text-sm text-gray-600"}>
        {state.status === "idle" ? "" : state.message}
      </p>
    </form>
  );
}
