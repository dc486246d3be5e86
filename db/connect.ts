import fs from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { redactQueryErrors } from "./redact-errors";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Connection {
  db: Db;
  kind: "pglite" | "postgres";
  url?: string;
  close: () => Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(/* turbopackIgnore: true */ process.cwd(), "db", "migrations");

/** Folder for the embedded database and generated development secrets. Default: `.data`. */
export function dataDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), process.env.DATA_DIR ?? ".data");
}

/** Opens Postgres when a URL is given, otherwise an embedded PGlite database in `dir` (or in memory). */
export async function connect(options: { url?: string; dir?: string | null; max?: number }): Promise<Connection> {
  // Failed queries must not carry their bound values (token hashes, password hashes, phone numbers) into logs.
  redactQueryErrors();
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => {},
      connect_timeout: 5,
      idle_timeout: 30,
    });
    return { db: drizzle(client, { schema }) as unknown as Db, kind: "postgres", url: options.url, close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dir) fs.mkdirSync(options.dir, { recursive: true });
  const client = options.dir ? new PGlite(options.dir) : new PGlite();
  await client.waitReady;
  return { db: drizzle(client, { schema }) as unknown as Db, kind: "pglite", close: () => client.close() };
}

/** Applies the committed drizzle-kit migrations. On Postgres an advisory lock keeps two starting instances from racing. */
export async function migrate(conn: Connection, folder = MIGRATIONS_FOLDER): Promise<void> {
  if (conn.kind === "pglite") {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    await run(conn.db as never, { migrationsFolder: folder });
    return;
  }
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(conn.url as string, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(727274)`;
    await run(drizzle(client), { migrationsFolder: folder });
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** The rows of a raw `db.execute` result: postgres-js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}
