import "server-only";
import path from "node:path";
import { type Connection, connect, dataDir, type Db, migrate } from "./connect";

export type { Db };

/** Fills a new embedded database (the demo organisation) before anyone gets it. */
export type Seed = (db: Db) => Promise<void>;

const globalForDb = globalThis as unknown as { __dbReady?: Promise<Connection>; __dbSeed?: Seed };

async function open(): Promise<Connection> {
  const url = process.env.DATABASE_URL;
  const dir = url ? null : path.join(dataDir(), "pglite");
  const conn = await connect({ url, dir, max: Number(process.env.DATABASE_POOL_SIZE) || 10, prepare: process.env.DATABASE_PREPARE !== "false" });
  if (!url || process.env.DB_AUTO_MIGRATE !== "false") await migrate(conn);
  if (!url) {
    closeOnExit(conn);
    await globalForDb.__dbSeed?.(conn.db);
    console.info(`[db] Embedded PGlite database in ${dir} (development only; set DATABASE_URL for Postgres).`);
  }
  return conn;
}

/**
 * The embedded database is shut down cleanly when the server is stopped (Ctrl-C, SIGTERM), so the next
 * start opens it straight away instead of recovering it from its write-ahead log first.
 */
function closeOnExit(conn: Connection) {
  let closing = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      conn
        .close()
        .catch(() => {})
        .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
}

/**
 * Starts opening the process-wide database when the server starts (lib/server/startup.ts). The seed comes from
 * the caller because it hashes passwords, which db/ leaves to lib/; it is kept for a retry after a failed open.
 */
export function openDb(seed: Seed): Promise<Db> {
  globalForDb.__dbSeed = seed;
  return getDb();
}

/**
 * The process-wide database. Kept on globalThis because Next bundles the proxy and the routes
 * separately and PGlite must have exactly one owner per data folder.
 */
export function getDb(): Promise<Db> {
  globalForDb.__dbReady ??= open().catch((error) => {
    globalForDb.__dbReady = undefined;
    throw error;
  });
  return globalForDb.__dbReady.then((c) => c.db);
}
