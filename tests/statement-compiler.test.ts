import { and, desc, entityKind, eq, inArray, isNull, lt, SQL, sql } from "drizzle-orm";
import { alias, PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileStatement } from "@/db/compile";
import { auditEvents, otpChallenges, rateLimits, sessions, users } from "@/db/schema";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { signInWithCode } from "@/lib/mfa/sign-in";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";

// Drizzle's own compiler, untouched, as the reference every compiled statement must match.
const reference = new PgDialect();
const drizzleCompiles = (statement: SQL) => {
  const { sql: text, params } = reference.sqlToQuery(statement);
  return { sql: text, params };
};
const casing = (reference as unknown as { casing: Parameters<typeof compileStatement>[1] }).casing;

let t: TestDb;
/** Every statement the database was asked to compile, in order. */
const seen: SQL[] = [];

beforeAll(async () => {
  t = await getTestDb();
  const dialect = (t.db as unknown as { dialect: PgDialect }).dialect;
  const compile = dialect.sqlToQuery.bind(dialect);
  dialect.sqlToQuery = ((statement: SQL, source?: never) => {
    seen.push(statement);
    return compile(statement, source);
  }) as PgDialect["sqlToQuery"];
});
afterAll(async () => {
  await t?.close();
});

describe("the statement compiler", () => {
  it("gives every statement of a whole MFA sign-in the text and values Drizzle would, and compiles both of the code step's itself", async () => {
    const sms = recordingSms();
    const u = await makeUser(t.db, { phone: "+31612345670" });
    const password = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost" }, { email: u.user.email, password: TEST_PASSWORD });
    if (!password.ok || password.mfaState !== "pending") throw new Error("expected a pending sign-in");
    const [challenge] = await t.db.select().from(otpChallenges).where(and(eq(otpChallenges.userId, u.user.id), isNull(otpChallenges.consumedAt)));
    const passwordStep = seen.splice(0);
    const result = await signInWithCode(t.db, password.token, {
      challengeId: challenge.id,
      code: sms.lastCode("+31612345670"),
      deviceId: null,
      info: { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0" },
    });
    expect(result.ok).toBe(true);
    // The code step is one read and one write, both raw statements made of the modules' fragments.
    expect(seen).toHaveLength(2);
    for (const statement of seen) expect(compileStatement(statement, casing)).toEqual(drizzleCompiles(statement));
    // The password step's statements: each compiled here the same as by Drizzle, or left to Drizzle.
    expect(passwordStep.length).toBeGreaterThan(0);
    for (const statement of passwordStep) {
      const ours = compileStatement(statement, casing);
      if (ours) expect(ours).toEqual(drizzleCompiles(statement));
    }
  });

  it("matches Drizzle on query-builder statements, or hands them back to it", () => {
    const actor = alias(users, "actor");
    const now = new Date("2026-01-02T03:04:05.678Z");
    const statements: SQL[] = [
      t.db.select().from(sessions).where(and(eq(sessions.tokenHash, "abc"), isNull(sessions.revokedAt))).getSQL(),
      t.db.select({ id: users.id }).from(users).where(inArray(users.id, ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"])).getSQL(),
      t.db.select().from(auditEvents).where(lt(auditEvents.createdAt, now)).orderBy(desc(auditEvents.createdAt)).limit(5).getSQL(),
      t.db.select({ email: actor.email }).from(actor).where(eq(actor.id, "00000000-0000-0000-0000-000000000001")).getSQL(),
      t.db.insert(rateLimits).values({ key: "k", count: 1 }).onConflictDoUpdate({ target: rateLimits.key, set: { count: sql`${rateLimits.count} + 1` } }).getSQL(),
      t.db.update(otpChallenges).set({ consumedAt: now, attempts: sql`${otpChallenges.attempts} + 1` }).where(eq(otpChallenges.id, "00000000-0000-0000-0000-000000000003")).getSQL(),
      t.db.insert(auditEvents).values({ action: "sign_in.succeeded", detail: { mfa: true }, createdAt: now }).getSQL(),
      sql`select ${sessions.id} from ${sessions} where ${sessions.expiresAt} > ${now.toISOString()}::timestamptz and ${eq(sessions.mfaState, "pending")}`,
      sql`select ${1}, ${true}, ${null}, ${undefined}, ${"it's"}`,
      sql`select ${sql.identifier("odd\"name")} from ${sql.raw("users")}`,
      sql`select ${sql.placeholder("id")}`,
      sql`select ${"inlined"}`.inlineParams(),
      sql`select ${now}`,
      sql`select ${[1, 2, 3]}`,
    ];
    const compiled = statements.map((statement) => compileStatement(statement, casing));
    statements.forEach((statement, i) => {
      if (compiled[i] !== null) expect(compiled[i]).toEqual(drizzleCompiles(statement));
    });
    // Text, values, names, tables and columns compile here (most selects and updates); lists, placeholders,
    // inlined values, dates and values a column's encoder turns into something else (jsonb) go back to Drizzle.
    expect(compiled.map((c) => c !== null)).toEqual([true, false, true, true, false, true, false, true, true, true, false, false, false, false]);
  });

  it("compiles a statement built with another copy of Drizzle's classes, as the parts Next bundles separately have", () => {
    // The same kinds of piece as Drizzle's, from classes that are not Drizzle's (so instanceof says no).
    class OtherStringChunk {
      static [entityKind] = "StringChunk";
      constructor(readonly value: string[]) {}
    }
    class OtherSql {
      static [entityKind] = "SQL";
      shouldInlineParams = false;
      constructor(readonly queryChunks: unknown[]) {}
    }
    const inner = new OtherSql([new OtherStringChunk(["user_id = "]), "00000000-0000-0000-0000-000000000001"]);
    const statement = new SQL([new OtherStringChunk(["select id from "]), sessions, new OtherStringChunk([" where "]), inner, new OtherStringChunk([" and "]), sessions.mfaState, new OtherStringChunk([" = 'pending'"])] as never[]);
    const ours = compileStatement(statement, casing);
    expect(ours).toEqual({ sql: `select id from "sessions" where user_id = $1 and "sessions"."mfa_state" = 'pending'`, params: ["00000000-0000-0000-0000-000000000001"] });
    expect(ours).toEqual(drizzleCompiles(statement));
  });

  it("is what the app's database uses: the same rows come back either way", async () => {
    const rows = await t.db.execute(sql`select ${"a"}::text as a, ${2}::int as b, ${null}::text as c`);
    const list = Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows;
    expect(list).toEqual([{ a: "a", b: 2, c: null }]);
  });
});
