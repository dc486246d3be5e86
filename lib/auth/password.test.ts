import bcrypt from "bcrypt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bcryptCost, COMMON_PASSWORD_MESSAGE, hashPassword, PASSWORD_MAX_BYTES, passwordProblem, verifyPassword } from "./password";

const TOO_LONG = `Use at most ${PASSWORD_MAX_BYTES} bytes (about 72 letters; fewer with accents or emoji).`;
const TOO_SHORT = "Use at least 8 characters.";

const savedCost = process.env.BCRYPT_COST;
afterEach(() => {
  if (savedCost === undefined) delete process.env.BCRYPT_COST;
  else process.env.BCRYPT_COST = savedCost;
  vi.restoreAllMocks();
});

describe("passwordProblem", () => {
  it("refuses 7 characters and accepts 8", () => {
    expect(passwordProblem("1234567")).toBe(TOO_SHORT);
    expect(passwordProblem("4f7q9zx2")).toBeNull();
  });

  it("counts an emoji as one character, so 7 emoji are too short and 8 are enough", () => {
    expect(passwordProblem("🙂".repeat(4))).toBe(TOO_SHORT);
    expect(passwordProblem("🙂".repeat(7))).toBe(TOO_SHORT);
    expect(passwordProblem("🙂".repeat(8))).toBeNull();
  });

  it("allows 64 characters and exactly 72 bytes", () => {
    expect(passwordProblem("a".repeat(64))).toBeNull();
    expect(passwordProblem("a".repeat(72))).toBeNull();
  });

  it("refuses 73 bytes with a message instead of truncating", () => {
    expect(passwordProblem("a".repeat(73))).toBe(TOO_LONG);
  });

  it("counts bytes, not letters: 18 emoji (72 bytes) pass, 24 emoji (96 bytes) are refused", () => {
    expect(passwordProblem("😀".repeat(18))).toBeNull();
    expect(passwordProblem("😀".repeat(24))).toBe(TOO_LONG);
    expect(passwordProblem("é".repeat(37))).toBe(TOO_LONG);
  });

  it("has no composition rules", () => {
    for (const p of ["qzqzqzqz", "quietmeadowlark", "20480917", "        ", "ÄÖÜäöüßé"]) expect(passwordProblem(p)).toBeNull();
  });

  it("refuses a common or breached password, in any case, with a message that says why", () => {
    for (const p of ["password", "Password1", "PASSWORD", "iloveyou2", "qwertyuiop", "aaaaaaaa", "12345678"]) expect(passwordProblem(p)).toBe(COMMON_PASSWORD_MESSAGE);
    expect(COMMON_PASSWORD_MESSAGE).toMatch(/^This password is too common/);
  });
});

describe("bcryptCost", () => {
  it("is 12 when BCRYPT_COST is unset", () => {
    delete process.env.BCRYPT_COST;
    expect(bcryptCost()).toBe(12);
  });

  it("reads BCRYPT_COST when it is a sane integer", () => {
    process.env.BCRYPT_COST = "4";
    expect(bcryptCost()).toBe(4);
    process.env.BCRYPT_COST = "14";
    expect(bcryptCost()).toBe(14);
  });

  it("falls back to 12 for a value that is not a sane integer", () => {
    for (const value of ["", "abc", "3", "16", "10.5", "-1"]) {
      process.env.BCRYPT_COST = value;
      expect(bcryptCost()).toBe(12);
    }
  });
});

describe("hashPassword and verifyPassword", () => {
  it("hashes with the configured cost and verifies the same password", async () => {
    process.env.BCRYPT_COST = "5";
    const hash = await hashPassword("correct horse battery");
    expect(bcrypt.getRounds(hash)).toBe(5);
    expect(hash).not.toContain("correct horse battery");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
  });

  it("refuses a different password, including one differing only in case", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse batter", hash)).toBe(false);
    expect(await verifyPassword("Correct horse battery", hash)).toBe(false);
  });

  it("refuses a password longer than 72 bytes even when its first 72 bytes are right (bcrypt alone would accept it)", async () => {
    const password = "b".repeat(72);
    const hash = await hashPassword(password);
    expect(await bcrypt.compare(`${password}extra`, hash)).toBe(true);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password}extra`, hash)).toBe(false);
  });

  it("still runs one bcrypt compare, at the configured cost, when there is no hash", async () => {
    const compare = vi.spyOn(bcrypt, "compare");
    expect(await verifyPassword("any password", null)).toBe(false);
    expect(await verifyPassword("any password", undefined)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [, hash] of compare.mock.calls) expect(bcrypt.getRounds(hash as string)).toBe(bcryptCost());
  });

  it("still runs one bcrypt compare for an oversized password", async () => {
    const hash = await hashPassword("correct horse battery");
    const compare = vi.spyOn(bcrypt, "compare");
    expect(await verifyPassword("x".repeat(10_000), hash)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
  });
});
