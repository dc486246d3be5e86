import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, backupCodes, mfaFactors, organisations, users } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import {
  BACKUP_CODE_COUNT,
  countRemainingBackupCodes,
  generateBackupCodes,
  hashBackupCode,
  normalizeBackupCode,
  regenerateBackupCodes,
  redeemBackupCode,
} from "@/lib/mfa/backup-codes/codes";
import type { Actor } from "@/lib/mfa/actor";
import { getTestDb, type TestDb } from "./helpers/db";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/;

async function makeUser(options: { withFactor?: boolean } = {}) {
  const [org] = await t.db.insert(organisations).values({ name: "Org" }).returning();
  const [user] = await t.db
    .insert(users)
    .values({ name: "Back Up", email: `b-${crypto.randomBytes(4).toString("hex")}@example.com`, passwordHash: "unused", mfaEnabled: options.withFactor !== false })
    .returning();
  if (options.withFactor !== false) await t.db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: "+447700900127", verifiedAt: new Date() });
  const { session } = await createSession(t.db, { userId: user.id, mfaState: "verified", handoff: false });
  const actor: Actor = { userId: user.id, sessionId: session.id, organisationId: org.id, reauthenticatedAt: new Date() };
  return { user, org, actor };
}

const rowsOf = (userId: string) => t.db.select().from(backupCodes).where(eq(backupCodes.userId, userId));
const compact = (code: string) => code.replace(/-/g, "");

describe("generateBackupCodes", () => {
  it("makes 10 distinct codes in the readable format", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    expect(codes).toHaveLength(BACKUP_CODE_COUNT);
    expect(BACKUP_CODE_COUNT).toBe(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);
  });

  it("stores only hashes: no code, in any form, is in the database", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const rows = await rowsOf(user.id);
    expect(rows).toHaveLength(10);
    const dump = JSON.stringify(rows);
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(compact(code));
      expect(dump).not.toContain(code.toUpperCase());
    }
    expect(rows.map((r) => r.codeHash).sort()).toEqual(codes.map((c) => hashBackupCode(user.id, compact(c))).sort());
    for (const row of rows) expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("replaces the whole set: the old codes, used or not, stop working", async () => {
    const { user } = await makeUser();
    const old = await generateBackupCodes(t.db, user.id);
    expect((await redeemBackupCode(t.db, user.id, old[0])).ok).toBe(true);
    const fresh = await generateBackupCodes(t.db, user.id);
    expect(await rowsOf(user.id)).toHaveLength(10);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);
    for (const code of old.slice(1)) expect(await redeemBackupCode(t.db, user.id, code)).toEqual({ ok: false, error: "backup_code_wrong" });
    expect(await redeemBackupCode(t.db, user.id, fresh[0])).toEqual({ ok: true, remaining: 9 });
  });
});

describe("redeemBackupCode", () => {
  it("works once per code and says how many are left", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    expect(await redeemBackupCode(t.db, user.id, codes[3])).toEqual({ ok: true, remaining: 9 });
    expect(await redeemBackupCode(t.db, user.id, codes[3])).toEqual({ ok: false, error: "backup_code_wrong" });
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(9);
    const used = (await rowsOf(user.id)).filter((r) => r.usedAt);
    expect(used).toHaveLength(1);
    expect(used[0].codeHash).toBe(hashBackupCode(user.id, compact(codes[3])));
  });

  it("counts down to zero", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const remaining: number[] = [];
    for (const code of codes) {
      const result = await redeemBackupCode(t.db, user.id, code);
      if (result.ok) remaining.push(result.remaining);
    }
    expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(0);
  });

  it("lets the same code through once when it is submitted from many requests at the same time", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const results = await Promise.all(Array.from({ length: 15 }, () => redeemBackupCode(t.db, user.id, codes[0])));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === "backup_code_wrong")).toHaveLength(14);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(9);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.filter((e) => e.action === "mfa.backup_code_used")).toHaveLength(1);
  });

  it("lets different codes through in parallel, each once", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const results = await Promise.all([...codes, ...codes].map((code) => redeemBackupCode(t.db, user.id, code)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(0);
  });

  it("normalises case, spaces and dashes before checking", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    expect((await redeemBackupCode(t.db, user.id, codes[0].toUpperCase())).ok).toBe(true);
    expect((await redeemBackupCode(t.db, user.id, compact(codes[1]))).ok).toBe(true);
    expect((await redeemBackupCode(t.db, user.id, `  ${codes[2].replace(/-/g, " - ")}  `)).ok).toBe(true);
    expect((await redeemBackupCode(t.db, user.id, compact(codes[3]).replace(/(.{3})/g, "$1 "))).ok).toBe(true);
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(6);
  });

  it("refuses malformed input with a format error and spends nothing", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const cases: [unknown, string][] = [
      ["", "backup_code_empty"],
      ["   ", "backup_code_empty"],
      [codes[0].slice(0, -1), "backup_code_format"],
      [`${codes[0]}x`, "backup_code_format"],
      [`${codes[0].slice(0, -1)}u`, "backup_code_format"],
      [`${codes[0].slice(0, -1)}!`, "backup_code_format"],
      ["123456", "backup_code_format"],
      [`${codes[0]}${" ".repeat(40)}`, "backup_code_format"],
      ["x".repeat(1_000_000), "backup_code_format"],
      [[codes[0]], "backup_code_format"],
      [12345678, "backup_code_format"],
      [null, "backup_code_format"],
    ];
    for (const [input, error] of cases) expect(await redeemBackupCode(t.db, user.id, input)).toEqual({ ok: false, error });
    expect(await countRemainingBackupCodes(t.db, user.id)).toBe(10);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id))).toHaveLength(0);
  });

  it("refuses a well-formed code that is not one of the user's", async () => {
    const a = await makeUser();
    const b = await makeUser();
    const codesA = await generateBackupCodes(t.db, a.user.id);
    await generateBackupCodes(t.db, b.user.id);
    expect(await redeemBackupCode(t.db, b.user.id, codesA[0])).toEqual({ ok: false, error: "backup_code_wrong" });
    expect(await redeemBackupCode(t.db, b.user.id, "0000-0000-0000-0000-0000-0000")).toEqual({ ok: false, error: "backup_code_wrong" });
    expect(await countRemainingBackupCodes(t.db, a.user.id)).toBe(10);
    expect(await countRemainingBackupCodes(t.db, b.user.id)).toBe(10);
  });

  it("records a notice with the count left, never the code", async () => {
    const { user, org } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    await redeemBackupCode(t.db, user.id, codes[0], { organisationId: org.id, info: { ip: "203.0.113.7", userAgent: "t" } });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(event).toMatchObject({ action: "mfa.backup_code_used", organisationId: org.id, ip: "203.0.113.7", detail: { remaining: 9 } });
    expect(JSON.stringify(event)).not.toContain(compact(codes[0]));
  });

  it("the normaliser and the stored hashes agree on the look-alikes o, i and l", async () => {
    const { user } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const withZeroAndOne = codes.find((c) => /[01]/.test(c));
    if (!withZeroAndOne) return;
    const typed = withZeroAndOne.replace(/0/g, "O").replace(/1/g, "l");
    expect(normalizeBackupCode(typed)).toEqual({ ok: true, code: compact(withZeroAndOne) });
    expect((await redeemBackupCode(t.db, user.id, typed)).ok).toBe(true);
  });
});

describe("regenerateBackupCodes", () => {
  it("needs the password confirmed in the last 10 minutes", async () => {
    const { user, actor } = await makeUser();
    const codes = await generateBackupCodes(t.db, user.id);
    const now = new Date();
    expect(await regenerateBackupCodes(t.db, { ...actor, reauthenticatedAt: null }, { now })).toEqual({ ok: false, error: "step_up_required" });
    expect(await regenerateBackupCodes(t.db, { ...actor, reauthenticatedAt: new Date(now.getTime() - 11 * 60_000) }, { now })).toEqual({
      ok: false,
      error: "step_up_required",
    });
    expect((await redeemBackupCode(t.db, user.id, codes[0])).ok).toBe(true);
  });

  it("needs a factor: without MFA there is nothing to recover", async () => {
    const { actor } = await makeUser({ withFactor: false });
    expect(await regenerateBackupCodes(t.db, actor)).toEqual({ ok: false, error: "no_factor" });
    expect(await rowsOf(actor.userId)).toHaveLength(0);
  });

  it("replaces the set, returns the new codes once and records an event without them", async () => {
    const { user, actor } = await makeUser();
    const old = await generateBackupCodes(t.db, user.id);
    const result = await regenerateBackupCodes(t.db, actor, { info: { ip: "203.0.113.9", userAgent: "t" } });
    if (!result.ok) throw new Error(result.error);
    expect(result.codes).toHaveLength(10);
    expect(await redeemBackupCode(t.db, user.id, old[0])).toEqual({ ok: false, error: "backup_code_wrong" });
    expect((await redeemBackupCode(t.db, user.id, result.codes[0])).ok).toBe(true);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    const generated = events.find((e) => e.action === "mfa.backup_codes_generated");
    expect(generated?.detail).toEqual({ count: 10 });
    const dump = JSON.stringify(events);
    for (const code of result.codes) expect(dump).not.toContain(compact(code));
  });
});
