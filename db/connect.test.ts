import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { connect, MIGRATIONS_FOLDER, migrate, rowsOf } from "./connect";
import { users } from "./schema";
import { seedDemo } from "./seed";

// The demo passwords' hashes are not checked here; a real bcrypt hash would only cost time.
const fakeHash = async (password: string) => `not-a-hash:${password}`;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "connect-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the embedded database's start", () => {
  it("starts a new data folder from the template tarball: migrated and seeded without running either", async () => {
    const source = await connect({ dir: path.join(scratch, "source"), template: false });
    await migrate(source);
    await seedDemo(source.db, fakeHash);
    const tarball = await source.dump?.();
    await source.close();
    if (!tarball) throw new Error("no dump");
    const file = path.join(scratch, "template.tar.gz");
    fs.writeFileSync(file, Buffer.from(await tarball.arrayBuffer()));

    const fresh = await connect({ dir: path.join(scratch, "fresh"), template: file });
    try {
      expect((await fresh.db.select({ email: users.email }).from(users)).map((u) => u.email).sort()).toEqual(["admin@acme.test", "member@acme.test"]);
      // Already up to date and seeded: both are no-ops.
      await migrate(fresh);
      expect(await seedDemo(fresh.db, fakeHash)).toBe(false);
    } finally {
      await fresh.close();
    }
    // Opened again, the folder is used as it is (the template only fills a new folder).
    const again = await connect({ dir: path.join(scratch, "fresh"), template: path.join(scratch, "missing.tar.gz") });
    try {
      expect(await again.db.select({ email: users.email }).from(users)).toHaveLength(2);
    } finally {
      await again.close();
    }
  }, 60_000);

  it("still applies a migration newer than the last one recorded (the up-to-date check does not skip it)", async () => {
    const conn = await connect({ dir: null });
    try {
      await migrate(conn);
      const folder = path.join(scratch, "migrations");
      fs.cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
      const journalFile = path.join(folder, "meta", "_journal.json");
      const journal = JSON.parse(fs.readFileSync(journalFile, "utf8"));
      const last = journal.entries.at(-1);
      journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: "9999_test_extra" });
      fs.writeFileSync(journalFile, JSON.stringify(journal));
      fs.writeFileSync(path.join(folder, "9999_test_extra.sql"), "create table test_extra (id integer primary key);");

      await migrate(conn, folder);
      const tables = rowsOf<{ n: number }>(await conn.db.execute(sql`select count(*)::int as n from pg_tables where tablename = 'test_extra'`));
      expect(tables[0].n).toBe(1);
      // And a second run is a no-op rather than a failure.
      await migrate(conn, folder);
    } finally {
      await conn.close();
    }
  }, 60_000);
});
