import { currentLocale } from "@/lib/i18n/context";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";

/**
 * "Chrome on macOS" ("Chrome op macOS") from a User-Agent string; good enough to recognise one's own devices.
 * Pages pass their language; actions and jobs get the one they run in.
 */
export function describeBrowser(userAgent: string | null, locale: Locale = currentLocale()): string {
  const t = translator(locale);
  if (!userAgent) return t("common.unknownBrowser");
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /Chrome\/|Chromium\/|CriOS\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : null;
  const os = /iPhone|iPad|iPod/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
      ? "Android"
      : /Mac OS X|Macintosh/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : null;
  if (browser && os) return t("common.browserOn", { browser, os });
  return browser ?? os ?? t("common.unknownBrowser");
}
