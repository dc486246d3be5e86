import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/db/connect";
import { MissingSecretError } from "@/lib/config/secrets";

/**
 * Authenticated encryption for secrets kept in the database (TOTP seeds): ASVS 5.0 11.3 (authenticated encryption, key outside the database).
 *
 * Key: env `MFA_ENCRYPTION_KEY`, exactly 32 random bytes written as 64 hex characters or as base64/base64url
 * (43 or 44 characters), e.g. `openssl rand -base64 32`. Development without it: generated once into
 * DATA_DIR/mfa-encryption-key. Production without it: refuse to start. Losing or changing the key makes every
 * stored authenticator secret unreadable (users would have to enrol again), so it must be kept like a password.
 *
 * Ciphertext: `v1.<iv>.<tag>.<ciphertext>`, each part base64url; AES-256-GCM, a fresh random 96-bit IV per
 * message, 128-bit tag. The caller's associated data (e.g. the owning user's id) is authenticated but not
 * stored, so a ciphertext copied to another row or context fails to decrypt.
 */

const VERSION = "v1";
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_FILE = "mfa-encryption-key";

/** The key is absent in production, or present but not 32 bytes of hex or base64. */
export class EncryptionKeyError extends MissingSecretError {}

export type DecryptionFailure = "malformed" | "unsupported_version" | "authentication_failed";

/** A ciphertext that cannot be opened: not ours, tampered with, bound to other associated data, or under another key. */
export class DecryptionError extends Error {
  constructor(readonly reason: DecryptionFailure) {
    super(`Could not decrypt: ${reason.replace(/_/g, " ")}`);
    this.name = "DecryptionError";
  }
}

/** Reads a 32-byte key written as 64 hex characters or as (padded or unpadded) base64 / base64url. */
export function parseEncryptionKey(value: string): Buffer {
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, "hex")
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64")
      : null;
  if (!key || key.length !== KEY_BYTES) {
    throw new EncryptionKeyError(
      "MFA_ENCRYPTION_KEY must be 32 random bytes written as 64 hex characters or as base64 (generate one with `openssl rand -base64 32`).",
    );
  }
  return key;
}

function readOrCreateKeyFile(): { value: string; created: boolean; file: string } {
  const file = path.join(dataDir(), KEY_FILE);
  try {
    return { value: fs.readFileSync(file, "utf8").trim(), created: false, file };
  } catch {
    fs.mkdirSync(dataDir(), { recursive: true });
    const value = crypto.randomBytes(KEY_BYTES).toString("base64url");
    // "wx" fails if another process wrote it first; then read theirs.
    try {
      fs.writeFileSync(file, value, { mode: 0o600, flag: "wx" });
      return { value, created: true, file };
    } catch {
      return { value: fs.readFileSync(file, "utf8").trim(), created: false, file };
    }
  }
}

/**
 * The key for MFA secrets. Call at startup to fail fast: production without MFA_ENCRYPTION_KEY, or with a
 * malformed one, throws EncryptionKeyError (a MissingSecretError, like a missing AUTH_SECRET).
 */
export function ensureMfaEncryptionKey(): Buffer {
  const fromEnv = process.env.MFA_ENCRYPTION_KEY;
  if (fromEnv) return parseEncryptionKey(fromEnv);
  if (process.env.NODE_ENV === "production") {
    throw new EncryptionKeyError(
      "MFA_ENCRYPTION_KEY is not set. It encrypts authenticator-app secrets; generate one with `openssl rand -base64 32`, keep it outside the database, and set it in the environment before starting in production.",
    );
  }
  const { value, created, file } = readOrCreateKeyFile();
  const key = parseEncryptionKey(value);
  process.env.MFA_ENCRYPTION_KEY = value;
  console.info(
    created
      ? `[mfa] No MFA_ENCRYPTION_KEY set: generated one for development and kept it in ${file}`
      : `[mfa] No MFA_ENCRYPTION_KEY set: using the development key kept in ${file}`,
  );
  return key;
}

// The version is authenticated along with the caller's data, so a v1 body can never be read as another format.
const aadFor = (associatedData: string) => Buffer.from(`${VERSION}\u0000${associatedData}`, "utf8");

/** Encrypts `plaintext`, binding it to `associatedData` (which must be given again, identical, to decrypt). */
export function encrypt(plaintext: string, associatedData: string, key: Buffer = ensureMfaEncryptionKey()): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(associatedData));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Opens a value from `encrypt`. Throws DecryptionError if it is malformed, tampered with, for other associated data or under another key. */
export function decrypt(ciphertext: string, associatedData: string, key: Buffer = ensureMfaEncryptionKey()): string {
  const parts = typeof ciphertext === "string" ? ciphertext.split(".") : [];
  if (parts.length !== 4) throw new DecryptionError("malformed");
  const [version, ivText, tagText, bodyText] = parts;
  if (version !== VERSION) throw new DecryptionError("unsupported_version");
  if (![ivText, tagText, bodyText].every((p) => B64URL.test(p))) throw new DecryptionError("malformed");
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptionError("malformed");
  try {
    const decipher = crypto.createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadFor(associatedData));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(bodyText, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError("authentication_failed");
  }
}
