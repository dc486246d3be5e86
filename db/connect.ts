import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { compileFast } from "./compile";
import { redactQueryErrors } from "./redact-errors";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Connection {
  db: Db;
  kind: "pglite" | "postgres";
  url?: string;
  close: () => Promise<void>;
  /** PGlite only: the data folder as a gzipped tarball (scripts/make-db-template.ts). */
  dump?: () => Promise<Blob>;
}

export const MIGRATIONS_FOLDER = path.join(/* turbopackIgnore: true */ process.cwd(), "db", "migrations");
/**
 * A migrated, demo-seeded embedded database made by `npm run build` (scripts/make-db-template.ts). A new
 * data folder starts from it instead of running PGlite's initdb, which takes seconds.
 */
export const TEMPLATE_FILE = path.join(/* turbopackIgnore: true */ process.cwd(), "db", "template.tar.gz");

/** Folder for the embedded database and generated development secrets. Default: `.data`. */
export function dataDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), process.env.DATA_DIR ?? ".data");
}

type PgClient = import("postgres").Sql | import("postgres").TransactionSql;

/**
 * Makes every parameterised statement of this client (and of its transactions) a named one. Drizzle asks
 * postgres.js for unnamed statements unless a query is given a name (it passes prepare: false), so Postgres
 * parsed and planned every call again: most of its CPU on a sign-in (docs/performance.md). A named statement
 * is parsed once per connection and, once a generic plan serves it as well, planned once. Every statement
 * text the app sends is fixed (values are always parameters), so the set stays small, and postgres.js drops
 * it with the connection (max_lifetime). A pooler in transaction mode that cannot keep named statements gets
 * DATABASE_PREPARE=false (db/client.ts).
 */
function preparing<T extends PgClient>(client: T): T {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, args?: never[] | object, options?: object) =>
    // postgres.js also takes (query, options) without values.
    Array.isArray(args) || args === undefined ? unsafe(query, args, { ...options, prepare: true }) : unsafe(query, [], { ...args, prepare: true })) as T["unsafe"];
  if ("begin" in client) {
    const begin = client.begin.bind(client) as (options: string, fn: (tx: PgClient) => unknown) => Promise<unknown>;
    client.begin = ((options: string | ((tx: PgClient) => unknown), fn?: (tx: PgClient) => unknown) =>
      typeof options === "function" ? begin("", (tx) => options(preparing(tx))) : begin(options, (tx) => fn?.(preparing(tx)))) as never;
  }
  if ("savepoint" in client) {
    const savepoint = client.savepoint.bind(client) as (name: string, fn: (tx: PgClient) => unknown) => Promise<unknown>;
    client.savepoint = ((name: string | ((tx: PgClient) => unknown), fn?: (tx: PgClient) => unknown) =>
      typeof name === "function" ? savepoint("", (tx) => name(preparing(tx))) : savepoint(name, (tx) => fn?.(preparing(tx)))) as never;
  }
  return client;
}

/** Opens Postgres when a URL is given, otherwise an embedded PGlite database in `dir` (or in memory). */
export async function connect(options: {
  url?: string;
  dir?: string | null;
  max?: number;
  /** The tarball a new data folder starts from (default TEMPLATE_FILE, if it exists); false for a bare initdb. */
  template?: string | false;
  /** Postgres only: named statements, parsed and planned once per connection (default true; see preparing). */
  prepare?: boolean;
}): Promise<Connection> {
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
    if (options.prepare !== false) preparing(client);
    return { db: compileFast(drizzle(client, { schema })) as unknown as Db, kind: "postgres", url: options.url, close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dir) fs.mkdirSync(options.dir, { recursive: true });
  const isNew = options.dir && !fs.existsSync(path.join(options.dir, "PG_VERSION"));
  const templateFile = options.template === false ? null : (options.template ?? TEMPLATE_FILE);
  const template = isNew && templateFile && fs.existsSync(templateFile) ? new Blob([fs.readFileSync(templateFile)]) : undefined;
  // `npm start` (scripts/start.mjs) may have started opening this folder while Next booted.
  const early = (globalThis as { __earlyPglite?: { dir: string; client: InstanceType<typeof PGlite> } }).__earlyPglite;
  const opened = early && options.dir && path.resolve(early.dir) === path.resolve(options.dir) ? early.client : null;
  if (opened) delete (globalThis as { __earlyPglite?: unknown }).__earlyPglite;
  // In memory, an explicit template gives a database that starts out migrated (the test suite's one per file).
  const memoryTemplate = !options.dir && typeof options.template === "string" ? new Blob([fs.readFileSync(options.template)]) : undefined;
  const client =
    opened ?? (options.dir ? new PGlite(options.dir, template ? { loadDataDir: template } : {}) : new PGlite(memoryTemplate ? { loadDataDir: memoryTemplate } : {}));
  await client.waitReady;
  return {
    db: compileFast(drizzle(client, { schema })) as unknown as Db,
    kind: "pglite",
    close: () => client.close(),
    dump: () => client.dumpDataDir("gzip"),
  };
}

/** Applies the committed drizzle-kit migrations. On Postgres an advisory lock keeps two starting instances from racing. */
export async function migrate(conn: Connection, folder = MIGRATIONS_FOLDER): Promise<void> {
  if (conn.kind === "pglite") {
    // An embedded database opened again is usually up to date: one query instead of the migrator's work.
    if (await upToDate(conn.db, folder)) return;
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

/** Whether the newest migration in the folder's journal is already recorded as applied. */
async function upToDate(db: Db, folder: string): Promise<boolean> {
  try {
    const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
    const newest = Math.max(...journal.entries.map((e) => e.when));
    const rows = rowsOf<{ created_at: string | number }>(
      await db.execute(sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`),
    );
    return rows.length === 1 && Number(rows[0].created_at) >= newest;
  } catch {
    // No migrations table yet (a new database) or no journal: let the migrator decide.
    return false;
  }
}

/** The rows of a raw `db.execute` result: postgres-js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}
