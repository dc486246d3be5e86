// After `next build`: a migrated, demo-seeded embedded database as a tarball next to the standalone
// server (.next/standalone/db/template.tar.gz). A new data folder starts from it instead of running
// PGlite's initdb (db/connect.ts), which cuts the first start by seconds. Nothing secret is in it: the
// demo passwords are public and the secrets live in the data folder, not in the database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect, migrate } from "../db/connect";
import { seedDemo } from "../db/seed";
import { hashPassword } from "../lib/auth/password";

const out = path.join(".next", "standalone", "db", "template.tar.gz");
if (!fs.existsSync(path.dirname(out))) {
  console.info("[template] no standalone build; skipped");
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "feedback-template-"));
try {
  const started = performance.now();
  const conn = await connect({ dir, template: false });
  await migrate(conn, path.join("db", "migrations"));
  await seedDemo(conn.db, hashPassword);
  const tarball = await conn.dump?.();
  await conn.close();
  if (!tarball) throw new Error("the embedded database could not be dumped");
  fs.writeFileSync(out, Buffer.from(await tarball.arrayBuffer()));
  console.info(`[template] ${out} (${(tarball.size / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
