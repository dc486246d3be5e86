import { DEFAULT_LOCALE, type Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";

/** Product name shown in SMS texts. Env `APP_NAME`, default "Feedback Accounts". */
export const DEFAULT_APP_NAME = "Feedback Accounts";

/**
 * The text of a verification-code SMS, in the recipient's language (messages/*.json `sms.code`). Its last line
 * is an origin-bound one-time code (https://wicg.github.io/sms-one-time-codes/): `@<host> #<code>`, the same in
 * every language, so browsers can offer the code only on this site. The spec builds the origin as
 * ("https", host, null port): the host never carries a port.
 */
export function formatCodeMessage(input: { product?: string; code: string; minutes: number; host: string; locale?: Locale }): string {
  const product = (input.product ?? process.env.APP_NAME ?? DEFAULT_APP_NAME).replace(/\s+/g, " ").trim();
  if (!/^\S+$/.test(input.code)) throw new Error("formatCodeMessage: the code must not contain whitespace");
  const text = translator(input.locale ?? DEFAULT_LOCALE)("sms.code", { product, code: input.code, minutes: input.minutes });
  return `${text}\n\n@${bareHost(input.host)} #${input.code}`;
}

/** "Example.com:3000", "https://example.com/x" or "example.com" → "example.com". */
function bareHost(host: string): string {
  const trimmed = host.trim();
  const url = new URL(trimmed.includes("://") ? trimmed : `http://${trimmed}`);
  return url.hostname;
}
