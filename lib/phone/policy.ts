import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Countries we send SMS to unless SMS_ALLOWED_COUNTRIES says otherwise: the EU/EEA, the UK,
 * Switzerland, the US, Canada, Australia and New Zealand. "*" allows every country.
 * An allowlist keeps SMS toll fraud (pumping codes to expensive destinations) from costing money.
 */
export const DEFAULT_SMS_COUNTRIES =
  "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE,IS,LI,NO,GB,CH,US,CA,AU,NZ";

export function allowedSmsCountries(): Set<string> | "all" {
  const raw = (process.env.SMS_ALLOWED_COUNTRIES ?? DEFAULT_SMS_COUNTRIES).trim();
  if (raw === "*") return "all";
  return new Set(raw.split(",").map((c) => c.trim().toUpperCase()).filter(Boolean));
}

export type SmsDestinationProblem = "country_not_allowed" | "premium_rate";

/** Whether an E.164 number may receive our codes: an allowed country, and not premium-rate or shared-cost. */
export function smsDestinationProblem(e164: string): SmsDestinationProblem | null {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return "country_not_allowed";
  const type = phone.getType();
  if (type === "PREMIUM_RATE" || type === "SHARED_COST") return "premium_rate";
  const allowed = allowedSmsCountries();
  if (allowed !== "all" && !(phone.country && allowed.has(phone.country as CountryCode))) return "country_not_allowed";
  return null;
}
