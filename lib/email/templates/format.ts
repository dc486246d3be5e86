import { DEFAULT_LOCALE, FORMAT_LOCALES, type Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { headerText } from "../address";

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * "30 November 2026" ("30 november 2026" in Dutch), in UTC: the same for every reader, whatever their mail
 * client's time zone. In the email's language.
 */
export function formatDate(iso: string, locale: Locale = DEFAULT_LOCALE): string {
  const date = parse(iso);
  if (!date) return translator(locale)("emails.format.unknownDate");
  return new Intl.DateTimeFormat(FORMAT_LOCALES[locale], { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}

/** "30 November 2026 at 14:05 UTC" ("30 november 2026 om 14:05 UTC"). */
export function formatDateTime(iso: string, locale: Locale = DEFAULT_LOCALE): string {
  const date = parse(iso);
  if (!date) return translator(locale)("emails.format.unknownTime");
  const time = `${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")}`;
  return translator(locale)("emails.format.dateTime", { date: formatDate(iso, locale), time });
}

/**
 * A name, organisation or browser from a user, for the body of an email: one line (control and bidi
 * characters dropped) and at most `max` characters. React escapes it for HTML.
 */
export function clean(value: string | null | undefined, max = 80): string {
  return headerText(value ?? "", max);
}
