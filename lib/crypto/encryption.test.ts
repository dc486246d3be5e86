import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MissingSecretError } from "@/lib/config/secrets";
import { DecryptionError, decrypt, EncryptionKeyError, encrypt, ensureMfaEncryptionKey, parseEncryptionKey } from "./encryption";

const key = crypto.randomBytes(32);
const otherKey = crypto.randomBytes(32);
const USER_A = "6f1c2d3e-0000-4000-8000-00000000000a";
const USER_B = "6f1c2d3e-0000-4000-8000-00000000000b";

function expectDecryptionError(run: () => unknown, reason: DecryptionError["reason"]) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe(reason);
    return;
  }
  throw new Error("expected a DecryptionError");
}

/** Flips one bit of one base64url part of a v1 ciphertext. */
function flip(ciphertext: string, part: 1 | 2 | 3): string {
  const parts = ciphertext.split(".");
  const bytes = Buffer.from(parts[part], "base64url");
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("encrypt / decrypt", () => {
  it("round-trips text bound to the same associated data", () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    expect(decrypt(encrypt(secret, USER_A, key), USER_A, key)).toBe(secret);
    expect(decrypt(encrypt("ünïcødé ✓", USER_A, key), USER_A, key)).toBe("ünïcødé ✓");
    expect(decrypt(encrypt("", USER_A, key), USER_A, key)).toBe("");
  });

  it("writes v1.<iv>.<tag>.<ciphertext> in base64url with a 12-byte IV and a 16-byte tag", () => {
    const ciphertext = encrypt("secret", USER_A, key);
    const [version, iv, tag, body] = ciphertext.split(".");
    expect(version).toBe("v1");
    expect(ciphertext).toMatch(/^v1(\.[A-Za-z0-9_-]+){3}$/);
    expect(Buffer.from(iv, "base64url")).toHaveLength(12);
    expect(Buffer.from(tag, "base64url")).toHaveLength(16);
    expect(Buffer.from(body, "base64url")).toHaveLength("secret".length);
    expect(ciphertext).not.toContain("secret");
  });

  it("uses a fresh IV every time, so the same plaintext never gives the same ciphertext", () => {
    const seen = new Set(Array.from({ length: 200 }, () => encrypt("same", USER_A, key).split(".")[1]));
    expect(seen.size).toBe(200);
  });

  it("refuses a tampered IV, tag or ciphertext", () => {
    const ciphertext = encrypt("JBSWY3DPEHPK3PXP", USER_A, key);
    for (const part of [1, 2, 3] as const) expectDecryptionError(() => decrypt(flip(ciphertext, part), USER_A, key), "authentication_failed");
  });

  it("refuses a truncated tag or IV as malformed", () => {
    const [v, iv, tag, body] = encrypt("x", USER_A, key).split(".");
    expectDecryptionError(() => decrypt([v, iv, tag.slice(0, 10), body].join("."), USER_A, key), "malformed");
    expectDecryptionError(() => decrypt([v, iv.slice(0, 8), tag, body].join("."), USER_A, key), "malformed");
  });

  it("refuses the wrong key", () => {
    expectDecryptionError(() => decrypt(encrypt("secret", USER_A, key), USER_A, otherKey), "authentication_failed");
  });

  it("refuses a ciphertext bound to another user", () => {
    expectDecryptionError(() => decrypt(encrypt("secret", USER_A, key), USER_B, key), "authentication_failed");
  });

  it("refuses malformed input and unknown versions", () => {
    const good = encrypt("secret", USER_A, key);
    for (const bad of ["", "v1", "v1...", "v1.a.b", `${good}.extra`, good.replace(/\./g, ":"), "v1.***.***.***"]) {
      expectDecryptionError(() => decrypt(bad, USER_A, key), "malformed");
    }
    expectDecryptionError(() => decrypt(good.replace(/^v1/, "v2"), USER_A, key), "unsupported_version");
    expectDecryptionError(() => decrypt(null as unknown as string, USER_A, key), "malformed");
  });

  it("never puts the plaintext or key in the error message", () => {
    try {
      decrypt(encrypt("TOPSECRET", USER_A, key), USER_B, key);
    } catch (error) {
      expect(String(error)).not.toContain("TOPSECRET");
      expect(String(error)).not.toContain(key.toString("base64"));
    }
  });
});

describe("parseEncryptionKey", () => {
  it("accepts 32 bytes as hex, base64 and base64url", () => {
    expect(parseEncryptionKey(key.toString("hex")).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("hex").toUpperCase()).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("base64")).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("base64url")).equals(key)).toBe(true);
    expect(parseEncryptionKey(` ${key.toString("base64")}\n`).equals(key)).toBe(true);
  });

  it("refuses other lengths and formats", () => {
    for (const bad of [
      "",
      "short",
      crypto.randomBytes(16).toString("hex"),
      crypto.randomBytes(31).toString("base64"),
      crypto.randomBytes(33).toString("base64"),
      crypto.randomBytes(48).toString("base64"),
      `${key.toString("hex")}00`,
      "correct horse battery staple correct horse",
    ]) {
      expect(() => parseEncryptionKey(bad)).toThrow(EncryptionKeyError);
    }
  });
});

describe("ensureMfaEncryptionKey", () => {
  const saved = { key: process.env.MFA_ENCRYPTION_KEY, dataDir: process.env.DATA_DIR };
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mfa-key-"));
    process.env.DATA_DIR = dir;
    delete process.env.MFA_ENCRYPTION_KEY;
    vi.spyOn(console, "info").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    for (const [name, value] of [
      ["MFA_ENCRYPTION_KEY", saved.key],
      ["DATA_DIR", saved.dataDir],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("uses the key from the environment", () => {
    process.env.MFA_ENCRYPTION_KEY = key.toString("base64");
    expect(ensureMfaEncryptionKey().equals(key)).toBe(true);
    expect(fs.existsSync(path.join(dir, "mfa-encryption-key"))).toBe(false);
  });

  it("in development, generates a key once into the data folder and reuses it", () => {
    vi.stubEnv("NODE_ENV", "development");
    const first = ensureMfaEncryptionKey();
    expect(first).toHaveLength(32);
    const file = path.join(dir, "mfa-encryption-key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const ciphertext = encrypt("kept", USER_A, first);
    // A restarted process: the environment is gone, the file is not.
    delete process.env.MFA_ENCRYPTION_KEY;
    const second = ensureMfaEncryptionKey();
    expect(second.equals(first)).toBe(true);
    expect(decrypt(ciphertext, USER_A, second)).toBe("kept");
  });

  it("in production, refuses to run without a key, with a message saying how to make one", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(() => ensureMfaEncryptionKey()).toThrow(EncryptionKeyError);
    expect(() => ensureMfaEncryptionKey()).toThrow(MissingSecretError);
    expect(() => ensureMfaEncryptionKey()).toThrow(/MFA_ENCRYPTION_KEY is not set.*openssl rand -base64 32/);
    expect(fs.existsSync(path.join(dir, "mfa-encryption-key"))).toBe(false);
  });

  it("in production, refuses a malformed key", () => {
    vi.stubEnv("NODE_ENV", "production");
    process.env.MFA_ENCRYPTION_KEY = "not-a-key";
    expect(() => ensureMfaEncryptionKey()).toThrow(EncryptionKeyError);
  });

  it("is what encrypt and decrypt use by default", () => {
    process.env.MFA_ENCRYPTION_KEY = key.toString("hex");
    const ciphertext = encrypt("default key", USER_A);
    expect(decrypt(ciphertext, USER_A, key)).toBe("default key");
    process.env.MFA_ENCRYPTION_KEY = otherKey.toString("hex");
    expectDecryptionError(() => decrypt(ciphertext, USER_A), "authentication_failed");
  });
});
