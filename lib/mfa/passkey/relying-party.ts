import { DEFAULT_APP_NAME } from "@/lib/sms/message";

/**
 * The WebAuthn relying party: this app, as browsers see it. The RP ID is APP_URL's host name and the only
 * origin accepted is APP_URL's origin (W3C WebAuthn Level 3, 5.1.4.1 and 7.2 steps 9 and 13): a response
 * signed for another site, or collected on another origin, fails. Without APP_URL (development) it is
 * http://localhost on PORT. An IP address cannot be an RP ID, so open the app at localhost to try passkeys.
 */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingParty(env: NodeJS.ProcessEnv = process.env): RelyingParty {
  const url = new URL(env.APP_URL?.trim() || `http://localhost:${env.PORT ?? "3000"}`);
  return { id: url.hostname, name: env.APP_NAME?.trim() || DEFAULT_APP_NAME, origin: url.origin };
}

/** Whether a browser can register a passkey for this RP ID at all (an IP address is never a valid one). */
export function passkeysPossible(rp: RelyingParty = relyingParty()): boolean {
  return !/^\d{1,3}(\.\d{1,3}){3}$/.test(rp.id) && !rp.id.includes(":");
}
