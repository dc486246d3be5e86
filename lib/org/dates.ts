import { DEFAULT_LOCALE, FORMAT_LOCALES, type Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";

/** "14 December 2026" / "14 december 2026": a deadline's day as every page, banner and message shows it (UTC, like the deadline itself). */
export function formatDay(date: Date | string, locale: Locale = DEFAULT_LOCALE): string {
  return new Intl.DateTimeFormat(FORMAT_LOCALES[locale], { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(date));
}

/** Whole UTC days from `now`'s day to `date`'s day: 0 on the day itself, 1 the day before. */
export function daysUntil(date: Date | string, now: Date): number {
  const day = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Math.round((day(new Date(date)) - day(now)) / 86_400_000);
}

/** "today", "tomorrow", "in 6 days". */
export function inDays(days: number, locale: Locale = DEFAULT_LOCALE): string {
  return translator(locale)("dates.inDays", { days: Math.max(0, days) });
}
