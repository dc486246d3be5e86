import { getDb } from "@/db/client";
import { ensureAuthSecret, MissingSecretError } from "@/lib/config/secrets";
import { ensureMfaEncryptionKey } from "@/lib/crypto/encryption";

/** Refuses to start in production without AUTH_SECRET or MFA_ENCRYPTION_KEY; opens (migrates, seeds) the database before the first request. */
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
  await getDb();
}
