/** "14 December 2026": a deadline's day as every page, banner and message shows it (UTC, like the deadline itself). */
export function formatDay(date: Date | string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(date));
}

/** Whole UTC days from `now`'s day to `date`'s day: 0 on the day itself, 1 the day before. */
export function daysUntil(date: Date | string, now: Date): number {
  const day = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Math.round((day(new Date(date)) - day(now)) / 86_400_000);
}

/** "today", "tomorrow", "in 6 days". */
export function inDays(days: number): string {
  if (days <= 0) return "today";
  if (days === 1) return "tomorrow";
  return `in ${days} days`;
}
