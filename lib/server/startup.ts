import { getDb, openDb } from "@/db/client";
import { describeDemoAccounts, seedDemo } from "@/db/seed";
import { hashPassword } from "@/lib/auth/password";
import { unsafeProductionSettings } from "@/lib/config/production";
import { ensureAuthSecret, MissingSecretError } from "@/lib/config/secrets";
import { ensureMfaEncryptionKey } from "@/lib/crypto/encryption";
import { trustedProxyHops } from "@/lib/auth/request-info";
import { startPeriodicJobs } from "@/lib/jobs/runner";

/** Every reason not to start: production settings that are only safe on this machine, and missing secrets. */
function startupRefusals(): string[] {
  const refusals = unsafeProductionSettings(process.env);
  for (const ensure of [ensureAuthSecret, ensureMfaEncryptionKey]) {
    try {
      ensure();
    } catch (error) {
      if (!(error instanceof MissingSecretError)) throw error;
      refusals.push(error.message);
    }
  }
  return refusals;
}

/**
 * Refuses to start in production with unsafe settings (lib/config/production.ts) or without AUTH_SECRET or
 * MFA_ENCRYPTION_KEY, printing one line for each, starts opening (migrating, seeding) the database, and starts
 * the periodic jobs (lib/jobs/runner.ts; not under Vercel, where /api/cron runs them). It
 * does not wait for the database: Next meanwhile loads the code of the first requests, which then wait for
 * the same open (db/client.ts) instead of starting only after it.
 */
export async function startServer() {
  const refusals = startupRefusals();
  if (refusals.length > 0) {
    console.error(`\n${refusals.map((line) => `[config] ${line}`).join("\n")}\n`);
    process.exit(1);
  }
  if (process.env.NODE_ENV === "production" && trustedProxyHops() === 0)
    console.warn(
      "[security] TRUSTED_PROXY_HOPS is 0: client addresses are unknown, so per-IP limits are off (per-account, per-number and daily limits still apply). Set it to the number of proxies in front of the app.",
    );
  if (process.env.VERCEL && !process.env.CRON_SECRET?.trim())
    console.warn(
      "[jobs] CRON_SECRET is not set: on Vercel the periodic jobs (email retries among them) run only through /api/cron, which needs it. Set CRON_SECRET.",
    );
  openDb(async (db) => {
    if (await seedDemo(db, hashPassword)) console.info(`[db] Created demo data in the embedded database.\n${describeDemoAccounts()}`);
  }).catch((error: Error) => console.error(`[db] ${error.name}: the database could not be opened; requests will try again`));
  // Email queued while no server ran goes out now; retries and abandoned claims every minute after.
  startPeriodicJobs(getDb);
}
