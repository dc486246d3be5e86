import "server-only";
import { createTranslator, type NamespaceKeys, type NestedKeyOf } from "next-intl";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { FORMAT_LOCALES, type Locale, resolveLocale, validTimeZone } from "@/lib/i18n/locales";
import { withLocale } from "@/lib/i18n/context";
import { type Messages, MESSAGES } from "@/lib/i18n/messages";
import { getCurrentSession } from "./dal";

/** The cookie the browser writes its time zone into (components/shell/time-zone-cookie.tsx); dates are shown in it. */
export const TIME_ZONE_COOKIE = "tz";

/**
 * The request's language: the signed-in (or half signed-in) account's choice on My account; otherwise the
 * browser's Accept-Language; otherwise English. Signed-out pages follow the browser. URLs carry no locale.
 */
export const requestLocale = cache(async (): Promise<Locale> => {
  const [current, h] = await Promise.all([getCurrentSession(), headers()]);
  return resolveLocale(current?.user.locale, h.get("accept-language"));
});

/** The browser's time zone, as it reported it; UTC until it has. */
export const requestTimeZone = cache(async (): Promise<string> => validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value) ?? "UTC");

const translators = new Map<string, unknown>();

/**
 * next-intl's translator for a server component, in the request's language (works in tests, unlike
 * next-intl/server). One per language and namespace for the whole process: a translator keeps the messages
 * it has parsed, so a page does not parse the same messages again on every request.
 */
export async function getT<N extends NamespaceKeys<Messages, NestedKeyOf<Messages>>>(namespace: N) {
  const locale = await requestLocale();
  const key = `${locale}\u0000${namespace}`;
  let t = translators.get(key) as ReturnType<typeof createTranslator<Messages, N>> | undefined;
  if (!t) {
    t = createTranslator({ locale, messages: MESSAGES[locale], namespace });
    translators.set(key, t);
  }
  return t;
}

/** Intl.DateTimeFormat in the request's language and the browser's time zone (never a fixed "UTC" on a page). */
export async function getDateFormat(options: Intl.DateTimeFormatOptions): Promise<Intl.DateTimeFormat> {
  const [locale, timeZone] = await Promise.all([requestLocale(), requestTimeZone()]);
  return new Intl.DateTimeFormat(FORMAT_LOCALES[locale], { ...options, timeZone });
}

/** Runs `work` in the request's language, for pages that call the domain's words (lib/i18n/context.ts). */
export async function inRequestLanguage<T>(work: () => T): Promise<T> {
  return withLocale(await requestLocale(), work);
}
