import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { connection } from "next/server";
import { TimeZoneCookie } from "@/components/shell/time-zone-cookie";
import { getT, requestLocale, requestTimeZone } from "@/lib/auth/locale";
import { clientMessages } from "@/lib/i18n/messages";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getT("meta");
  return { title: { default: "Feedback Accounts", template: "%s · Feedback Accounts" }, description: t("description") };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: the CSP (proxy.ts) allows only scripts carrying that request's nonce,
  // and a page prerendered at build time has scripts without one, so the browser would refuse them all.
  await connection();
  const [locale, timeZone] = await Promise.all([requestLocale(), requestTimeZone()]);
  return (
    <html lang={locale}>
      <body className="min-h-dvh font-sans">
        <NextIntlClientProvider locale={locale} messages={clientMessages(locale)} timeZone={timeZone}>
          <TimeZoneCookie current={timeZone} />
          {children}
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
