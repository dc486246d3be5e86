import crypto from "node:crypto";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { verifyAuthenticationResponse } from "@simplewebauthn/server";
import { decodeClientDataJSON, isoBase64URL, parseAuthenticatorData } from "@simplewebauthn/server/helpers";
import { z } from "zod";
import type { RelyingParty } from "./relying-party";

/**
 * What every WebAuthn ceremony shares: the challenge (32 random bytes, valid five minutes, single use;
 * W3C WebAuthn Level 3, 13.4.3 asks for at least 16), reading the browser's JSON, and checking an
 * assertion's signature and counter. Storing a challenge is the caller's: an `otp_challenges` row of the
 * session or pending sign-in, or a `passkey_sign_ins` row of a signed-out browser.
 */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** The browser's timeout hint for its own prompt, a little under the challenge's life. */
export const PASSKEY_PROMPT_TIMEOUT_MS = 4 * 60 * 1000;
/** A browser's response is a few hundred bytes; anything near this is not one. */
const MAX_RESPONSE_CHARS = 16_000;

export const newWebauthnChallenge = () => isoBase64URL.fromBuffer(crypto.randomBytes(32));

const b64url = z.string().regex(/^[A-Za-z0-9_-]*={0,2}$/).max(8_000);
const assertionSchema = z.object({
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal("public-key"),
  response: z.object({ clientDataJSON: b64url, authenticatorData: b64url, signature: b64url, userHandle: b64url.optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});
const registrationSchema = z.object({
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(20)).max(10).optional(),
    authenticatorData: b64url.optional(),
    publicKey: b64url.optional(),
    publicKeyAlgorithm: z.number().optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

function parseJson(input: unknown): unknown {
  if (typeof input === "object" && input !== null) return input;
  if (typeof input !== "string" || input.length === 0 || input.length > MAX_RESPONSE_CHARS) return null;
  try {
    return JSON.parse(input);
  } catch {
    return null;
  }
}

/** The browser's assertion (navigator.credentials.get, as JSON), or null when it is not one. */
export function readAssertion(input: unknown): AuthenticationResponseJSON | null {
  const parsed = assertionSchema.safeParse(parseJson(input));
  return parsed.success ? (parsed.data as AuthenticationResponseJSON) : null;
}

/** The browser's new credential (navigator.credentials.create, as JSON), or null when it is not one. */
export function readRegistration(input: unknown): RegistrationResponseJSON | null {
  const parsed = registrationSchema.safeParse(parseJson(input));
  return parsed.success ? (parsed.data as RegistrationResponseJSON) : null;
}

/** The challenge the browser says it signed (from clientDataJSON), to find the ceremony it answers. */
export function signedChallenge(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const challenge = decodeClientDataJSON(response.response.clientDataJSON).challenge;
    return typeof challenge === "string" ? challenge : null;
  } catch {
    return null;
  }
}

/** The counter an assertion carries (authenticator data bytes 33-36), read before the signature is checked. */
function assertedCounter(response: AuthenticationResponseJSON): number | null {
  try {
    return parseAuthenticatorData(isoBase64URL.toBuffer(response.response.authenticatorData)).counter;
  } catch {
    return null;
  }
}

export type StoredPasskey = { credentialId: string; publicKey: string; signCount: number; transports?: string | null };

export type AssertionCheck =
  | { ok: true; newCount: number; userVerified: boolean }
  /** failed: signature, origin, RP ID, type, challenge or user verification; cloned: the counter went backwards. */
  | { ok: false; error: "passkey_failed" | "passkey_cloned" };

/**
 * Verifies an assertion against one stored credential and the challenge it must answer: the signature over
 * the authenticator data and the client data hash, the origin and RP ID, user presence, user verification
 * when asked, then the signature counter (W3C WebAuthn Level 3, 7.2 step 22): where either side is not zero,
 * the new count must be above the stored one, otherwise the key has been cloned and is refused.
 */
export async function checkAssertion(
  response: AuthenticationResponseJSON,
  input: { expectedChallenge: string; passkey: StoredPasskey; rp: RelyingParty; requireUserVerification: boolean },
): Promise<AssertionCheck> {
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.id,
      // The counter is compared below, after the signature: the library is given zero so that it does not
      // throw on it, and a cloned key can be told apart from a bad signature.
      credential: { id: input.passkey.credentialId, publicKey: isoBase64URL.toBuffer(input.passkey.publicKey), counter: 0 },
      requireUserVerification: input.requireUserVerification,
    });
  } catch {
    return { ok: false, error: "passkey_failed" };
  }
  if (!verified.verified) return { ok: false, error: "passkey_failed" };
  const stored = input.passkey.signCount;
  const next = assertedCounter(response) ?? verified.authenticationInfo.newCounter;
  if ((stored > 0 || next > 0) && next <= stored) return { ok: false, error: "passkey_cloned" };
  return { ok: true, newCount: next, userVerified: verified.authenticationInfo.userVerified };
}
