import crypto from "node:crypto";

/** Have I Been Pwned's Pwned Passwords range API. Env `PASSWORD_BREACH_CHECK_URL` overrides it (tests use a local stand-in). */
export const HIBP_RANGE_URL = "https://api.pwnedpasswords.com/range/";
/** How long a new password waits for the range API before it is treated as not found. */
export const BREACH_CHECK_TIMEOUT_MS = 3000;

type Env = Record<string, string | undefined>;

/** PASSWORD_BREACH_CHECK=hibp turns the check on; off by default (it sends a hash prefix to a third party). */
export function breachCheckEnabled(env: Env = process.env): boolean {
  return env.PASSWORD_BREACH_CHECK === "hibp";
}

/**
 * Whether Have I Been Pwned has seen this password in a breach. k-anonymity: only the first 5 hex characters
 * of its SHA-1 leave the server, and the answer (padded, so its size says nothing) lists the suffixes that
 * share them. A failure or a timeout counts as "not found", with a log line that names neither the password
 * nor any part of its hash: the blocklist still applies, and sign-up does not depend on a third party.
 */
export async function isPwnedPassword(password: string, options: { env?: Env; timeoutMs?: number } = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const hash = crypto.createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();
  const base = env.PASSWORD_BREACH_CHECK_URL || HIBP_RANGE_URL;
  try {
    const response = await fetch(`${base.endsWith("/") ? base : `${base}/`}${hash.slice(0, 5)}`, {
      headers: { "add-padding": "true", "user-agent": "feedback-accounts" },
      signal: AbortSignal.timeout(options.timeoutMs ?? BREACH_CHECK_TIMEOUT_MS),
    });
    if (!response.ok) {
      console.warn(`[password] the breach check answered HTTP ${response.status}; the new password was checked against the blocklist only`);
      return false;
    }
    const suffix = hash.slice(5);
    for (const line of (await response.text()).split("\n")) {
      const [candidate, count] = line.trim().split(":");
      // Padding lines carry a count of 0.
      if (candidate === suffix) return Number(count) > 0;
    }
    return false;
  } catch (error) {
    console.warn(`[password] the breach check failed (${(error as Error).name}); the new password was checked against the blocklist only`);
    return false;
  }
}
