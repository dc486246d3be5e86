import crypto from "node:crypto";

export type CronVerdict = "allowed" | "refused" | "disabled";

/**
 * Whether a request may run the periodic jobs (app/api/cron/route.ts): its Authorization header must be
 * `Bearer <CRON_SECRET>`, as Vercel's cron sends it. Without CRON_SECRET the route does not exist. Compared as
 * SHA-256 digests in constant time, so neither the secret's content nor its length leaks through timing
 * (OWASP ASVS 5.0 11.2.4).
 */
export function cronVerdict(authorization: string | null, secret = process.env.CRON_SECRET): CronVerdict {
  const expected = secret?.trim();
  if (!expected) return "disabled";
  const digest = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest();
  return crypto.timingSafeEqual(digest(authorization ?? ""), digest(`Bearer ${expected}`)) ? "allowed" : "refused";
}
