/**
 * An absolute link for an email: always on APP_URL, never on the host a request came in on (a forged Host
 * header must not put an attacker's address into a password-reset email; OWASP ASVS 5.0 V3.3). Production
 * refuses to start without APP_URL (lib/config/production.ts); development falls back to `next dev`'s address.
 */
export function appLink(path: string, params?: Record<string, string>): string {
  const url = new URL(path, process.env.APP_URL?.trim() || "http://localhost:3000");
  for (const [name, value] of Object.entries(params ?? {})) url.searchParams.set(name, value);
  return url.toString();
}
