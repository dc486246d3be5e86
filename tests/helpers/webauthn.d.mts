import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";

/** The types of webauthn.mjs: a software authenticator for the tests and the benchmark. */
export declare class SoftAuthenticator {
  constructor(rp: { id: string; origin: string }, options?: { counter?: number; aaguid?: string; backedUp?: boolean });
  readonly rp: { id: string; origin: string };
  readonly credentialId: Uint8Array;
  counter: number;
  userHandle: string | null;
  /** The credential id, base64url. */
  readonly id: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  register(options: PublicKeyCredentialCreationOptionsJSON, bend?: { origin?: string; rpId?: string; uv?: boolean }): RegistrationResponseJSON;
  assert(
    options: PublicKeyCredentialRequestOptionsJSON | { challenge: string },
    bend?: { origin?: string; rpId?: string; counter?: number; uv?: boolean; userHandle?: string | null; signWith?: SoftAuthenticator },
  ): AuthenticationResponseJSON;
}
