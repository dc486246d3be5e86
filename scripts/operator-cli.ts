// What the operators' commands (npm run admin:*) share: the argument, the database, the exit code.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { connect, dataDir, type Db, migrate } from "../db/connect";
import { emailAddressSchema } from "../lib/auth/schemas";

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** An open database (the tests'); without it the command opens DATABASE_URL, or the embedded one. */
  db?: Db;
}

const consoleIo: CliIo = { out: (line) => console.info(line), err: (line) => console.error(line) };

/**
 * Reads the one argument, an email address: help with `--help` or nothing, exit code 2 for a malformed one
 * (the command runs with the address and the database otherwise, and returns its own code).
 */
export async function runWithEmail(
  args: string[],
  usage: string,
  io: CliIo,
  command: (db: Db, email: string) => Promise<number>,
): Promise<number> {
  const given = args.filter((a) => a !== "--");
  if (given.length === 0 || given.some((a) => a === "--help" || a === "-h")) {
    (given.length === 0 ? io.err : io.out)(usage);
    return given.length === 0 ? 2 : 0;
  }
  if (given.length > 1) {
    io.err(`Give one email address, not ${given.length} arguments.\n\n${usage}`);
    return 2;
  }
  const parsed = emailAddressSchema.safeParse(given[0]);
  if (!parsed.success) {
    io.err(`"${given[0].slice(0, 254)}" is not an email address.\n\n${usage}`);
    return 2;
  }
  if (io.db) return command(io.db, parsed.data);
  const url = process.env.DATABASE_URL;
  // The embedded database has one owner: with the dev server running, this must not open it (see README).
  const conn = await connect({ url, dir: url ? null : path.join(dataDir(), "pglite"), max: 1 });
  try {
    await migrate(conn);
    return await command(conn.db, parsed.data);
  } finally {
    await conn.close();
  }
}

/** Runs `main` when the file is the command itself (tsx scripts/….ts), not when a test imports it. */
export function runIfInvoked(moduleUrl: string, main: (args: string[], io: CliIo) => Promise<number>) {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(path.resolve(process.argv[1])).href) return;
  main(process.argv.slice(2), consoleIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`Failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
