import { NextIntlClientProvider } from "next-intl";
import { requestLocale, requestTimeZone } from "@/lib/auth/locale";
import { clientMessages, MESSAGES } from "@/lib/i18n/messages";

/** The organisation settings' own words join the browser's messages here only, not on every page (lib/i18n/messages.ts). */
export default async function OrgSettingsLayout({ children }: { children: React.ReactNode }) {
  const [locale, timeZone] = await Promise.all([requestLocale(), requestTimeZone()]);
  return (
    <NextIntlClientProvider locale={locale} timeZone={timeZone} messages={{ ...clientMessages(locale), orgSettings: MESSAGES[locale].orgSettings }}>
      {children}
    </NextIntlClientProvider>
  );
}
