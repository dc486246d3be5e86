/** The languages the app speaks; a new one is a messages/<code>.json and its code here. English is the fallback. */
export const LOCALES = ["en", "nl"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language in its own words, for the language select (never translated). */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", nl: "Nederlands" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The first supported language in an Accept-Language header, by quality then order (RFC 9110 12.5.4);
 * "nl-BE" counts as "nl". English when none is supported.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranges = acceptLanguage
    .slice(0, 1000)
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const quality = q ? Number(q.slice(2)) : 1;
      return { base: tag.trim().toLowerCase().split("-")[0] ?? "", quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) if (isLocale(range.base)) return range.base;
  return DEFAULT_LOCALE;
}

/** The account's saved choice; otherwise the browser's; otherwise English. */
export function resolveLocale(saved: string | null | undefined, acceptLanguage: string | null | undefined): Locale {
  return isLocale(saved) ? saved : negotiateLocale(acceptLanguage);
}

/** A time zone name the runtime knows ("Europe/Amsterdam"), or undefined. */
export function validTimeZone(value: string | null | undefined): string | undefined {
  if (!value || value.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * The locale dates and numbers are formatted in: British English keeps "14 December 2026" as the English pages
 * always showed it; Dutch as in the Netherlands.
 */
export const FORMAT_LOCALES: Record<Locale, string> = { en: "en-GB", nl: "nl-NL" };
