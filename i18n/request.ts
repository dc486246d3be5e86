import { getRequestConfig } from "next-intl/server";
import { requestLocale, requestTimeZone } from "@/lib/auth/locale";
import { MESSAGES } from "@/lib/i18n/messages";

/** next-intl without i18n routing: no locale in the URL (links in emails keep working); lib/auth/locale.ts decides. */
export default getRequestConfig(async () => {
  const [locale, timeZone] = await Promise.all([requestLocale(), requestTimeZone()]);
  return { locale, messages: MESSAGES[locale], timeZone };
});
