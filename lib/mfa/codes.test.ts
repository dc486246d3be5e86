import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CODE_TTL_MS, codeMatches, generateCode, hashCode, MAX_CODE_ATTEMPTS, normalizeCode, RESEND_COOLDOWN_MS } from "./codes";

const CHALLENGE = "3f1c2a7e-8b4d-4c6e-9a0b-1d2e3f4a5b6c";
const OTHER_CHALLENGE = "9b8a7c6d-5e4f-4a3b-8c1d-0e9f8a7b6c5d";
const USER = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const OTHER_USER = "7d6c5b4a-3f2e-4d1c-9b0a-f9e8d7c6b5a4";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the policy constants", () => {
  it("gives a code 10 minutes, 5 wrong tries and a 30-second resend cooldown", () => {
    expect(CODE_TTL_MS).toBe(10 * 60_000);
    expect(MAX_CODE_ATTEMPTS).toBe(5);
    expect(RESEND_COOLDOWN_MS).toBe(30_000);
  });
});

describe("generateCode", () => {
  it("makes 10,000 codes that are all exactly six digits and mostly distinct", () => {
    const codes = Array.from({ length: 10_000 }, () => generateCode());
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    // 10,000 draws from a million: about 50 repeats are expected, thousands would mean a broken source.
    expect(new Set(codes).size).toBeGreaterThan(9_800);
    for (let position = 0; position < 6; position++) expect(new Set(codes.map((c) => c[position])).size).toBe(10);
  });

  it("keeps leading zeros", () => {
    expect(generateCode(() => 42)).toBe("000042");
    expect(generateCode(() => 0)).toBe("000000");
    expect(generateCode(() => 999_999)).toBe("999999");
  });

  it("asks the random source for a number below one million", () => {
    const randomInt = vi.fn(() => 7);
    generateCode(randomInt);
    expect(randomInt).toHaveBeenCalledWith(1_000_000);
  });

  it("draws from the CSPRNG by default", () => {
    const spy = vi.spyOn(crypto, "randomInt");
    generateCode();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]).toEqual([0, 1_000_000]);
  });
});

describe("hashCode", () => {
  it("is a keyed hash, not the code or its plain SHA-256", () => {
    const hash = hashCode(CHALLENGE, USER, "123456");
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain("123456");
    expect(hash).not.toBe(crypto.createHash("sha256").update("123456").digest("hex"));
    expect(hash).not.toBe(crypto.createHash("sha256").update(`${CHALLENGE}:${USER}:123456`).digest("hex"));
  });

  it("is the same for the same challenge, user and code", () => {
    expect(hashCode(CHALLENGE, USER, "123456")).toBe(hashCode(CHALLENGE, USER, "123456"));
  });

  it("changes with the challenge id, the user id and the code", () => {
    const base = hashCode(CHALLENGE, USER, "123456");
    expect(hashCode(OTHER_CHALLENGE, USER, "123456")).not.toBe(base);
    expect(hashCode(CHALLENGE, OTHER_USER, "123456")).not.toBe(base);
    expect(hashCode(CHALLENGE, USER, "123457")).not.toBe(base);
  });

  it("changes with the server secret", () => {
    const saved = process.env.AUTH_SECRET;
    const base = hashCode(CHALLENGE, USER, "123456");
    try {
      process.env.AUTH_SECRET = "another-secret-another-secret-another-1";
      expect(hashCode(CHALLENGE, USER, "123456")).not.toBe(base);
    } finally {
      process.env.AUTH_SECRET = saved;
    }
  });
});

describe("codeMatches", () => {
  it("accepts the code for its own challenge and user", () => {
    expect(codeMatches(CHALLENGE, USER, "123456", hashCode(CHALLENGE, USER, "123456"))).toBe(true);
  });

  it("refuses the same code for another challenge or another user, and another code", () => {
    const stored = hashCode(CHALLENGE, USER, "123456");
    expect(codeMatches(OTHER_CHALLENGE, USER, "123456", stored)).toBe(false);
    expect(codeMatches(CHALLENGE, OTHER_USER, "123456", stored)).toBe(false);
    expect(codeMatches(CHALLENGE, USER, "654321", stored)).toBe(false);
  });

  it("refuses a malformed or empty stored hash", () => {
    expect(codeMatches(CHALLENGE, USER, "123456", "")).toBe(false);
    expect(codeMatches(CHALLENGE, USER, "123456", "abc")).toBe(false);
  });

  it("compares in constant time with crypto.timingSafeEqual", () => {
    const spy = vi.spyOn(crypto, "timingSafeEqual");
    const stored = hashCode(CHALLENGE, USER, "123456");
    codeMatches(CHALLENGE, USER, "123456", stored);
    codeMatches(CHALLENGE, USER, "000000", stored);
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe("normalizeCode", () => {
  it("accepts six digits, also pasted with a space or a dash or surrounding spaces", () => {
    for (const input of ["123456", "123 456", "123-456", " 123456 ", "12 34 56", "\t123456\n"]) {
      expect(normalizeCode(input)).toEqual({ ok: true, code: "123456" });
    }
  });

  it("keeps leading zeros", () => {
    expect(normalizeCode("000042")).toEqual({ ok: true, code: "000042" });
  });

  it("asks for the code when it is empty or only spaces", () => {
    expect(normalizeCode("")).toEqual({ ok: false, error: "code_empty" });
    expect(normalizeCode("   ")).toEqual({ ok: false, error: "code_empty" });
  });

  it("refuses letters, five digits and seven digits as malformed", () => {
    for (const input of ["12345a", "abcdef", "12345", " 12345", "1234567", "12.3456", "+123456"]) {
      expect(normalizeCode(input)).toEqual({ ok: false, error: "code_format" });
    }
  });

  it("refuses digits from other scripts", () => {
    expect(normalizeCode("١٢٣٤٥٦")).toEqual({ ok: false, error: "code_format" });
    expect(normalizeCode("１２３４５６")).toEqual({ ok: false, error: "code_format" });
  });

  it("refuses a 100 kB string, even one of spaces around a right-looking code", () => {
    expect(normalizeCode("1".repeat(100_000))).toEqual({ ok: false, error: "code_format" });
    expect(normalizeCode(`${" ".repeat(100_000)}123456`)).toEqual({ ok: false, error: "code_format" });
  });

  it("refuses values that are not strings", () => {
    for (const input of [["123456"], 123456, null, undefined, { code: "123456" }, true]) {
      expect(normalizeCode(input)).toEqual({ ok: false, error: "code_format" });
    }
  });
});

describe("randomness in the auth code", () => {
  const LIB = path.resolve(__dirname, "..");
  function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return /\.(ts|tsx|js|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
    });
  }

  it("never uses Math.random anywhere under lib/", () => {
    const files = sourceFiles(LIB);
    // The scan must actually see the code that makes codes and tokens.
    expect(files).toEqual(expect.arrayContaining([path.join(LIB, "mfa", "codes.ts"), path.join(LIB, "crypto", "tokens.ts")]));
    const offenders = files.filter((file) => /Math\s*\.\s*random/.test(fs.readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });
});
