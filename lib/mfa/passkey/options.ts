import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors } from "@/db/schema";
import { type ChallengeKey, issueWebauthnChallenge } from "../challenge";
import { newWebauthnChallenge, PASSKEY_PROMPT_TIMEOUT_MS } from "./ceremony";
import { relyingParty } from "./relying-party";

export type AuthenticatorTransport = "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";
export const splitTransports = (value: string | null | undefined) => (value ? (value.split(",") as AuthenticatorTransport[]) : undefined);

/**
 * The browser's prompt for a passkey as a second factor or a step-up: a new WebAuthn challenge on the open
 * challenge row `key` names (a pending sign-in's, or a step-up's), and the user's own keys as the only ones
 * allowed. User verification is preferred: the password came first. Null when the challenge is closed or the
 * user has no passkey.
 */
export async function passkeyPromptFor(db: Db, key: ChallengeKey, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const keys = await db
    .select({ credentialId: mfaFactors.credentialId, transports: mfaFactors.transports })
    .from(mfaFactors)
    .where(and(eq(mfaFactors.userId, key.userId), eq(mfaFactors.kind, "passkey")));
  const allowCredentials = keys.filter((k) => k.credentialId).map((k) => ({ id: k.credentialId as string, transports: splitTransports(k.transports) }));
  if (allowCredentials.length === 0) return null;
  const challenge = newWebauthnChallenge();
  if (!(await issueWebauthnChallenge(db, key, challenge, now))) return null;
  return generateAuthenticationOptions({
    rpID: relyingParty().id,
    allowCredentials,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: PASSKEY_PROMPT_TIMEOUT_MS,
    userVerification: "preferred",
  });
}
