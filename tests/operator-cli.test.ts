import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, backupCodes, mfaFactors, sessions, users } from "@/db/schema";
import { findResetLink } from "@/lib/auth/password-reset";
import { createSession } from "@/lib/auth/sessions";
import { generateBackupCodes } from "@/lib/mfa/backup-codes/codes";
import { listMethods } from "@/lib/mfa/methods";
import { generateTotpSecret } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { main as resetMfa } from "@/scripts/admin-reset-mfa";
import { main as resetPassword } from "@/scripts/admin-reset-password";
import { getTestDb, type TestDb } from "./helpers/db";
import { latestQueued, queuedEmails, tokenOf } from "./helpers/emails";
import { makeUser, uniqueEmail } from "./helpers/fixtures";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

/** Runs a command's main with the test database, collecting what it prints. */
async function run(main: typeof resetMfa, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { db: t.db, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run admin:reset-mfa", () => {
  it("removes every factor and the backup codes, ends every session and audits it as the operator's", async () => {
    const { user, org } = await makeUser(t.db, { phone: "+31612340001" });
    await t.db.insert(mfaFactors).values({ userId: user.id, kind: "totp", secretCiphertext: encryptTotpSecret(user.id, generateTotpSecret()), verifiedAt: new Date() });
    await generateBackupCodes(t.db, user.id);
    await createSession(t.db, { userId: user.id, mfaState: "verified", handoff: false });
    await createSession(t.db, { userId: user.id, mfaState: "verified", handoff: false });

    const result = await run(resetMfa, ["--", user.email.toUpperCase()]);
    expect(result).toEqual({
      code: 0,
      out: `Reset multi-factor authentication for ${user.email}: removed 2 factors and the backup codes, ended 2 sessions.`,
      err: "",
    });
    const methods = await listMethods(t.db, user.id);
    expect(methods.available).toEqual([]);
    expect(await t.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id))).toEqual([]);
    expect((await t.db.select().from(users).where(eq(users.id, user.id)))[0].mfaEnabled).toBe(false);
    const live = await t.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(live.every((s) => s.revokedReason === "mfa_reset_by_operator")).toBe(true);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, "org.member_mfa_reset")));
    expect(event).toMatchObject({ actorId: null, organisationId: org.id, detail: { by: "operator", factorsRemoved: 2, sessionsEnded: 2 } });
  });

  it("says so for an address without an account (exit code 1) and for an account without MFA (nothing changed)", async () => {
    const unknown = uniqueEmail("nobody");
    expect(await run(resetMfa, [unknown])).toEqual({ code: 1, out: "", err: `No account has the address ${unknown}. Nothing was changed.` });
    const { user } = await makeUser(t.db);
    expect(await run(resetMfa, [user.email])).toEqual({ code: 0, out: `${user.email} has no second factor. Nothing was changed.`, err: "" });
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id))).toEqual([]);
  });

  it("prints its usage without an argument (exit code 2) or with --help, and refuses anything but one address", async () => {
    const none = await run(resetMfa, []);
    expect(none.code).toBe(2);
    expect(none.err).toContain("Usage: npm run admin:reset-mfa -- <email>");
    const help = await run(resetMfa, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage:");
    expect((await run(resetMfa, ["not-an-address"])).code).toBe(2);
    expect((await run(resetMfa, ["a@example.com", "b@example.com"])).err).toContain("Give one email address");
  });
});

describe("npm run admin:reset-password", () => {
  it("queues a reset email with a working link and prints no secret", async () => {
    const { user } = await makeUser(t.db);
    const result = await run(resetPassword, [user.email]);
    expect(result).toEqual({ code: 0, out: `Queued a password-reset email to ${user.email} (the link works for 30 minutes).`, err: "" });
    const message = await latestQueued(t.db, user.email, "password_reset");
    const token = tokenOf(message);
    expect(result.out).not.toContain(token);
    expect((await findResetLink(t.db, token)).ok).toBe(true);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, "password.reset_requested")));
    expect(event).toMatchObject({ actorId: null, detail: { by: "operator" } });
  });

  it("exits 1 for an address without an account, sending nothing", async () => {
    const unknown = uniqueEmail("ghost");
    expect(await run(resetPassword, [unknown])).toEqual({ code: 1, out: "", err: `No account has the address ${unknown}. Nothing was sent.` });
    expect(await queuedEmails(t.db, unknown)).toEqual([]);
  });
});
