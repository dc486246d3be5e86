import { getDb } from "@/db/client";
import { ensureAuthSecret, MissingSecretError } from "@/lib/config/secrets";

/** Refuses to start in production without AUTH_SECRET; opens (migrates, seeds) the database before the first request. */
export async function startServer() {
  try {
    ensureAuthSecret();
  } catch (error) {
    if (error instanceof MissingSecretError) {
      console.error(`\n[auth] ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await getDb();
}
