// `npm start`: runs the standalone server in this process. The server changes into its own folder, so the
// embedded database folder is pinned to the project's .data unless DATA_DIR says otherwise.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

process.env.DATA_DIR = path.resolve(process.env.DATA_DIR ?? ".data");

// An existing embedded database starts opening now, while Next boots; db/connect.ts takes it over.
const dir = path.join(process.env.DATA_DIR, "pglite");
if (!process.env.DATABASE_URL && fs.existsSync(path.join(dir, "PG_VERSION"))) {
  const { PGlite } = await import("@electric-sql/pglite");
  globalThis.__earlyPglite = { dir, client: new PGlite(dir) };
}
await import(pathToFileURL(path.resolve(".next/standalone/server.js")).href);
