import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mfaFactors, sessions, users } from "@/db/schema";
import { findActiveSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { sha256 } from "@/lib/crypto/tokens";
import { generateBackupCodes } from "@/lib/mfa/backup-codes/codes";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { resendChallenge } from "@/lib/mfa/sms/delivery";
import { completeLoginChallenge } from "@/lib/mfa/sign-in";
import { listMethods } from "@/lib/mfa/methods";
import { generateTotpSecret, totpCodeAt } from "@/lib/mfa/totp/rfc6238";
import { encryptTotpSecret } from "@/lib/mfa/totp/secret";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";

let t: TestDb;
const sms = recordingSms();

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

async function addTotp(userId: string) {
  const secret = generateTotpSecret();
  await t.db.insert(mfaFactors).values({ userId, kind: "totp", secretCiphertext: encryptTotpSecret(userId, secret), verifiedAt: new Date() });
  await t.db.update(users).set({ mfaEnabled: true }).where(eq(users.id, userId));
  return secret;
}

async function passwordStep(email: string, now = new Date()) {
  const r = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost", now }, { email, password: TEST_PASSWORD });
  if (!r.ok) throw new Error("password step failed");
  const [s] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(r.token)));
  const challenge = await findOpenChallenge(t.db, s.id, "login");
  if (!challenge) throw new Error("no challenge");
  return { token: r.token, mfaState: r.mfaState, sessionId: s.id, challengeId: challenge.id, userId: s.userId };
}

const complete = (p: { sessionId: string; userId: string; challengeId: string }, method: "sms" | "totp" | "backup", code: string, now = new Date()) =>
  completeLoginChallenge(t.db, { sessionId: p.sessionId, userId: p.userId, organisationId: null }, { challengeId: p.challengeId, method, code, now });

describe("a user whose only method is an authenticator app", () => {
  it("gets a pending session, not a full one, and no text message", async () => {
    const { user } = await makeUser(t.db);
    await addTotp(user.id);
    const before = sms.sent.length;
    const p = await passwordStep(user.email);
    expect(p.mfaState).toBe("pending");
    expect(sms.sent.length).toBe(before);
    expect((await findActiveSession(t.db, p.token))?.session.mfaState).toBe("pending");
  });

  it("signs in with the current authenticator code, and the pending cookie stops working", async () => {
    const { user } = await makeUser(t.db);
    const secret = await addTotp(user.id);
    const p = await passwordStep(user.email);
    const result = await complete(p, "totp", totpCodeAt(secret));
    expect(result).toMatchObject({ ok: true, method: "totp" });
    expect(await findActiveSession(t.db, p.token)).toBeNull();
  });

  it("refuses the same authenticator code on the next sign-in (replay)", async () => {
    const { user } = await makeUser(t.db);
    const secret = await addTotp(user.id);
    const now = new Date();
    const code = totpCodeAt(secret, now);
    expect((await complete(await passwordStep(user.email, now), "totp", code, now)).ok).toBe(true);
    const again = await complete(await passwordStep(user.email, now), "totp", code, now);
    expect(again).toMatchObject({ ok: false, error: "code_wrong" });
  });
});

describe("a user with an authenticator app, SMS and backup codes", () => {
  it("offers the app first, then SMS, then backup codes, and texts nothing until SMS is chosen", async () => {
    const { user } = await makeUser(t.db, { phone: "+31612340077" });
    const secret = await addTotp(user.id);
    await generateBackupCodes(t.db, user.id);
    const methods = await listMethods(t.db, user.id);
    expect(methods.available).toEqual(["totp", "sms", "backup"]);
    const before = sms.sent.length;
    const p = await passwordStep(user.email);
    expect(sms.sent.length).toBe(before);

    // An SMS code cannot be guessed against the unsent challenge.
    expect(await complete(p, "sms", "123456")).toMatchObject({ ok: false, error: "code_wrong" });

    const sent = await resendChallenge(t.db, { sms: sms.sender, host: "localhost" }, { challengeId: p.challengeId, userId: user.id, sessionId: p.sessionId });
    expect(sent.status).toBe("sent");
    const code = sms.lastCode();
    expect(await complete(p, "sms", code)).toMatchObject({ ok: true, method: "sms" });
    void secret;
  });

  it("signs in with a backup code once, says how many are left, and refuses it the second time", async () => {
    const { user } = await makeUser(t.db, { phone: "+31612340078" });
    await addTotp(user.id);
    const codes = await generateBackupCodes(t.db, user.id);
    const first = await complete(await passwordStep(user.email), "backup", codes[0]);
    expect(first).toMatchObject({ ok: true, method: "backup", backupCodesLeft: 9 });
    const second = await complete(await passwordStep(user.email), "backup", codes[0]);
    expect(second).toMatchObject({ ok: false, error: "code_wrong" });
  });

  it("applies the per-challenge cap across methods: 5 wrong codes of any kind, then even the right app code is refused", async () => {
    const { user } = await makeUser(t.db, { phone: "+31612340079" });
    const secret = await addTotp(user.id);
    await generateBackupCodes(t.db, user.id);
    const p = await passwordStep(user.email);
    const wrong = [
      complete(p, "totp", "000000"),
      complete(p, "backup", "aaaa-aaaa-aaaa-aaaa-aaaa-aaaa"),
      complete(p, "sms", "111111"),
      complete(p, "totp", "222222"),
    ];
    for (const r of await Promise.all(wrong)) expect(r.ok).toBe(false);
    expect(await complete(p, "backup", "bbbb-bbbb-bbbb-bbbb-bbbb-bbbb")).toMatchObject({ ok: false, error: "code_locked" });
    expect(await complete(p, "totp", totpCodeAt(secret))).toMatchObject({ ok: false });
    expect(await findActiveSession(t.db, p.token)).toBeNull();
  });
});
