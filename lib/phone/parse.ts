// One metadata set for parsing, validation and as-you-type formatting. "max" is needed because the
// smaller "min" set only checks lengths and the general pattern (it accepts "12345" for NL) and
// carries no number types, which we need to refuse premium-rate numbers.
import {
  AsYouType,
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";

export type { CountryCode };

export type Country = {
  code: CountryCode;
  /** In the page's language (Intl.DisplayNames). */
  name: string;
  /** Its English name when the page is in another language, so a search finds "Netherlands" and "Nederland" alike. */
  englishName?: string;
  /** Without the leading "+", e.g. "31". */
  callingCode: string;
};

export type PhoneErrorCode = "empty" | "too_long" | "invalid_chars" | "invalid";

export type ParsedPhone =
  | {
      ok: true;
      e164: string;
      /** The number's own region, which differs from the selected one when typed with "+"; undefined for non-geographic numbers (+800, +882 …). */
      country: CountryCode | undefined;
      /** National format for display, e.g. "06 12345678". */
      national: string;
    }
  | {
      ok: false;
      error: PhoneErrorCode;
      /** The region the number was checked against, for the error message. */
      country?: CountryCode;
    };

/** Region used when a locale names none we can map: the default is "US". */
export const FALLBACK_COUNTRY: CountryCode = "US";

/** Longest input accepted before parsing: 30 characters. */
export const MAX_PHONE_INPUT_LENGTH = 30;

/** ITU-T E.164: at most 15 digits, country code included. */
export const MAX_E164_DIGITS = 15;

// Any Unicode space, so numbers pasted with non-breaking or thin spaces are not refused.
const ALLOWED_CHARS = /^\+?[0-9\p{Zs}()\-./]*$/u;

export function toCountryCode(value: unknown): CountryCode | undefined {
  if (typeof value !== "string") return undefined;
  const code = value.trim().toUpperCase();
  return isSupportedCountry(code) ? code : undefined;
}

export function countryName(code: CountryCode, locale = "en"): string {
  return regionNames(locale)?.of(code) ?? code;
}

/** Every country with its name in `locale` (and its English name besides, for search), in that language's alphabetical order. */
export function listCountries(locale: string): Country[] {
  const names = regionNames(locale);
  const language = names?.resolvedOptions().locale ?? "en";
  const english = language.startsWith("en") ? undefined : regionNames("en");
  const collator = new Intl.Collator(language);
  return getCountries()
    .map((code) => ({
      code,
      name: names?.of(code) ?? code,
      ...(english ? { englishName: english.of(code) ?? code } : {}),
      callingCode: getCountryCallingCode(code),
    }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/**
 * The region subtag of a BCP 47 locale ("nl-NL" → "NL"). A locale without one takes its language's
 * likely region ("nl" → "NL", "en" → "US", "ja" → "JP"); anything unknown, malformed or
 * non-country ("es-419") falls back to FALLBACK_COUNTRY.
 */
export function countryFromLocale(locale: string | undefined): CountryCode {
  if (!locale) return FALLBACK_COUNTRY;
  try {
    const parsed = new Intl.Locale(locale.trim().replace(/_/g, "-"));
    return (
      toCountryCode(parsed.region) ??
      (parsed.region ? undefined : toCountryCode(parsed.maximize().region)) ??
      FALLBACK_COUNTRY
    );
  } catch {
    return FALLBACK_COUNTRY;
  }
}

export function parsePhone(input: string, country: CountryCode): ParsedPhone {
  let text = input.trim();
  if (text === "") return { ok: false, error: "empty" };
  if (text.length > MAX_PHONE_INPUT_LENGTH) return { ok: false, error: "too_long" };
  if (!ALLOWED_CHARS.test(text)) return { ok: false, error: "invalid_chars" };

  // The help article promises that "00" works like "+" whatever country is selected: it is the
  // international call prefix in most of the world.
  if (text.startsWith("00")) text = `+${text.slice(2)}`;
  const digits = text.replace(/\D/g, "");
  if (digits.length > MAX_E164_DIGITS) return { ok: false, error: "too_long" };

  const international = text.startsWith("+");
  const defaultCountry = toCountryCode(country);
  const phone = parsePhoneNumberFromString(text, {
    defaultCountry: international ? undefined : defaultCountry,
    extract: false,
  });
  if (!phone || phone.ext || !phone.isValid()) {
    return {
      ok: false,
      error: "invalid",
      country: international ? phone?.country : defaultCountry,
    };
  }
  return { ok: true, e164: phone.number, country: phone.country, national: phone.formatNational() };
}

/** "+31612345678" → "•••• 5678", so a registered number can be recognised without being shown. */
export function maskPhone(e164: string): string {
  return `\u2022\u2022\u2022\u2022 ${e164.replace(/\D/g, "").slice(-4)}`;
}

/** Formats partial input for display while typing; the result only holds characters parsePhone accepts. */
export function formatPhoneAsYouType(input: string, country: CountryCode): string {
  return new AsYouType(toCountryCode(country)).input(input);
}

function regionNames(locale: string): Intl.DisplayNames | undefined {
  for (const candidate of [locale, "en"]) {
    try {
      return new Intl.DisplayNames(candidate, { type: "region", fallback: "code" });
    } catch {
      // An invalid locale tag throws a RangeError; try English.
    }
  }
  return undefined;
}
