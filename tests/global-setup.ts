import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { connect, migrate } from "@/db/connect";

/**
 * Once per run: an embedded database with every migration applied, saved as a tarball. Each test file then
 * starts its own in-memory database from it (tests/helpers/db.ts) instead of migrating from nothing.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) return;
  const conn = await connect({ dir: null, template: false });
  await migrate(conn);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-template-"));
  const file = path.join(dir, "migrated.tar.gz");
  const dump = await conn.dump?.();
  if (!dump) throw new Error("the embedded database could not be dumped");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await conn.close();
  project.provide("pgliteTemplate", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
