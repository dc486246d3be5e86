import { AsyncLocalStorage } from "node:async_hooks";
import { DEFAULT_LOCALE, type Locale } from "./locales";
import { translator } from "./messages";

/**
 * The language of the work in progress: a server action or route handler runs inside withLocale (the action
 * client, lib/actions/client.ts), so the domain's words (lib/mfa/words.ts, lib/org/errors.ts, zod messages)
 * follow the request without every call passing it. Outside one (jobs, tests, scripts) it is English.
 */
const store = new AsyncLocalStorage<Locale>();

export function withLocale<T>(locale: Locale, run: () => T): T {
  return store.run(locale, run);
}

export function currentLocale(): Locale {
  return store.getStore() ?? DEFAULT_LOCALE;
}

/** The translator of the current language. */
export function t(): ReturnType<typeof translator> {
  return translator(currentLocale());
}

type Values = Record<string, string | number>;

/** A message by its full key, for keys built at run time (error codes); falls back to English, then to the key. */
export function say(key: string, values?: Values): string {
  return (t() as unknown as (key: string, values?: Values) => string)(key, values);
}

/**
 * An error-code → sentence map whose sentences are read in the current language each time (`MFA_ERRORS.code_wrong`).
 * Its keys are the English messages' keys under `namespace`; `values` fills a sentence's placeholders.
 */
export function localizedWords<M extends Record<string, string>>(
  namespace: string,
  english: M,
  values: Partial<Record<keyof M, Values>> = {},
): { readonly [K in keyof M]: string } {
  const words = {} as { [K in keyof M]: string };
  for (const key of Object.keys(english) as (keyof M & string)[])
    Object.defineProperty(words, key, { enumerable: true, get: () => say(`${namespace}.${key}`, values[key]) });
  return Object.freeze(words);
}

/** A zod message read when the input is checked, so in the request's language: `.min(1, inLanguage("validation.nameEmpty"))`. */
export function inLanguage(key: string, values?: Values): { error: () => string } {
  return { error: () => say(key, values) };
}
