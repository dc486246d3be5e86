import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, backupCodes, emailOutbox, emailTokens, mfaFactors, otpChallenges, rateLimits, sessions, users } from "@/db/schema";
import { changePassword } from "@/lib/auth/password-change";
import { verifyPassword } from "@/lib/auth/password";
import {
  checkResetCode,
  completePasswordReset,
  findResetLink,
  readResetPage,
  requestPasswordReset,
  sendResetCode,
} from "@/lib/auth/password-reset";
import { createSession } from "@/lib/auth/sessions";
import { EMAIL_TOKEN_TTL_MS, issueEmailToken } from "@/lib/email/tokens";
import { generateBackupCodes } from "@/lib/mfa/backup-codes/codes";
import { mfaBackoffKey } from "@/lib/mfa/code-check";
import { generateTotpSecret, totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { getTestDb, type TestDb } from "./helpers/db";
import { latestQueued, queuedEmails, tokenOf } from "./helpers/emails";
import { makeUser, recordingSms, TEST_PASSWORD, uniqueEmail } from "./helpers/fixtures";

let t: TestDb;
beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

const NEW_PASSWORD = "a brand new passphrase";
const info = { ip: "198.51.100.7", userAgent: "vitest" };
const minutes = (n: number) => n * 60_000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/** A reset link emailed to `email` (at `now`), read back from the outbox as the user would click it. */
let clients = 0;
async function emailedToken(email: string, now = new Date()): Promise<string> {
  // Each from its own address: the per-IP budget is tested on its own below.
  clients += 1;
  const ip = `10.${Math.floor(clients / 250)}.${clients % 250}.1`;
  expect(await requestPasswordReset(t.db, { email, now, info: { ...info, ip } })).toBe("queued");
  return tokenOf(await latestQueued(t.db, email, "password_reset"));
}

const passwordIs = async (userId: string, password: string) => {
  const [row] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return verifyPassword(password, row.hash);
};

const actions = async (userId: string) => (await t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId))).map((e) => e.action);

/** A user with an authenticator app and backup codes (and, with `phone`, a texted factor too). */
async function mfaUser(options: { phone?: string; now?: Date } = {}) {
  const made = await makeUser(t.db, { phone: options.phone });
  const secret = generateTotpSecret();
  await t.db.insert(mfaFactors).values({ userId: made.user.id, kind: "totp", secretCiphertext: encryptTotpSecret(made.user.id, secret), verifiedAt: new Date() });
  await t.db.update(users).set({ mfaEnabled: true }).where(eq(users.id, made.user.id));
  const codes = await generateBackupCodes(t.db, made.user.id, { now: options.now });
  return { ...made, secret, codes };
}

describe("asking for a reset link", () => {
  it("queues one password_reset email with a 30-minute single-use link on APP_URL, and audits the request", async () => {
    const { user } = await makeUser(t.db);
    const now = new Date("2026-04-01T10:00:00Z");
    const token = await emailedToken(user.email, now);
    const [message] = await queuedEmails(t.db, user.email);
    expect(message).toMatchObject({ template: "password_reset", to: user.email, userId: user.id, props: { name: user.name, minutes: 30 } });
    expect(message.props.link).toMatch(/^http:\/\/localhost:3000\/reset-password\/[A-Za-z0-9_-]{43}$/);
    // The link is sealed at rest: the outbox row's readable props do not hold it.
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, message.id));
    expect(JSON.stringify(row.props)).not.toContain(token);
    expect(row.sealedProps).not.toContain(token);
    const [stored] = await t.db.select().from(emailTokens).where(eq(emailTokens.userId, user.id));
    expect(stored.tokenHash).not.toBe(token);
    expect(stored.expiresAt.getTime() - now.getTime()).toBe(EMAIL_TOKEN_TTL_MS.reset_password);
    expect(await actions(user.id)).toContain("password.reset_requested");
  });

  it("sends nothing for an address without an account, and reads the address in any case", async () => {
    const unknown = uniqueEmail("nobody");
    expect(await requestPasswordReset(t.db, { email: unknown, info })).toBe("no_account");
    expect(await queuedEmails(t.db, unknown)).toEqual([]);
    const { user } = await makeUser(t.db);
    expect(await requestPasswordReset(t.db, { email: `  ${user.email.toUpperCase()} `, info })).toBe("queued");
    expect(await queuedEmails(t.db, user.email)).toHaveLength(1);
  });

  it("takes at most 5 requests per address per hour, known or unknown, with 20 at once; a throttled request sends nothing", async () => {
    const { user } = await makeUser(t.db);
    const now = new Date("2026-04-02T09:00:00Z");
    // Distinct IPs: only the per-address budget is in play.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => requestPasswordReset(t.db, { email: user.email, now, info: { ip: `203.0.113.${i + 1}`, userAgent: null } })),
    );
    expect(outcomes.filter((o) => o === "queued")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(15);
    expect(await queuedEmails(t.db, user.email)).toHaveLength(5);
    const unknown = uniqueEmail("ghost");
    const ghost = await Promise.all(Array.from({ length: 20 }, (_, i) => requestPasswordReset(t.db, { email: unknown, now, info: { ip: `192.0.2.${i + 1}`, userAgent: null } })));
    expect(ghost.filter((o) => o === "no_account")).toHaveLength(5);
    // An hour later the address has its budget again.
    expect(await requestPasswordReset(t.db, { email: user.email, now: at(now, minutes(61)), info })).toBe("queued");
  });

  it("takes at most 20 requests per client IP per hour, across addresses, with 25 at once", async () => {
    const people = await Promise.all(Array.from({ length: 25 }, () => makeUser(t.db)));
    const ip = "198.51.100.200";
    const outcomes = await Promise.all(people.map(({ user }) => requestPasswordReset(t.db, { email: user.email, info: { ip, userAgent: null } })));
    expect(outcomes.filter((o) => o === "queued")).toHaveLength(20);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(5);
    // A refused request takes nothing from any budget (all or nothing).
    const [row] = await t.db.select().from(rateLimits).where(eq(rateLimits.key, `reset:ip:${ip}`));
    expect(row.count).toBe(20);
  });
});

describe("the reset link", () => {
  it("works until 30 minutes have passed (controlled clock) and then says it expired, changing nothing", async () => {
    const { user } = await makeUser(t.db);
    const sent = new Date("2026-04-03T08:00:00Z");
    const token = await emailedToken(user.email, sent);
    expect((await findResetLink(t.db, token, at(sent, minutes(29)))).ok).toBe(true);
    expect(await findResetLink(t.db, token, at(sent, minutes(30)))).toEqual({ ok: false, problem: "expired" });
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now: at(sent, minutes(31)) })).toEqual({ ok: false, error: "expired" });
    expect(await passwordIs(user.id, TEST_PASSWORD)).toBe(true);
    const ok = await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now: at(sent, minutes(29)) });
    expect(ok.ok).toBe(true);
    expect(await passwordIs(user.id, NEW_PASSWORD)).toBe(true);
  });

  it("works once: two resets racing with one link, exactly one wins", async () => {
    const { user } = await makeUser(t.db);
    const token = await emailedToken(user.email);
    const results = await Promise.all([
      completePasswordReset(t.db, { token, password: "first racing passphrase" }),
      completePasswordReset(t.db, { token, password: "second racing passphrase" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, error: "used" });
    const winner = results[0].ok ? "first racing passphrase" : "second racing passphrase";
    expect(await passwordIs(user.id, winner)).toBe(true);
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).toEqual({ ok: false, error: "used" });
  });

  it("is void once a newer link is sent", async () => {
    const { user } = await makeUser(t.db);
    const older = await emailedToken(user.email);
    const newer = await emailedToken(user.email);
    expect(await findResetLink(t.db, older)).toEqual({ ok: false, problem: "used" });
    expect(await completePasswordReset(t.db, { token: older, password: NEW_PASSWORD })).toEqual({ ok: false, error: "used" });
    expect((await completePasswordReset(t.db, { token: newer, password: NEW_PASSWORD })).ok).toBe(true);
  });

  it("is void once the password is changed in My account", async () => {
    const { user, org } = await makeUser(t.db);
    const token = await emailedToken(user.email);
    const { session } = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
    const changed = await changePassword(t.db, { userId: user.id, sessionId: session.id, organisationId: org.id }, { currentPassword: TEST_PASSWORD, newPassword: "changed in my account" });
    expect(changed.ok).toBe(true);
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).toEqual({ ok: false, error: "used" });
    expect(await passwordIs(user.id, "changed in my account")).toBe(true);
  });

  it("refuses tokens of another purpose, malformed tokens and unknown ones, as not valid", async () => {
    const { user } = await makeUser(t.db);
    const { token: verify } = await issueEmailToken(t.db, { userId: user.id, purpose: "verify_email", email: user.email });
    const { token: change } = await issueEmailToken(t.db, { userId: user.id, purpose: "change_email", email: uniqueEmail("new") });
    for (const token of [verify, change, "x".repeat(43), "short", "", null, ["a"], "a".repeat(10_000)]) {
      expect(await findResetLink(t.db, token)).toEqual({ ok: false, problem: "invalid" });
      expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).toEqual({ ok: false, error: "invalid" });
    }
    expect(await passwordIs(user.id, TEST_PASSWORD)).toBe(true);
    // The refused uses spent nothing: the verify link is still unused.
    const [row] = await t.db.select().from(emailTokens).where(and(eq(emailTokens.userId, user.id), eq(emailTokens.purpose, "verify_email")));
    expect(row.usedAt).toBeNull();
  });

  it("refuses a new password against the sign-up rules and keeps the link usable", async () => {
    const { user } = await makeUser(t.db);
    const token = await emailedToken(user.email);
    expect(await completePasswordReset(t.db, { token, password: "short" })).toMatchObject({ ok: false, error: "password", message: expect.stringContaining("8 characters") });
    expect(await completePasswordReset(t.db, { token, password: "password123" })).toMatchObject({ ok: false, error: "password", message: expect.stringContaining("too common") });
    expect((await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).ok).toBe(true);
  });

  it("ends every session, voids other links and a pending change of address, verifies the address and audits the reset", async () => {
    const { user } = await makeUser(t.db);
    const a = await createSession(t.db, { userId: user.id, mfaState: "not_required", handoff: false });
    const b = await createSession(t.db, { userId: user.id, mfaState: "pending", handoff: false });
    const { token: pendingChange } = await issueEmailToken(t.db, { userId: user.id, purpose: "change_email", email: uniqueEmail("new") });
    const token = await emailedToken(user.email);
    const result = await completePasswordReset(t.db, { token, password: NEW_PASSWORD, info });
    expect(result).toEqual({ ok: true, userId: user.id, email: user.email, sessionsEnded: 2 });
    const rows = await t.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(rows.map((s) => s.id).sort()).toEqual([a.session.id, b.session.id].sort());
    expect(rows.every((s) => s.revokedAt && s.revokedReason === "password_reset")).toBe(true);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row.emailVerifiedAt).not.toBeNull();
    expect(row.passwordChangedAt).not.toBeNull();
    const tokens = await t.db.select().from(emailTokens).where(eq(emailTokens.userId, user.id));
    expect(tokens.every((x) => x.usedAt !== null)).toBe(true);
    expect(pendingChange).toBeTruthy();
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, "password.reset")));
    expect(event).toMatchObject({ ip: info.ip, detail: { sessionsEnded: 2, mfa: false } });
  });
});

describe("a reset on an account with MFA", () => {
  it("needs a factor: without one the password is refused and the link stays usable", async () => {
    const { user } = await mfaUser();
    const token = await emailedToken(user.email);
    const page = await readResetPage(t.db, token);
    expect(page.ok && page.proof).toMatchObject({ required: true, proven: false, methods: ["totp", "backup"] });
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).toEqual({ ok: false, error: "factor_required" });
    expect(await passwordIs(user.id, TEST_PASSWORD)).toBe(true);
    expect((await findResetLink(t.db, token)).ok).toBe(true);
  });

  it("accepts an authenticator code, then the new password, and spends the proof", async () => {
    const now = new Date("2026-04-05T12:00:00Z");
    const { user, secret } = await mfaUser();
    const token = await emailedToken(user.email, now);
    expect(await checkResetCode(t.db, token, { method: "totp", code: totpCodeAt(secret, now), now, info })).toEqual({ ok: true, method: "totp" });
    const page = await readResetPage(t.db, token, now);
    expect(page.ok && page.proof).toMatchObject({ required: true, proven: true });
    const result = await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now: at(now, minutes(2)) });
    expect(result.ok).toBe(true);
    expect(await passwordIs(user.id, NEW_PASSWORD)).toBe(true);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, "password.reset")));
    expect(event.detail).toMatchObject({ mfa: true });
  });

  it("accepts a backup code (spending it)", async () => {
    const { user, codes } = await mfaUser();
    const token = await emailedToken(user.email);
    expect(await checkResetCode(t.db, token, { method: "backup", code: codes[3] })).toEqual({ ok: true, method: "backup" });
    expect((await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).ok).toBe(true);
    const spent = await t.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id));
    expect(spent.filter((c) => c.usedAt !== null)).toHaveLength(1);
    // Spent means spent: the same code does not prove a second reset.
    const again = await emailedToken(user.email);
    expect(await checkResetCode(t.db, again, { method: "backup", code: codes[3] })).toMatchObject({ ok: false, error: "code_wrong" });
  });

  it("texts a code only when asked, with the sign-in's SMS budget and resend delay, and accepts it", async () => {
    const phone = "+31612345678";
    const { user } = await makeUser(t.db, { phone });
    const sms = recordingSms();
    const token = await emailedToken(user.email);
    const page = await readResetPage(t.db, token);
    expect(page.ok && page.proof).toMatchObject({ required: true, methods: ["sms"], challenge: null });
    expect(sms.sent).toHaveLength(0);
    const sent = await sendResetCode(t.db, { sms: sms.sender, host: "accounts.example.com", info }, token);
    expect(sent.status).toBe("sent");
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0].to).toBe(phone);
    // The growing resend delay holds here too.
    expect((await sendResetCode(t.db, { sms: sms.sender, host: "accounts.example.com", info }, token)).status).toBe("cooldown");
    expect(sms.sent).toHaveLength(1);
    const [budget] = await t.db.select().from(rateLimits).where(eq(rateLimits.key, `sms:user:${user.id}`));
    expect(budget.count).toBe(1);
    expect(await checkResetCode(t.db, token, { method: "sms", code: sms.lastCode(), info })).toEqual({ ok: true, method: "sms" });
    expect((await completePasswordReset(t.db, { token, password: NEW_PASSWORD })).ok).toBe(true);
  });

  it("counts a wrong code like sign-in: against the link's challenge (5) and the account's strike (mfa:account)", async () => {
    const now = new Date("2026-04-06T12:00:00Z");
    const { user, secret } = await mfaUser();
    const token = await emailedToken(user.email, now);
    const wrong = totpCodeAt(secret, at(now, minutes(60)));
    const first = await checkResetCode(t.db, token, { method: "totp", code: wrong, now, info });
    expect(first).toMatchObject({ ok: false, error: "code_wrong", attemptsLeft: 4 });
    const [strike] = await t.db.select().from(rateLimits).where(eq(rateLimits.key, mfaBackoffKey(user.id)));
    expect(strike.strikes).toBe(1);
    expect(await actions(user.id)).toContain("password.reset_failed_code");
    // A malformed code costs nothing.
    expect(await checkResetCode(t.db, token, { method: "totp", code: "12a", now })).toMatchObject({ ok: false, error: "code_unreadable" });
    for (const left of [3, 2, 1]) expect(await checkResetCode(t.db, token, { method: "totp", code: wrong, now })).toMatchObject({ error: "code_wrong", attemptsLeft: left });
    // The fifth wrong code ends the link: even the right code is refused afterwards, and the password stays.
    expect(await checkResetCode(t.db, token, { method: "totp", code: wrong, now })).toEqual({ ok: false, error: "code_locked" });
    expect(await findResetLink(t.db, token, now)).toEqual({ ok: false, problem: "used" });
    expect(await checkResetCode(t.db, token, { method: "totp", code: totpCodeAt(secret, now), now })).toMatchObject({ ok: false, error: "link" });
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now })).toEqual({ ok: false, error: "used" });
    expect(await passwordIs(user.id, TEST_PASSWORD)).toBe(true);
    expect(await actions(user.id)).toContain("password.reset_mfa_locked");
  });

  it("counts 20 parallel wrong codes at most 5 times on one link", async () => {
    const now = new Date("2026-04-06T15:00:00Z");
    const { user, secret } = await mfaUser();
    const token = await emailedToken(user.email, now);
    const wrong = totpCodeAt(secret, at(now, minutes(90)));
    const results = await Promise.all(Array.from({ length: 20 }, () => checkResetCode(t.db, token, { method: "totp", code: wrong, now })));
    expect(results.some((r) => r.ok)).toBe(false);
    // One challenge for the link, whatever the parallelism, with at most 5 wrong codes counted.
    const challenges = await t.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id));
    expect(challenges).toHaveLength(1);
    expect(challenges[0].attempts).toBe(5);
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now })).toMatchObject({ ok: false });
  });

  it("shares the account's wrong-code backoff with sign-in: while it blocks, even the right code waits", async () => {
    const now = new Date("2026-04-07T12:00:00Z");
    const { user, secret } = await mfaUser();
    await t.db.insert(rateLimits).values({ key: mfaBackoffKey(user.id), strikes: 10, blockedUntil: at(now, minutes(15)) });
    const token = await emailedToken(user.email, now);
    const result = await checkResetCode(t.db, token, { method: "totp", code: totpCodeAt(secret, now), now });
    expect(result).toMatchObject({ ok: false, error: "mfa_throttled" });
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now })).toEqual({ ok: false, error: "factor_required" });
  });

  it("binds the proof to its link: a code proven for one link does not carry over to a newer one", async () => {
    const now = new Date("2026-04-08T12:00:00Z");
    const { user, secret } = await mfaUser();
    const first = await emailedToken(user.email, now);
    expect((await checkResetCode(t.db, first, { method: "totp", code: totpCodeAt(secret, now), now })).ok).toBe(true);
    const second = await emailedToken(user.email, at(now, minutes(1)));
    expect(await completePasswordReset(t.db, { token: second, password: NEW_PASSWORD, now: at(now, minutes(1)) })).toEqual({ ok: false, error: "factor_required" });
    expect(await completePasswordReset(t.db, { token: first, password: NEW_PASSWORD, now: at(now, minutes(1)) })).toEqual({ ok: false, error: "used" });
  });

  it("lets a proof go stale after 10 minutes", async () => {
    const now = new Date("2026-04-09T12:00:00Z");
    const { user, secret } = await mfaUser();
    const token = await emailedToken(user.email, now);
    expect((await checkResetCode(t.db, token, { method: "totp", code: totpCodeAt(secret, now), now })).ok).toBe(true);
    expect(await completePasswordReset(t.db, { token, password: NEW_PASSWORD, now: at(now, minutes(11)) })).toEqual({ ok: false, error: "factor_required" });
    expect(await passwordIs(user.id, TEST_PASSWORD)).toBe(true);
  });

  it("offers only what the organisation allows at sign-in (no text messages under 'authenticator app only')", async () => {
    const phone = "+31612345679";
    const { user, org } = await mfaUser({ phone });
    const { organisations } = await import("@/db/schema");
    await t.db.update(organisations).set({ mfaMethods: "totp_only" }).where(eq(organisations.id, org.id));
    const sms = recordingSms();
    const token = await emailedToken(user.email);
    const page = await readResetPage(t.db, token);
    expect(page.ok && page.proof).toMatchObject({ methods: ["totp", "backup"] });
    expect(await sendResetCode(t.db, { sms: sms.sender, host: "h" }, token)).toEqual({ status: "no_sms" });
    expect(sms.sent).toHaveLength(0);
    expect(await checkResetCode(t.db, token, { method: "sms", code: "123456" })).toEqual({ ok: false, error: "method_not_allowed" });
  });
});
