import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { knownDevices, memberships, organisations, trustedBrowsers, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { openChallenge } from "@/lib/mfa/challenge";
import { listMethods } from "@/lib/mfa/methods";
import { type SendContext, startSmsChallenge } from "@/lib/mfa/sms/delivery";
import { allowedMethods, policyOf } from "@/lib/org/policy";
import { LIMITS } from "@/lib/security/limits";
import { mfaBackoffKey } from "@/lib/mfa/code-check";
import { blockedUntil, ipBucket, releaseStrikes, reserveStrikes } from "@/lib/security/rate-limit";
import { sha256 } from "@/lib/crypto/tokens";
import { deviceHash, isDeviceId, recordSignedInFrom } from "./devices";
import { verifyPassword } from "./password";
import { createSession, endExcessPendingSessions } from "./sessions";
import { liveTrustJoin, stampTrustedBrowser } from "./trusted-browsers";

export type SignInResult =
  /** "verified": a browser the user trusted (lib/auth/trusted-browsers.ts) skipped the second factor. */
  | { ok: true; token: string; userId: string; mfaState: "pending" | "not_required" | "verified" }
  | { ok: false; error: "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAt: Date }
  /** The password was right, but wrong codes have blocked the second factor for a while. */
  | { ok: false; error: "mfa_throttled"; retryAt: Date };

/**
 * The password step. Unknown email and wrong password take the same path (a bcrypt compare either way)
 * and return the same error. Before bcrypt runs, a failure is reserved (reserveStrikes: parallel guesses
 * cannot outrun a limit) on this account from this browser (its device id; a request without one shares
 * one bucket per account), on the client's IP, and, unless this browser signed in as this user before, on
 * the account as a whole with a looser limit. A right password gives the strikes back. A user with MFA
 * gets a pending session and a login challenge, unless this browser is one they trusted: then a verified
 * session at once, with no challenge and no text (lib/auth/trusted-browsers.ts).
 */
export async function signInWithPassword(
  db: Db,
  ctx: SendContext,
  input: { email: string; password: string; deviceId?: string | null },
  info: Partial<RequestInfo> = {},
): Promise<SignInResult> {
  const email = input.email.toLowerCase();
  const now = ctx.now ?? new Date();
  const deviceId = isDeviceId(input.deviceId) ? input.deviceId : null;
  // Keyed by the email as typed (not by user id), so throttling looks the same for unknown accounts.
  const accountKey = `signin:account:${sha256(email)}`;
  const deviceKey = `${accountKey}:device:${deviceId ? deviceHash(deviceId) : "none"}`;
  const ipKey = info.ip ? `signin:ip:${ipBucket(info.ip)}` : null;
  const limits = [{ key: deviceKey, policy: LIMITS.signInAccount() }];
  if (ipKey) limits.push({ key: ipKey, policy: LIMITS.signInIp() });
  // The account-wide key is reserved alongside, in the same round trip; a browser that signed in as this user
  // before does not spend it (it is given back), and is not stopped by it.
  const [first, wide, [user]] = await Promise.all([
    reserveStrikes(db, limits, now),
    reserveStrikes(db, [{ key: accountKey, policy: LIMITS.signInAccountWide() }], now),
    db
      .select({
        id: users.id,
        passwordHash: users.passwordHash,
        mfaEnabled: users.mfaEnabled,
        organisationId: memberships.organisationId,
        organisation: { mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods },
        knownDevice: sql<boolean>`${knownDevices.userId} is not null`,
        // Live trust of this browser for this user, in the same query: no extra round trip for anyone without it.
        trustedBrowserId: trustedBrowsers.id,
      })
      .from(users)
      .leftJoin(memberships, eq(memberships.userId, users.id))
      .leftJoin(organisations, eq(organisations.id, memberships.organisationId))
      .leftJoin(knownDevices, and(eq(knownDevices.userId, users.id), eq(knownDevices.tokenHash, deviceId ? deviceHash(deviceId) : "")))
      .leftJoin(trustedBrowsers, liveTrustJoin(deviceId, now))
      .where(eq(users.email, email)),
  ]);
  const known = Boolean(user?.knownDevice);
  const wideHeld = wide.ok ? wide.held : [];
  if (!first.ok || (!wide.ok && !known)) {
    await releaseStrikes(db, [...(first.ok ? first.held : []), ...wideHeld]);
    return { ok: false, error: "throttled", retryAt: !first.ok ? first.retryAt : wide.ok ? now : wide.retryAt };
  }
  // A browser that signed in as this user before keeps its own budget: the account-wide strike goes back now.
  if (known && wideHeld.length > 0) await releaseStrikes(db, wideHeld);
  const reserved = { held: [...first.held, ...(known ? [] : wideHeld)] };
  const valid = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !valid) {
    // The strikes reserved above stay: this was a failure (the next attempt learns of any block).
    if (user) await recordEvent(db, { action: "sign_in.failed_password", userId: user.id, organisationId: user.organisationId, ...info });
    return { ok: false, error: "invalid_credentials" };
  }
  // The methods this sign-in may be finished with: the user's, as the organisation's policy allows at sign-in.
  // A trusted browser skips the code, so the code's backoff is not read for it (lib/auth/trusted-browsers.ts).
  const trustedId = user.mfaEnabled ? user.trustedBrowserId : null;
  const [, listed, blocked] = await Promise.all([
    releaseStrikes(db, reserved.held, [deviceKey]),
    user.mfaEnabled ? listMethods(db, user.id) : null,
    user.mfaEnabled && !trustedId ? blockedUntil(db, mfaBackoffKey(user.id), now) : null,
  ]);
  const allowed = allowedMethods(policyOf(user.organisationId ? user.organisation : null), "sign_in", { hasTotp: Boolean(listed?.totp), hasPasskey: Boolean(listed?.passkeys.length) });
  const methods = listed?.available.filter((m) => allowed.includes(m)) ?? [];
  if (!listed || methods.length === 0) {
    // Independent writes: on Postgres they run side by side on two pooled connections.
    const [{ token }] = await Promise.all([
      createSession(db, { userId: user.id, mfaState: "not_required", now, handoff: false, ...info }),
      recordEvent(db, { action: "sign_in.succeeded", userId: user.id, organisationId: user.organisationId, detail: { mfa: false }, ...info }),
      recordSignedInFrom(db, { deviceId, userId: user.id, userAgent: info.userAgent, ip: info.ip, now }),
    ]);
    return { ok: true, token, userId: user.id, mfaState: "not_required" };
  }
  // A browser this user trusted: the second factor was proven here before. A trust forgotten since the read
  // above is not used (stampTrustedBrowser answers false) and the sign-in asks for a code as usual.
  if (trustedId && (await stampTrustedBrowser(db, { id: trustedId, now }))) {
    const [{ token }] = await Promise.all([
      createSession(db, { userId: user.id, mfaState: "verified", now, handoff: false, ...info }),
      recordEvent(db, {
        action: "sign_in.succeeded",
        userId: user.id,
        organisationId: user.organisationId,
        detail: { mfa: true, method: "trusted_browser" },
        ...info,
      }),
      recordSignedInFrom(db, { deviceId, userId: user.id, userAgent: info.userAgent, ip: info.ip, now }),
    ]);
    return { ok: true, token, userId: user.id, mfaState: "verified" };
  }
  const mfaBlockedUntil = trustedId ? await blockedUntil(db, mfaBackoffKey(user.id), now) : blocked;
  // While wrong codes have blocked the account's second factor, no new challenge opens: a correct password
  // must not buy fresh guesses (NIST SP 800-63B 3.2.2).
  if (mfaBlockedUntil) return { ok: false, error: "mfa_throttled", retryAt: mfaBlockedUntil };
  const { token, session } = await createSession(db, { userId: user.id, mfaState: "pending", now, handoff: false, ...info });
  // One challenge per sign-in carries the attempt cap for every method. A text is sent only when SMS is the
  // first method offered; with an authenticator app it waits until the user picks SMS (a resend sends it).
  const challenge = { userId: user.id, sessionId: session.id, purpose: "login" as const, phone: listed.sms?.phone ?? null, factorId: listed.sms?.id ?? null };
  await Promise.all([
    methods[0] === "sms" && listed.sms
      ? startSmsChallenge(db, { ...ctx, now, info }, { ...challenge, phone: listed.sms.phone })
      : openChallenge(db, { ...challenge, now }),
    // Each pending sign-in is a challenge with its own attempts: only the newest few stay open.
    endExcessPendingSessions(db, user.id, now),
  ]);
  return { ok: true, token, userId: user.id, mfaState: "pending" };
}

