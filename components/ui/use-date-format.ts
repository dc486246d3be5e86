"use client";
import { useLocale, useTimeZone } from "next-intl";
import { useMemo } from "react";
import { FORMAT_LOCALES } from "@/lib/i18n/locales";

/** Intl.DateTimeFormat in the page's language and the browser's time zone (as the server rendered it, so markup matches). */
export function useDateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = useLocale();
  const timeZone = useTimeZone();
  const key = JSON.stringify(options);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the options are compared by value (key).
  return useMemo(() => new Intl.DateTimeFormat(FORMAT_LOCALES[locale], { ...options, timeZone }), [locale, timeZone, key]);
}
