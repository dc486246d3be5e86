import { domainToASCII } from "node:url";

/** Longest display name put into a From or To header; longer names are cut with "…". */
export const MAX_DISPLAY_NAME = 64;
/** Longest subject line; longer subjects are cut with "…". */
export const MAX_SUBJECT = 150;

/**
 * One line of header text from user-controlled words (a name, an organisation): control and format characters
 * (CR and LF above all, which would start a new header: header injection, OWASP ASVS 5.0 1.2.x; and bidi
 * overrides, which make a name read backwards) become spaces, runs of white space one space, and the result is
 * cut to `max` characters (whole code points) with "…".
 */
export function headerText(value: string, max: number): string {
  const flat = value
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

export interface Mailbox {
  name: string | null;
  address: string;
}

/**
 * Reads `Name <address>`, `"Name" <address>` or a bare `address` (as EMAIL_FROM is written); null when it is
 * not one mailbox.
 */
export function parseMailbox(text: string | undefined | null): Mailbox | null {
  const value = text?.trim();
  if (!value) return null;
  const angled = /^(.*?)\s*<([^<>\s]+)>$/s.exec(value);
  const rawName = angled ? angled[1].trim().replace(/^"(.*)"$/s, "$1").replace(/\\(.)/g, "$1") : "";
  const address = angled ? angled[2] : value;
  if (!asciiAddress(address)) return null;
  const name = headerText(rawName, MAX_DISPLAY_NAME);
  return { name: name || null, address };
}

/**
 * An address as SES accepts it, or null: the local part 7-bit ASCII (RFC 5321 dot-atom, at most 64 octets), the
 * domain in its ASCII form, an internationalised domain name converted to Punycode (RFC 3492, via IDNA/UTS #46).
 * SES refuses a non-ASCII local part (that needs SMTPUTF8), so such an address cannot be sent to at all.
 */
export function asciiAddress(address: string): string | null {
  if (typeof address !== "string" || address.length > 320) return null;
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return null;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(local)) return null;
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 253 || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(ascii)) return null;
  return `${local}@${ascii}`;
}

/**
 * A mailbox for a From or To header: `"Name" <local@domain>` with the name quoted (RFC 5322 3.2.4) when it is
 * ASCII, or as RFC 2047 encoded-words (UTF-8, base64) when it is not, as SES requires; the domain in Punycode.
 * The name is one line, at most MAX_DISPLAY_NAME characters. Null when the address cannot be sent to.
 */
export function formatMailbox(mailbox: { name?: string | null; address: string }): string | null {
  const address = asciiAddress(mailbox.address);
  if (!address) return null;
  const name = headerText(mailbox.name ?? "", MAX_DISPLAY_NAME);
  if (!name) return address;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/(["\\])/g, "\\$1")}" <${address}>`;
  return `${encodedWords(name)} <${address}>`;
}

/** RFC 2047 encoded-words (`=?UTF-8?B?…?=`), each at most 75 characters, never splitting a character. */
export function encodedWords(text: string): string {
  // 75 - "=?UTF-8?B?".length - "?=".length = 63 base64 characters, so at most 45 bytes (60 characters) per word.
  const MAX_BYTES = 45;
  const words: string[] = [];
  let chunk = "";
  for (const char of text) {
    if (Buffer.byteLength(chunk + char, "utf8") > MAX_BYTES) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, "utf8").toString("base64")}?=`).join(" ");
}
