import { getDb } from "@/db/client";
import { ensureAuthSecret, MissingSecretError } from "@/lib/config/secrets";
import { ensureMfaEncryptionKey } from "@/lib/crypto/encryption";

/**
 * Refuses to start in production without AUTH_SECRET or MFA_ENCRYPTION_KEY, and starts opening (migrating,
 * seeding) the database. It does not wait for the database: Next meanwhile loads the code of the first
 * requests, which then wait for the same open (db/client.ts) instead of starting only after it.
 */
export async function startServer() {
  try {
    ensureAuthSecret();
    ensureMfaEncryptionKey();
  } catch (error) {
    if (error instanceof MissingSecretError) {
      console.error(`\n[auth] ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  getDb().catch((error: Error) => console.error(`[db] ${error.name}: the database could not be opened; requests will try again`));
}
