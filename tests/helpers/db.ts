import crypto from "node:crypto";
import fs from "node:fs";
import { inject } from "vitest";
import { type Connection, connect, type Db, migrate } from "@/db/connect";

export interface TestDb {
  db: Db;
  kind: Connection["kind"];
  close: () => Promise<void>;
}

/**
 * A migrated database for one test file: in-memory PGlite by default, or, when TEST_DATABASE_URL is set,
 * a fresh database on that Postgres server (dropped again by close()).
 */
export async function getTestDb(): Promise<TestDb> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    // Started from the run's migrated template (tests/global-setup.ts); migrate() then only confirms it is current.
    const template = inject("pgliteTemplate");
    const conn = await connect({ dir: null, template: template && fs.existsSync(template) ? template : false });
    await migrate(conn);
    return { db: conn.db, kind: conn.kind, close: conn.close };
  }
  const name = `t_${crypto.randomBytes(6).toString("hex")}`;
  const admin = await connect({ url: serverUrl, max: 1 });
  await admin.db.execute(`create database ${name}` as never);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const conn = await connect({ url: url.toString(), max: 20 });
  await migrate(conn);
  return {
    db: conn.db,
    kind: conn.kind,
    close: async () => {
      await conn.close();
      await admin.db.execute(`drop database if exists ${name} with (force)` as never);
      await admin.close();
    },
  };
}
