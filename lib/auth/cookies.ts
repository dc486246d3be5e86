import { ensureAuthSecret } from "@/lib/config/secrets";
import { openSessionCookie, type SessionClaims } from "./session-cookie";

/**
 * Secure (and `__Secure-` prefixed) session cookies in production; AUTH_COOKIE_SECURE=false turns that
 * off for a plain-http deployment, AUTH_COOKIE_SECURE=true turns it on anywhere.
 */
export function secureCookiesEnabled(): boolean {
  const flag = process.env.AUTH_COOKIE_SECURE;
  if (flag === "true" || flag === "false") return flag === "true";
  return process.env.NODE_ENV === "production";
}

export function sessionCookieName(): string {
  return secureCookiesEnabled() ? "__Secure-authjs.session-token" : "authjs.session-token";
}

/** The claims in a session cookie value (see session-cookie.ts), or null. */
export function sessionClaimsFrom(value: string | undefined | null): SessionClaims | null {
  return value ? openSessionCookie(value, ensureAuthSecret(), sessionCookieName()) : null;
}

/** Set for two minutes after a sign-in with a backup code, so the next page can say how many are left. */
export const BACKUP_LEFT_COOKIE = "backup-codes-left";

/** Its attributes: Secure exactly when the session cookie is (ASVS 5.0 3.3.1), never readable by scripts. */
export function backupLeftCookieOptions() {
  return { httpOnly: true, secure: secureCookiesEnabled(), sameSite: "lax", maxAge: 120, path: "/" } as const;
}

/** The device id cookie (lib/auth/devices.ts): `__Host-` prefixed where cookies are Secure. */
export function deviceCookieName(): string {
  return secureCookiesEnabled() ? "__Host-device" : "device";
}

/** Where the reset page and its actions live; the reset link's cookie is sent there only. */
export const RESET_PATH = "/reset-password";

/**
 * The reset link's token, moved out of the address bar by the link's first response (OWASP Forgot Password
 * Cheat Sheet: the token must not leak through the Referer header or the history of the page that asks for
 * the password). `__Secure-` where cookies are Secure (`__Host-` would need the path `/`).
 */
export function resetLinkCookieName(): string {
  return secureCookiesEnabled() ? "__Secure-reset-link" : "reset-link";
}

/** HttpOnly, Lax (the email's link is a top-level navigation from another site), the reset path only, the link's 30 minutes. */
export function resetLinkCookieOptions() {
  return { httpOnly: true, secure: secureCookiesEnabled(), sameSite: "lax", maxAge: 30 * 60, path: RESET_PATH } as const;
}
