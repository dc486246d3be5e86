"use client";
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";

/** The browser's side of a WebAuthn ceremony: its prompt, and what its refusals mean in words. */
export type CeremonyOutcome = { ok: true; response: string } | { ok: false; message: string };

const UNSUPPORTED = "This browser cannot use passkeys. Use another method, or a browser such as Chrome, Safari, Edge or Firefox.";

function refusal(error: unknown, registering: boolean): CeremonyOutcome {
  const name = error instanceof Error ? ((error.cause as Error | undefined)?.name ?? error.name) : "";
  if (name === "NotAllowedError" || name === "AbortError")
    return { ok: false, message: "The passkey prompt was closed or timed out before it finished. Try again, or choose another method." };
  if (name === "InvalidStateError" && registering) return { ok: false, message: "This passkey or security key is registered to your account already." };
  if (name === "SecurityError") return { ok: false, message: "Passkeys work only at this app's own address. Open it there and try again." };
  return { ok: false, message: "Your browser could not use the passkey. Try again, or choose another method." };
}

/** Asks the browser to sign a challenge with one of the user's passkeys (navigator.credentials.get). */
export async function signWithPasskey(options: PublicKeyCredentialRequestOptionsJSON): Promise<CeremonyOutcome> {
  if (!browserSupportsWebAuthn()) return { ok: false, message: UNSUPPORTED };
  try {
    return { ok: true, response: JSON.stringify(await startAuthentication({ optionsJSON: options })) };
  } catch (error) {
    return refusal(error, false);
  }
}

/** Asks the browser to make a new passkey for this account (navigator.credentials.create). */
export async function createPasskey(options: PublicKeyCredentialCreationOptionsJSON): Promise<CeremonyOutcome> {
  if (!browserSupportsWebAuthn()) return { ok: false, message: UNSUPPORTED };
  try {
    return { ok: true, response: JSON.stringify(await startRegistration({ optionsJSON: options })) };
  } catch (error) {
    return refusal(error, true);
  }
}
