import { headerText } from "../address";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "30 November 2026", in UTC: the same for every reader, whatever their mail client's time zone. */
export function formatDate(iso: string): string {
  const date = parse(iso);
  return date ? `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}` : "an unknown date";
}

/** "30 November 2026 at 14:05 UTC". */
export function formatDateTime(iso: string): string {
  const date = parse(iso);
  if (!date) return "an unknown time";
  const time = `${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")}`;
  return `${formatDate(iso)} at ${time} UTC`;
}

/** "1 hour", "24 hours", "1 minute", "30 minutes". */
export function duration(count: number, unit: "minute" | "hour"): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/**
 * A name, organisation or browser from a user, for the body of an email: one line (control and bidi
 * characters dropped) and at most `max` characters. React escapes it for HTML.
 */
export function clean(value: string | null | undefined, max = 80): string {
  return headerText(value ?? "", max);
}
