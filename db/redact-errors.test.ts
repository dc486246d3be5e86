import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { getTestDb, type TestDb } from "@/tests/helpers/db";
import { DatabaseQueryError } from "./redact-errors";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

async function failure(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    return error as Error & { cause?: Error & { code?: string } };
  }
  throw new Error("the query did not fail");
}

describe("failed queries keep no bound values", () => {
  it("a failing select names the SQL but not its parameters", async () => {
    const secret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const error = await failure(() => t.db.execute(sql`select ${secret}::uuid`));
    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect(error.message).toMatch(/^Failed query: select \$1::uuid/);
    const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${error.cause?.message}\n${JSON.stringify(error.cause)}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain("params:");
  });

  it("a unique violation keeps its code (callers rely on 23505) but not the duplicate value", async () => {
    const email = `dup.${Date.now()}@example.com`;
    const row = { email, name: "Dup", passwordHash: "$2b$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0" };
    await t.db.insert(users).values(row);
    const error = await failure(() => t.db.insert(users).values(row));
    expect(String(error.cause?.code)).toBe("23505");
    const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${error.cause?.message}\n${JSON.stringify(error.cause)}\n${error.cause?.stack}`;
    expect(everything).not.toContain(email);
    expect(everything).not.toContain(row.passwordHash);
  });
});
