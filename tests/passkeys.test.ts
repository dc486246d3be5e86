import { and, eq, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, backupCodes, mfaFactors, organisations, otpChallenges, passkeySignIns, rateLimits, sessions, users } from "@/db/schema";
import { newDeviceId } from "@/lib/auth/devices";
import { createSession, findActiveSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { sha256 } from "@/lib/crypto/tokens";
import type { Actor } from "@/lib/mfa/actor";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { mfaBackoffKey } from "@/lib/mfa/code-check";
import { listMethods } from "@/lib/mfa/methods";
import { beginPasskeyRegistration, finishPasskeyRegistration, renamePasskey } from "@/lib/mfa/passkey/enrollment";
import { passkeyPromptFor } from "@/lib/mfa/passkey/options";
import { relyingParty } from "@/lib/mfa/passkey/relying-party";
import { finishPasskeySignIn, startPasskeySignIn } from "@/lib/mfa/passkey/sign-in";
import { removeOwnFactors } from "@/lib/mfa/remove";
import { signInWithCode } from "@/lib/mfa/sign-in";
import { startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { checkStepUp, startStepUp } from "@/lib/mfa/step-up";
import { startTotpEnrollment } from "@/lib/mfa/totp/enrollment";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, TEST_PASSWORD } from "./helpers/fixtures";
import { grantStepUp } from "./helpers/step-up";
import { SoftAuthenticator } from "./helpers/webauthn.mjs";

let t: TestDb;
const sms = recordingSms();
const rp = relyingParty();

beforeAll(async () => {
  t = await getTestDb();
});
afterAll(async () => {
  await t.close();
});

async function signedIn(userId: string, organisationId: string | null, now = new Date()): Promise<Actor> {
  const { session } = await createSession(t.db, { userId, mfaState: "verified", now, handoff: false });
  await t.db.update(sessions).set({ reauthenticatedAt: now }).where(eq(sessions.id, session.id));
  return { userId, sessionId: session.id, organisationId, reauthenticatedAt: now };
}

/** A user with one passkey registered through the real ceremony (begin → the authenticator → finish). */
async function userWithPasskey(options: { phone?: string; counter?: number } = {}) {
  const made = await makeUser(t.db, { phone: options.phone });
  const key = new SoftAuthenticator(rp, { counter: options.counter });
  const actor = await signedIn(made.user.id, made.org.id);
  const stepUpChallengeId = options.phone ? await grantStepUp(t.db, { userId: actor.userId, sessionId: actor.sessionId }) : null;
  const begun = await beginPasskeyRegistration(t.db, actor, { stepUpChallengeId });
  if (!begun.ok) throw new Error(`registration did not begin: ${begun.error}`);
  const finished = await finishPasskeyRegistration(t.db, actor, { challengeId: begun.challengeId, response: key.register(begun.options) });
  if (!finished.ok) throw new Error(`registration did not finish: ${finished.error}`);
  return { ...made, key, actor, factorId: finished.factorId, finished };
}

async function passwordStep(email: string, deviceId: string | null = null) {
  const r = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost" }, { email, password: TEST_PASSWORD, deviceId });
  if (!r.ok || r.mfaState !== "pending") throw new Error("expected a pending sign-in");
  const [s] = await t.db.select().from(sessions).where(eq(sessions.tokenHash, sha256(r.token)));
  const challenge = await findOpenChallenge(t.db, s.id, "login");
  if (!challenge) throw new Error("no challenge");
  return { token: r.token, sessionId: s.id, userId: s.userId, challengeId: challenge.id };
}

async function loginPrompt(p: { sessionId: string; userId: string; challengeId: string }) {
  const options = await passkeyPromptFor(t.db, { challengeId: p.challengeId, userId: p.userId, sessionId: p.sessionId, purpose: "login" });
  if (!options) throw new Error("no prompt");
  return options;
}

const answer = (p: { token: string; challengeId: string }, response: unknown) =>
  signInWithCode(t.db, p.token, { challengeId: p.challengeId, method: "passkey", code: JSON.stringify(response) });

const events = (userId: string, action: string) => t.db.select().from(auditEvents).where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, action)));

describe("adding a passkey", () => {
  it("makes it a factor: MFA on, a first set of backup codes, the key's public part and counter stored, audited", async () => {
    const { user, factorId, finished } = await userWithPasskey();
    expect(finished).toMatchObject({ ok: true, change: "enabled", name: "Security key" });
    expect(finished.backupCodes).toHaveLength(10);
    const [row] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.id, factorId));
    expect(row).toMatchObject({ kind: "passkey", signCount: 0, transports: "internal", name: "Security key" });
    expect(row.publicKey?.length).toBeGreaterThan(40);
    const [fresh] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(fresh.mfaEnabled).toBe(true);
    expect((await listMethods(t.db, user.id)).available).toEqual(["passkey", "backup"]);
    const [event] = await events(user.id, "mfa.enabled");
    expect(event.detail).toMatchObject({ method: "passkey", name: "Security key" });
  });

  it("names a synced key of an unknown model Passkey, a known model by its name, and keeps a name the user typed", async () => {
    const { user, org } = await makeUser(t.db);
    const actor = await signedIn(user.id, org.id);
    const synced = new SoftAuthenticator(rp, { backedUp: true });
    const begun = await beginPasskeyRegistration(t.db, actor);
    if (!begun.ok) throw new Error(begun.error);
    expect(await finishPasskeyRegistration(t.db, actor, { challengeId: begun.challengeId, response: synced.register(begun.options) })).toMatchObject({
      ok: true,
      name: "Passkey",
    });
    const stepUp = await grantStepUp(t.db, actor);
    const again = await beginPasskeyRegistration(t.db, actor, { stepUpChallengeId: stepUp });
    if (!again.ok) throw new Error(again.error);
    // The options exclude the key already registered, so the browser does not make a second one on it.
    expect(again.options.excludeCredentials?.map((c) => c.id)).toEqual([synced.id]);
    const icloud = new SoftAuthenticator(rp, { aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd" });
    expect(await finishPasskeyRegistration(t.db, actor, { challengeId: again.challengeId, response: icloud.register(again.options), name: "  Work\u0000 laptop " })).toMatchObject({
      ok: true,
      change: "added",
      name: "Work laptop",
      backupCodes: null,
    });
    const third = await beginPasskeyRegistration(t.db, actor, { stepUpChallengeId: await grantStepUp(t.db, actor) });
    if (!third.ok) throw new Error(third.error);
    const named = new SoftAuthenticator(rp, { aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd" });
    expect(await finishPasskeyRegistration(t.db, actor, { challengeId: third.challengeId, response: named.register(third.options) })).toMatchObject({ name: "iCloud Keychain" });
  });

  it("needs the password re-entered, and a current factor when the user has one", async () => {
    const { user, org } = await makeUser(t.db, { phone: "+31612345678" });
    const actor = await signedIn(user.id, org.id);
    expect(await beginPasskeyRegistration(t.db, { ...actor, reauthenticatedAt: null })).toEqual({ ok: false, error: "step_up_required" });
    expect(await beginPasskeyRegistration(t.db, actor)).toEqual({ ok: false, error: "factor_required" });
    expect(await beginPasskeyRegistration(t.db, actor, { stepUpChallengeId: await grantStepUp(t.db, actor) })).toMatchObject({ ok: true });
  });

  it("refuses a response collected on another origin or signed for another RP ID, and the ceremony is then spent", async () => {
    const { user, org } = await makeUser(t.db);
    const actor = await signedIn(user.id, org.id);
    const key = new SoftAuthenticator(rp);
    for (const bend of [{ origin: "https://evil.example" }, { rpId: "evil.example" }]) {
      const begun = await beginPasskeyRegistration(t.db, actor);
      if (!begun.ok) throw new Error(begun.error);
      expect(await finishPasskeyRegistration(t.db, actor, { challengeId: begun.challengeId, response: key.register(begun.options, bend) })).toEqual({
        ok: false,
        error: "passkey_failed",
      });
      // Single use: even the right response cannot be sent to the same ceremony afterwards.
      expect(await finishPasskeyRegistration(t.db, actor, { challengeId: begun.challengeId, response: key.register(begun.options) })).toEqual({
        ok: false,
        error: "challenge_missing",
      });
    }
    expect(await t.db.select().from(mfaFactors).where(eq(mfaFactors.userId, user.id))).toHaveLength(0);
  });

  it("refuses a replayed registration, one from another session, one older than five minutes, and a garbled one", async () => {
    const { user, org } = await makeUser(t.db);
    const now = new Date();
    const actor = await signedIn(user.id, org.id, now);
    const begun = await beginPasskeyRegistration(t.db, actor, { now });
    if (!begun.ok) throw new Error(begun.error);
    const response = new SoftAuthenticator(rp).register(begun.options);
    const elsewhere = await signedIn(user.id, org.id, now);
    expect(await finishPasskeyRegistration(t.db, elsewhere, { challengeId: begun.challengeId, response, now })).toEqual({ ok: false, error: "challenge_missing" });
    expect(await finishPasskeyRegistration(t.db, actor, { challengeId: begun.challengeId, response: "{not json", now })).toEqual({ ok: false, error: "passkey_unreadable" });
    const late = new Date(now.getTime() + 5 * 60_000 + 1000);
    expect(await finishPasskeyRegistration(t.db, { ...actor, reauthenticatedAt: late }, { challengeId: begun.challengeId, response, now: late })).toEqual({
      ok: false,
      error: "challenge_missing",
    });

    const fresh = await beginPasskeyRegistration(t.db, actor, { now });
    if (!fresh.ok) throw new Error(fresh.error);
    const good = new SoftAuthenticator(rp).register(fresh.options);
    expect(await finishPasskeyRegistration(t.db, actor, { challengeId: fresh.challengeId, response: good, now })).toMatchObject({ ok: true });
    const replay = await beginPasskeyRegistration(t.db, actor, { now, stepUpChallengeId: await grantStepUp(t.db, actor, now) });
    if (!replay.ok) throw new Error(replay.error);
    // The old response signs the old challenge: it answers no open ceremony.
    expect(await finishPasskeyRegistration(t.db, actor, { challengeId: replay.challengeId, response: good, now })).toEqual({ ok: false, error: "challenge_missing" });
  });

  it("is refused where the organisation allows no passkeys… and only passkeys keep SMS and apps out of enrolment", async () => {
    const { user, org } = await makeUser(t.db);
    await t.db.update(organisations).set({ mfaMethods: "passkey_only" }).where(eq(organisations.id, org.id));
    const actor = await signedIn(user.id, org.id);
    expect(await startSmsEnrollment(t.db, { sms: sms.sender, host: "localhost" }, actor, { phone: "+31612345678" })).toEqual({ ok: false, error: "passkeys_only" });
    expect(await startTotpEnrollment(t.db, actor)).toEqual({ ok: false, error: "passkeys_only" });
    expect(await beginPasskeyRegistration(t.db, actor)).toMatchObject({ ok: true });
  });
});

describe("a passkey as the second factor", () => {
  it("finishes the sign-in, stamps the key, moves its counter and records the method", async () => {
    const { user, key, factorId } = await userWithPasskey();
    const p = await passwordStep(user.email);
    const options = await loginPrompt(p);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([key.id]);
    expect(options.userVerification).toBe("preferred");
    const result = await answer(p, key.assert(options));
    expect(result).toMatchObject({ ok: true, method: "passkey" });
    if (!result.ok) return;
    expect((await findActiveSession(t.db, result.token))?.session.mfaState).toBe("verified");
    const [row] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.id, factorId));
    expect(row.signCount).toBe(1);
    expect(row.lastUsedAt).not.toBeNull();
    const [event] = await events(user.id, "sign_in.succeeded");
    expect(event.detail).toMatchObject({ mfa: true, method: "passkey" });
  });

  it("with “Don't ask again on this browser” ticked, trusts the browser: its next password step needs no second factor", async () => {
    const { user, key } = await userWithPasskey();
    const device = newDeviceId();
    const p = await passwordStep(user.email, device);
    const result = await signInWithCode(t.db, p.token, {
      challengeId: p.challengeId,
      method: "passkey",
      code: JSON.stringify(key.assert(await loginPrompt(p))),
      deviceId: device,
      remember: true,
    });
    expect(result).toMatchObject({ ok: true, method: "passkey" });
    const next = await signInWithPassword(t.db, { sms: sms.sender, host: "localhost" }, { email: user.email, password: TEST_PASSWORD, deviceId: device });
    expect(next).toMatchObject({ ok: true, mfaState: "verified" });
  });

  it("is offered first, before the user's other methods", async () => {
    const { user } = await userWithPasskey({ phone: "+31612345679" });
    expect((await listMethods(t.db, user.id)).available).toEqual(["passkey", "sms", "backup"]);
  });

  it("refuses a replayed assertion: on the same sign-in after it was used, and on a new sign-in", async () => {
    const { user, key } = await userWithPasskey();
    const first = await passwordStep(user.email);
    const assertion = key.assert(await loginPrompt(first));
    expect(await answer(first, assertion)).toMatchObject({ ok: true });
    expect(await answer(first, assertion)).toMatchObject({ ok: false });
    const second = await passwordStep(user.email);
    await loginPrompt(second);
    expect(await answer(second, assertion)).toMatchObject({ ok: false, error: "code_wrong" });
  });

  it("refuses an assertion from another origin, for another RP ID, signed by another key, or of another user's credential", async () => {
    const { user, key } = await userWithPasskey();
    const other = await userWithPasskey();
    const stranger = new SoftAuthenticator(rp);
    const p = await passwordStep(user.email);
    const bent = [
      (o: { challenge: string }) => key.assert(o, { origin: "https://evil.example" }),
      (o: { challenge: string }) => key.assert(o, { rpId: "evil.example" }),
      (o: { challenge: string }) => key.assert(o, { signWith: stranger }),
      (o: { challenge: string }) => other.key.assert(o),
    ];
    for (const make of bent) expect(await answer(p, make(await loginPrompt(p)))).toMatchObject({ ok: false, error: "code_wrong" });
    const [challenge] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, p.challengeId));
    expect(challenge.attempts).toBe(4);
    expect((await answer(p, key.assert(await loginPrompt(p)))).ok).toBe(true);
  });

  it("refuses a key whose counter goes backwards (a clone) and records it", async () => {
    const { user, key, factorId } = await userWithPasskey({ counter: 10 });
    const first = await passwordStep(user.email);
    expect((await answer(first, key.assert(await loginPrompt(first)))).ok).toBe(true);
    const p = await passwordStep(user.email);
    expect(await answer(p, key.assert(await loginPrompt(p), { counter: 5 }))).toMatchObject({ ok: false, error: "code_wrong" });
    const [cloned] = await events(user.id, "mfa.passkey_cloned");
    expect(cloned.detail).toMatchObject({ method: "passkey" });
    const [row] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.id, factorId));
    expect(row.signCount).toBe(11);
  });

  it("moves the counter in the sign-in's own statement: if another request used the key meanwhile, nothing is finished", async () => {
    const { user, key, factorId } = await userWithPasskey();
    const p = await passwordStep(user.email);
    const assertion = key.assert(await loginPrompt(p));
    // Another request moves the key's counter after this one checked the assertion and before its write.
    const dialect = new PgDialect();
    const racing = new Proxy(t.db, {
      get(target, prop, receiver) {
        if (prop !== "execute") return Reflect.get(target, prop, receiver);
        return async (statement: SQL) => {
          if (/^\s*with spent as/.test(dialect.sqlToQuery(statement).sql)) await t.db.update(mfaFactors).set({ signCount: 7 }).where(eq(mfaFactors.id, factorId));
          return target.execute(statement);
        };
      },
    });
    expect(await signInWithCode(racing, p.token, { challengeId: p.challengeId, method: "passkey", code: JSON.stringify(assertion) })).toEqual({
      ok: false,
      error: "challenge_missing",
    });
    const [row] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.id, factorId));
    expect(row.signCount).toBe(7);
    const [challenge] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, p.challengeId));
    expect(challenge.consumedAt).toBeNull();
    expect((await findActiveSession(t.db, p.token))?.session.mfaState).toBe("pending");
    expect(await events(user.id, "sign_in.succeeded")).toHaveLength(0);
  });

  it("counts failed assertions toward the account's backoff like wrong codes, and 20 at once cannot pass the challenge's cap", async () => {
    const { user, key } = await userWithPasskey();
    const p = await passwordStep(user.email);
    const options = await loginPrompt(p);
    const wrong = key.assert(options, { origin: "https://evil.example" });
    const results = await Promise.all(Array.from({ length: 20 }, () => answer(p, wrong)));
    expect(results.filter((r) => !r.ok && r.error === "code_wrong").length).toBeLessThanOrEqual(4);
    expect(results.every((r) => !r.ok)).toBe(true);
    const [challenge] = await t.db.select().from(otpChallenges).where(eq(otpChallenges.id, p.challengeId));
    expect(challenge.attempts).toBe(5);
    // Each counted failure keeps its reserved strike; the refusals that checked nothing gave theirs back.
    const [strikes] = await t.db.select().from(rateLimits).where(eq(rateLimits.key, mfaBackoffKey(user.id)));
    expect(strikes.strikes).toBe(5);
  });

  it("is refused for sign-in where the organisation allows passkeys only and… lets an SMS-only member in to add one", async () => {
    const { user, org } = await userWithPasskey({ phone: "+31612345670" });
    await t.db.update(organisations).set({ mfaMethods: "passkey_only" }).where(eq(organisations.id, org.id));
    const p = await passwordStep(user.email);
    expect(await signInWithCode(t.db, p.token, { challengeId: p.challengeId, method: "sms", code: "123456" })).toEqual({ ok: false, error: "method_not_allowed" });
    const smsOnly = await makeUser(t.db, { phone: "+31612345671" });
    await t.db.update(organisations).set({ mfaMethods: "passkey_only" }).where(eq(organisations.id, smsOnly.org.id));
    // Held at setup by the gate until they add a passkey, but not locked out: the password step texts their code.
    const held = await passwordStep(smsOnly.user.email);
    expect(held.challengeId).toBeTruthy();
    expect(sms.sent.at(-1)?.to).toBe("+31612345671");
  });
});

describe("a passkey in a step-up, and removing one", () => {
  it("proves the user before a change, and removing one key leaves the others", async () => {
    const { user, key, actor } = await userWithPasskey();
    const second = new SoftAuthenticator(rp);
    const begun = await beginPasskeyRegistration(t.db, actor, { stepUpChallengeId: await grantStepUp(t.db, actor) });
    if (!begun.ok) throw new Error(begun.error);
    const added = await finishPasskeyRegistration(t.db, actor, { challengeId: begun.challengeId, response: second.register(begun.options) });
    if (!added.ok) throw new Error(added.error);

    const started = await startStepUp(t.db, actor, { method: "passkey" });
    if (!started.ok) throw new Error(started.error);
    const options = await passkeyPromptFor(t.db, { challengeId: started.challengeId, userId: user.id, sessionId: actor.sessionId, purpose: "step_up" });
    if (!options) throw new Error("no prompt");
    expect(await checkStepUp(t.db, actor, { challengeId: started.challengeId, method: "passkey", code: JSON.stringify(key.assert(options)) })).toEqual({ ok: true });
    const removed = await removeOwnFactors(t.db, actor, { which: "passkey", factorId: added.factorId, stepUpChallengeId: started.challengeId });
    expect(removed).toEqual({ ok: true, mfaEnabled: true });
    const left = await listMethods(t.db, user.id);
    expect(left.passkeys.map((k) => k.id)).not.toContain(added.factorId);
    expect(left.passkeys).toHaveLength(1);
    const [event] = await events(user.id, "mfa.factor_removed");
    expect(event.detail).toMatchObject({ method: "passkey", name: "Security key" });
  });

  it("cannot remove or rename another user's key", async () => {
    const mine = await userWithPasskey();
    const theirs = await userWithPasskey();
    const stepUp = await grantStepUp(t.db, mine.actor);
    expect(await removeOwnFactors(t.db, mine.actor, { which: "passkey", factorId: theirs.factorId, stepUpChallengeId: stepUp })).toEqual({ ok: false, error: "no_factor" });
    expect(await renamePasskey(t.db, mine.actor, { factorId: theirs.factorId, name: "Mine now" })).toEqual({ ok: false, error: "no_factor" });
    const [row] = await t.db.select().from(mfaFactors).where(eq(mfaFactors.id, theirs.factorId));
    expect(row.name).toBe("Security key");
    expect(await renamePasskey(t.db, mine.actor, { factorId: mine.factorId, name: "  " })).toEqual({ ok: false, error: "passkey_name" });
    expect(await renamePasskey(t.db, mine.actor, { factorId: mine.factorId, name: "YubiKey on my keyring" })).toEqual({ ok: true, name: "YubiKey on my keyring" });
  });

  it("removing the last passkey turns MFA off and voids the backup codes", async () => {
    const { user, actor, key, factorId } = await userWithPasskey();
    const started = await startStepUp(t.db, actor, { method: "passkey" });
    if (!started.ok) throw new Error(started.error);
    const options = await passkeyPromptFor(t.db, { challengeId: started.challengeId, userId: user.id, sessionId: actor.sessionId, purpose: "step_up" });
    if (!options) throw new Error("no prompt");
    expect((await checkStepUp(t.db, actor, { challengeId: started.challengeId, method: "passkey", code: JSON.stringify(key.assert(options)) })).ok).toBe(true);
    expect(await removeOwnFactors(t.db, actor, { which: "passkey", factorId, stepUpChallengeId: started.challengeId })).toEqual({ ok: true, mfaEnabled: false });
    expect(await t.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id))).toHaveLength(0);
  });
});

describe("signing in with a passkey alone", () => {
  async function prompt(deviceId: string, ip = "203.0.113.7") {
    const started = await startPasskeySignIn(t.db, { deviceId, ip });
    if (!started.ok) throw new Error(started.error);
    return started;
  }

  it("signs in fully (the key is both factors) with user verification, and records it", async () => {
    const { user, key } = await userWithPasskey();
    const device = newDeviceId();
    const started = await prompt(device);
    expect(started.options.userVerification).toBe("required");
    expect(started.options.allowCredentials ?? []).toEqual([]);
    const result = await finishPasskeySignIn(t.db, { id: started.id, response: key.assert(started.options), deviceId: device, info: { ip: "203.0.113.7" } });
    expect(result).toMatchObject({ ok: true, userId: user.id });
    if (!result.ok) return;
    expect((await findActiveSession(t.db, result.token))?.session.mfaState).toBe("verified");
    const [event] = await events(user.id, "sign_in.succeeded");
    expect(event.detail).toMatchObject({ mfa: true, method: "passkey", passwordless: true });
    expect(await t.db.select().from(passkeySignIns).where(eq(passkeySignIns.id, started.id))).toHaveLength(0);
  });

  it("refuses without user verification, a replay, another browser's prompt, an unknown key and another account's user handle", async () => {
    const { user, key } = await userWithPasskey();
    const other = await userWithPasskey();
    const device = newDeviceId();
    let started = await prompt(device);
    expect(await finishPasskeySignIn(t.db, { id: started.id, response: key.assert(started.options, { uv: false }), deviceId: device })).toEqual({
      ok: false,
      error: "passkey_failed",
    });
    started = await prompt(device);
    const good = key.assert(started.options);
    expect(await finishPasskeySignIn(t.db, { id: started.id, response: good, deviceId: newDeviceId() })).toEqual({ ok: false, error: "passkey_expired" });
    started = await prompt(device);
    expect(await finishPasskeySignIn(t.db, { id: started.id, response: new SoftAuthenticator(rp).assert(started.options), deviceId: device })).toEqual({
      ok: false,
      error: "passkey_not_found",
    });
    started = await prompt(device);
    expect(
      await finishPasskeySignIn(t.db, { id: started.id, response: key.assert(started.options, { userHandle: other.key.userHandle }), deviceId: device }),
    ).toEqual({ ok: false, error: "passkey_failed" });
    started = await prompt(device);
    const once = key.assert(started.options);
    expect(await finishPasskeySignIn(t.db, { id: started.id, response: once, deviceId: device })).toMatchObject({ ok: true });
    expect(await finishPasskeySignIn(t.db, { id: started.id, response: once, deviceId: device })).toEqual({ ok: false, error: "passkey_expired" });
    expect((await events(user.id, "sign_in.failed_passkey")).length).toBeGreaterThanOrEqual(1);
  });

  it("needs the browser's device id, and budgets the prompts a browser may open", async () => {
    expect(await startPasskeySignIn(t.db, { deviceId: null })).toEqual({ ok: false, error: "no_device" });
    process.env.LIMIT_PASSKEY_SIGNIN_PER_DEVICE_HOUR = "3";
    try {
      const device = newDeviceId();
      const results = await Promise.all(Array.from({ length: 10 }, () => startPasskeySignIn(t.db, { deviceId: device })));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
    } finally {
      delete process.env.LIMIT_PASSKEY_SIGNIN_PER_DEVICE_HOUR;
    }
  });

  it("counts failed attempts against the key's account like wrong codes, up to the backoff", async () => {
    process.env.LIMIT_MFA_FAILURES = "2";
    try {
      const { key } = await userWithPasskey();
      const device = newDeviceId();
      for (let i = 0; i < 2; i++) {
        const s = await prompt(device, "198.51.100.9");
        expect((await finishPasskeySignIn(t.db, { id: s.id, response: key.assert(s.options, { uv: false }), deviceId: device })).ok).toBe(false);
      }
      const s = await prompt(device, "198.51.100.9");
      expect(await finishPasskeySignIn(t.db, { id: s.id, response: key.assert(s.options), deviceId: device })).toMatchObject({ ok: false, error: "mfa_throttled" });
    } finally {
      delete process.env.LIMIT_MFA_FAILURES;
    }
  });
});
