import { DrizzleQueryError } from "drizzle-orm";
import { PgPreparedQuery } from "drizzle-orm/pg-core";

/**
 * A failed query without its bound values. Drizzle's own DrizzleQueryError puts every parameter in its
 * message ("params: <token hash>,<password hash>,+31612345678,…"), and Next logs an uncaught action or page
 * error in full: with Postgres down, every request would write session-token hashes, password hashes,
 * code HMACs or phone numbers to the log. This keeps the SQL text and the driver's error code (callers test
 * `cause.code === "23505"`), and drops the values, including Postgres's `detail` ("Key (email)=(…)").
 */
export class DatabaseQueryError extends Error {
  readonly query: string;
  constructor(query: string, cause: unknown) {
    super(`Failed query: ${query}`, { cause: safeCause(cause) });
    this.name = "DatabaseQueryError";
    this.query = query;
  }
}

const SAFE_FIELDS = ["code", "errno", "syscall", "severity", "routine", "table_name", "column_name", "constraint_name", "schema_name"];

function safeCause(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  const source = cause as Error & Record<string, unknown>;
  // Messages like `invalid input syntax for type uuid: "<value>"` end with the value: keep the words only.
  const safe = new Error(source.message.replace(/:\s*".*"\s*$/s, ': "…"')) as Error & Record<string, unknown>;
  safe.name = source.name;
  for (const key of SAFE_FIELDS) if (source[key] !== undefined) safe[key] = source[key];
  return safe;
}

let installed = false;

/** Makes every Drizzle pg query (Postgres and PGlite) fail with a DatabaseQueryError instead. Idempotent. */
export function redactQueryErrors(): void {
  if (installed) return;
  installed = true;
  const proto = PgPreparedQuery.prototype as unknown as { queryWithCache?: (...args: unknown[]) => Promise<unknown> };
  const original = proto.queryWithCache;
  if (typeof original !== "function") return;
  proto.queryWithCache = async function (this: unknown, queryString: unknown, ...rest: unknown[]) {
    try {
      return await original.call(this, queryString, ...rest);
    } catch (error) {
      if (error instanceof DrizzleQueryError) throw new DatabaseQueryError(String(queryString), error.cause);
      throw error;
    }
  };
}
