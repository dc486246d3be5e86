import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/db/connect";

export class MissingSecretError extends Error {}

function readOrCreate(file: string, bytes: number): { value: string; created: boolean } {
  const full = path.join(dataDir(), file);
  try {
    return { value: fs.readFileSync(full, "utf8").trim(), created: false };
  } catch {
    fs.mkdirSync(dataDir(), { recursive: true });
    const value = crypto.randomBytes(bytes).toString("base64url");
    // "wx" fails if another process wrote it first; then read theirs.
    try {
      fs.writeFileSync(full, value, { mode: 0o600, flag: "wx" });
      return { value, created: true };
    } catch {
      return { value: fs.readFileSync(full, "utf8").trim(), created: false };
    }
  }
}

/**
 * AUTH_SECRET signs and encrypts the session cookie and keys the code HMAC.
 * Development without one: generated once into the data folder. Production without one: refuse to start.
 */
export function ensureAuthSecret(): string {
  const fromEnv = process.env.AUTH_SECRET;
  if (fromEnv) return fromEnv;
  if (process.env.NODE_ENV === "production") {
    throw new MissingSecretError(
      "AUTH_SECRET is not set. Generate one with `openssl rand -base64 33` and set it in the environment before starting in production.",
    );
  }
  const { value, created } = readOrCreate("auth-secret", 33);
  process.env.AUTH_SECRET = value;
  console.info(
    created
      ? `[auth] No AUTH_SECRET set: generated one for development and kept it in ${path.join(dataDir(), "auth-secret")}`
      : `[auth] No AUTH_SECRET set: using the development secret kept in ${path.join(dataDir(), "auth-secret")}`,
  );
  return value;
}

/** Derived once per (secret, purpose) and kept: HKDF on every code check is measurable CPU. */
const derivedKeys = new Map<string, Buffer>();

/** A 32-byte subkey of AUTH_SECRET for one purpose (HKDF-SHA-256), so one leaked use does not expose the others. */
export function deriveKey(purpose: string): Buffer {
  const secret = process.env.AUTH_SECRET ?? ensureAuthSecret();
  const id = `${purpose}\u0000${secret}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync("sha256", secret, "feedback-accounts", purpose, 32));
    derivedKeys.set(id, key);
  }
  return key;
}
