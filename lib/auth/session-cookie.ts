import crypto from "node:crypto";
import type { MfaState } from "./sessions";

/**
 * The session cookie's payload, sealed with AES-256-GCM. Auth.js writes and reads it through the `jwt`
 * hooks in config.ts; the proxy and the DAL read it with `openSessionCookie`. The payload is the
 * random token of our session row (`st`) and that session's MFA state (`mfa`, which never changes for a
 * row: finishing MFA creates a new one), so the sign-in step can route without another query.
 *
 * Node's own AES-GCM with a key derived once per (secret, cookie name) costs microseconds and stays
 * off the libuv threadpool that bcrypt keeps busy (Auth.js's default runs HKDF and JWE on WebCrypto
 * for every request).
 */
export interface SessionClaims {
  st: string;
  mfa?: MfaState;
  iat?: number;
  exp?: number;
  [claim: string]: unknown;
}

const VERSION = "s1";
const keys = new Map<string, Buffer>();

function keyFor(secret: string, salt: string): Buffer {
  const id = `${salt}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync("sha256", secret, salt, "feedback-platform session cookie v1", 32));
    if (keys.size > 16) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/** Seals claims for `maxAgeSeconds`; the cookie name is the salt, so a value cannot move between cookies. */
export function sealSessionCookie(claims: Record<string, unknown>, secret: string, salt: string, maxAgeSeconds: number, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const body = Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + maxAgeSeconds }));
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFor(secret, salt), iv);
  cipher.setAAD(Buffer.from(VERSION));
  const sealed = Buffer.concat([iv, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${sealed.toString("base64url")}`;
}

/** The claims of a cookie value, or null when it is missing, forged, tampered with, for another cookie, or expired. */
export function openSessionCookie(value: string | undefined | null, secret: string, salt: string, now = Date.now()): SessionClaims | null {
  if (!value || value.length > 4096 || !value.startsWith(`${VERSION}.`)) return null;
  const sealed = Buffer.from(value.slice(VERSION.length + 1), "base64url");
  if (sealed.length < 12 + 16 + 2) return null;
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", keyFor(secret, salt), sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(VERSION));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const body = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
    const claims = JSON.parse(body.toString("utf8")) as SessionClaims;
    if (typeof claims.st !== "string" || typeof claims.exp !== "number" || claims.exp * 1000 <= now) return null;
    return claims;
  } catch {
    return null;
  }
}
