import { Column, entityKind, is, type Name, type Param, type SQL, type StringChunk, Table } from "drizzle-orm";
import type { PgDialect } from "drizzle-orm/pg-core";

/**
 * Turning a statement into text and parameters, without Drizzle's general walker for the common pieces.
 *
 * Drizzle compiles every statement by asking each piece of each fragment, in turn, whether it is text, a
 * name, a fragment, a table, a column, a view, a bound value, ... (an `is` check that walks the prototype
 * chain each time it fails). The single-statement sign-in is a few dozen fragments, and that walk was about a
 * third of the code step's JavaScript (docs/performance.md). This compiles the pieces the app's statements
 * are made of (text, nested fragments, plain values, names, tables and columns of the public schema, values
 * bound to a column) by the name of their kind, to exactly the text and parameters Drizzle would produce; any
 * other piece (a placeholder, a list, a date, a subquery, inlined values, ...) hands the whole statement
 * back to Drizzle.
 */

type Compiled = { sql: string; params: unknown[] };
type Casing = { getColumnCasing(column: Column): string };

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
// Drizzle keeps a table's name and schema under symbols its types leave out; its own compiler reads the same.
const TABLE = (Table as unknown as { Symbol: { Name: symbol; Schema: symbol } }).Symbol;
const named = (table: object) => table as Record<symbol, string | undefined>;
const inlined = (statement: SQL) => (statement as unknown as { shouldInlineParams: boolean }).shouldInlineParams;

/**
 * A piece's kind, by the name Drizzle gives each of its classes. Next bundles the server in several parts,
 * each with its own copy of Drizzle, so a statement can be built with one copy's classes and compiled by
 * another's: `instanceof` would say no, the kind's name (under a registered symbol) says the same in all.
 */
const kindOf = (chunk: object) => (chunk.constructor as { [entityKind]?: string } | undefined)?.[entityKind];

function walk(chunks: unknown[], out: Compiled, casing: Casing): boolean {
  for (const chunk of chunks) {
    if (chunk === null || typeof chunk === "string" || typeof chunk === "number" || typeof chunk === "boolean") {
      out.params.push(chunk);
      out.sql += `$${out.params.length}`;
      continue;
    }
    // Drizzle writes nothing for an undefined piece.
    if (chunk === undefined) continue;
    if (typeof chunk !== "object") return false;
    switch (kindOf(chunk)) {
      case "StringChunk": {
        const { value } = chunk as StringChunk;
        out.sql += value.length === 1 ? value[0] : value.join("");
        break;
      }
      case "SQL":
        if (inlined(chunk as SQL) || !walk((chunk as SQL).queryChunks, out, casing)) return false;
        break;
      case "Name":
        out.sql += quote((chunk as Name).value);
        break;
      case "Param": {
        const param = chunk as Param;
        // A placeholder, or a value the column's encoder might turn into a fragment: Drizzle's own path.
        if (param.value !== null && typeof param.value === "object" && !(param.value instanceof Date)) return false;
        const value = param.value === null ? null : param.encoder.mapToDriverValue(param.value);
        if (value !== null && typeof value === "object" && !(value instanceof Date)) return false;
        out.params.push(value);
        out.sql += `$${out.params.length}`;
        break;
      }
      case "PgTable": {
        const table = named(chunk);
        if (table[TABLE.Schema] !== undefined) return false;
        out.sql += quote(table[TABLE.Name] as string);
        break;
      }
      default: {
        if (!is(chunk, Column)) return false;
        const table = named((chunk as Column).table);
        if (table[TABLE.Schema] !== undefined) return false;
        out.sql += `${quote(table[TABLE.Name] as string)}.${quote(casing.getColumnCasing(chunk as Column))}`;
      }
    }
  }
  return true;
}

/** The statement's text and parameters, or null when it holds a piece only Drizzle's own compiler knows. */
export function compileStatement(statement: SQL, casing: Casing): Compiled | null {
  if (inlined(statement)) return null;
  const out: Compiled = { sql: "", params: [] };
  return walk(statement.queryChunks, out, casing) ? out : null;
}

/**
 * Makes a Drizzle database compile its statements here first (raw `sql` statements and the query builders'
 * alike go through the dialect's sqlToQuery). Transactions share the dialect, so they are covered too.
 */
export function compileFast<T extends object>(db: T): T {
  const dialect = (db as unknown as { dialect: PgDialect & { casing: Casing } }).dialect;
  const general = dialect.sqlToQuery.bind(dialect);
  dialect.sqlToQuery = ((statement: SQL, invokeSource?: "indexes") =>
    (invokeSource === undefined ? compileStatement(statement, dialect.casing) : null) ?? general(statement, invokeSource)) as PgDialect["sqlToQuery"];
  return db;
}
