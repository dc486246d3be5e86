import { currentLocale, say } from "@/lib/i18n/context";
import { type CountryCode, countryName, type PhoneErrorCode } from "./parse";

/** The sentence for a phone number's problem, in the current language (kept apart from parse.ts, which the browser loads). */
export function phoneErrorMessage(error: PhoneErrorCode, country?: CountryCode): string {
  if (error === "invalid" && country) return say("phone.invalidFor", { country: countryName(country, currentLocale()) });
  return say(`phone.${error}`);
}
