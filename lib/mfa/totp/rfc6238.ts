import crypto from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

/**
 * Authenticator apps, RFC 6238 with the parameters every app reads: HMAC-SHA-1, 6 digits, 30-second steps.
 * The HOTP arithmetic is otpauth's; this module only fixes the parameters and the drift window.
 */
export const TOTP_ALGORITHM = "SHA1";
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps of clock drift accepted either way (RFC 6238 5.2 recommends at most one). */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA-1 output size (RFC 4226 R6; NIST SP 800-63B 3.1.4.1 asks for at least 112). */
export const TOTP_SECRET_BYTES = 20;
/** Issuer shown in the authenticator app. Env `APP_NAME`, default "Feedback Accounts" (as in text messages). */
export const DEFAULT_TOTP_ISSUER = "Feedback Accounts";

// A colon separates issuer and account in the key URI label, so it cannot appear in the issuer.
export const totpIssuer = () => (process.env.APP_NAME ?? DEFAULT_TOTP_ISSUER).replace(/:/g, "").replace(/\s+/g, " ").trim() || DEFAULT_TOTP_ISSUER;

/** A new secret from the CSPRNG, as unpadded base32 (what authenticator apps accept for manual entry). */
export function generateTotpSecret(randomBytes: (size: number) => Buffer = crypto.randomBytes): string {
  const bytes = randomBytes(TOTP_SECRET_BYTES);
  if (bytes.length < TOTP_SECRET_BYTES) throw new Error("TOTP secret too short");
  return new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32;
}

function totpFor(secret: string, label = "", issuer = "") {
  return new TOTP({
    issuer,
    label,
    issuerInLabel: issuer !== "",
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** `otpauth://totp/<issuer>:<email>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`, the QR code's content. */
export function totpUri(input: { secret: string; email: string; issuer?: string }): string {
  return totpFor(input.secret, input.email, input.issuer ?? totpIssuer()).toString();
}

const QR_OPTIONS = { errorCorrectionLevel: "M", margin: 2 } as const;

/** The URI as a standalone SVG document. */
export function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { ...QR_OPTIONS, type: "svg" });
}

/** The SVG as a `data:` URL for an `<img>` (the CSP allows `img-src data:`; no HTML injection needed). */
export async function qrSvgDataUrl(uri: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(uri), "utf8").toString("base64")}`;
}

/** The 30-second time step (RFC 6238 "T") that `now` falls in. */
export function totpStep(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step whose code `code` is, searching the current step and one either side; null if none matches
 * (or the code is not six digits). Callers must still refuse a step at or below the last one accepted.
 */
export function matchTotpStep(secret: string, code: string, now: Date = new Date()): number | null {
  if (typeof code !== "string" || !/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret).validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : totpStep(now) + delta;
}

/** The code for a time (tests, the browser suite and the seed compute codes this way). */
export function totpCodeAt(secret: string, now: Date = new Date()): string {
  return totpFor(secret).generate({ timestamp: now.getTime() });
}
