import { createTranslator } from "next-intl";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";
import { DEFAULT_LOCALE, type Locale } from "./locales";

/** English is the source: its shape is every language's shape (tests/i18n-messages.test.ts checks the others). */
export type Messages = typeof en;

/** Every language's messages; a new language is one more file here and its code in LOCALES. */
export const MESSAGES: Record<Locale, Messages> = { en, nl };

/** The English messages, for the domain's code → sentence maps that tests and logs read in English. */
export const ENGLISH = en;

const translators = new Map<Locale, ReturnType<typeof makeTranslator>>();

function makeTranslator(locale: Locale) {
  return createTranslator({
    locale,
    messages: MESSAGES[locale],
    // A key missing in a language falls back to English rather than showing its name.
    getMessageFallback: ({ namespace, key }) => {
      const path = [namespace, key].filter(Boolean).join(".");
      const english = path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], en);
      return typeof english === "string" ? english : path;
    },
  });
}

/** next-intl's translator for a language, outside any request too (emails, text messages, server actions in tests). */
export function translator(locale: Locale = DEFAULT_LOCALE) {
  let t = translators.get(locale);
  if (!t) {
    t = makeTranslator(locale);
    translators.set(locale, t);
  }
  return t;
}

/**
 * The namespaces client components read (useTranslations): the only messages sent to the browser. Everything
 * else (error sentences, emails, activity and security-log labels) is translated on the server, and sending the
 * whole catalogue would put about 75 kB into every page. The organisation settings' words (ROUTE_NAMESPACES) are
 * added by that route's layout only. tests/i18n-messages.test.ts fails when a client component reads a namespace
 * missing from both.
 */
export const CLIENT_NAMESPACES = [
  "account",
  "backupCodes",
  "banner",
  "codes",
  "common",
  "confirmEmail",
  "emailChange",
  "errorPage",
  "forgot",
  "invite",
  "login",
  "methodDialogs",
  "mfa",
  "mfaSetup",
  "noOrganisation",
  "passkeys",
  "phone",
  "reenrolProof",
  "reset",
  "shell",
  "signup",
  "smsRegistration",
  "stepUp",
  "totpEnrollment",
  "turnOffMfa",
  "verify",
] as const satisfies readonly (keyof Messages)[];

/** Namespaces a route's own layout adds to the browser's messages: `app/(app)/org/settings/layout.tsx`. */
export const ROUTE_NAMESPACES = ["orgSettings"] as const satisfies readonly (keyof Messages)[];

const clientMessagesByLocale = new Map<Locale, Partial<Messages>>();

/** The part of a language's messages the browser needs (CLIENT_NAMESPACES), picked once per language. */
export function clientMessages(locale: Locale): Partial<Messages> {
  let picked = clientMessagesByLocale.get(locale);
  if (!picked) {
    picked = Object.fromEntries(CLIENT_NAMESPACES.map((ns) => [ns, MESSAGES[locale][ns]])) as Partial<Messages>;
    clientMessagesByLocale.set(locale, picked);
  }
  return picked;
}
