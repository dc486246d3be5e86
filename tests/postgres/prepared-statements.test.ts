import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Connection, type Db } from "@/db/connect";
import { users } from "@/db/schema";
import { getTestDb, type TestDb } from "@/tests/helpers/db";

// Runs on a Postgres server only (vitest.config.ts): PGlite has no named statements to look at.
let base: TestDb;
let named: Connection;
let unnamed: Connection;

beforeAll(async () => {
  base = await getTestDb();
  const [{ url }] = (await base.db.execute(sql`select current_database() as url`)) as unknown as { url: string }[];
  const server = new URL(process.env.TEST_DATABASE_URL as string);
  server.pathname = `/${url}`;
  // One connection each, so the statements they name are the ones pg_prepared_statements shows them.
  named = await connect({ url: server.toString(), max: 1 });
  unnamed = await connect({ url: server.toString(), max: 1, prepare: false });
});

afterAll(async () => {
  await named.close();
  await unnamed.close();
  await base.close();
});

async function preparedOn(db: Db): Promise<string[]> {
  const rows = (await db.execute(sql`select statement from pg_prepared_statements`)) as unknown as { statement: string }[];
  return rows.map((r) => r.statement);
}

describe("statements on a Postgres server", () => {
  it("are named, so Postgres parses and plans each once per connection, also inside transactions and savepoints", async () => {
    const email = "named@example.com";
    await named.db.select({ id: users.id }).from(users).where(sql`${users.email} = ${email}`);
    await named.db.execute(sql`select ${42}::int + 1 as answer`);
    await named.db.transaction(async (tx) => {
      await tx.execute(sql`select ${1}::int as in_transaction`);
      await tx.transaction(async (inner) => {
        await inner.execute(sql`select ${2}::int as in_savepoint`);
      });
    });
    const statements = await preparedOn(named.db);
    expect(statements.some((s) => s.includes('from "users"') && s.includes("$1"))).toBe(true);
    expect(statements.some((s) => s.includes("$1::int + 1"))).toBe(true);
    expect(statements.some((s) => s.includes("in_transaction"))).toBe(true);
    expect(statements.some((s) => s.includes("in_savepoint"))).toBe(true);
  });

  it("answer the same when named: a second call reuses the statement with new values, and a rolled-back savepoint keeps nothing", async () => {
    const first = (await named.db.execute(sql`select ${3}::int * 2 as doubled`)) as unknown as { doubled: number }[];
    const second = (await named.db.execute(sql`select ${5}::int * 2 as doubled`)) as unknown as { doubled: number }[];
    expect([first[0].doubled, second[0].doubled]).toEqual([6, 10]);
    expect((await preparedOn(named.db)).filter((s) => s.includes("* 2 as doubled"))).toHaveLength(1);
    const email = "rolled-back@example.com";
    await named.db.transaction(async (tx) => {
      await tx
        .transaction(async (inner) => {
          await inner.insert(users).values({ email, name: "Rolled Back", passwordHash: "x" });
          throw new Error("roll the savepoint back");
        })
        .catch(() => {});
    });
    expect(await named.db.select().from(users).where(sql`${users.email} = ${email}`)).toHaveLength(0);
  });

  it("stay unnamed with prepare: false (DATABASE_PREPARE=false, for a pooler that cannot keep them)", async () => {
    await unnamed.db.execute(sql`select ${7}::int as unnamed_answer`);
    expect((await preparedOn(unnamed.db)).filter((s) => s.includes("unnamed_answer"))).toEqual([]);
  });
});
