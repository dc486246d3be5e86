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
