import { describe, expect, it } from "vitest";
import { BACKUP_CODE_LENGTH, formatBackupCode, generateBackupCode, hashBackupCode, normalizeBackupCode } from "./codes";

const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/;

describe("generateBackupCode", () => {
  it("is six groups of four Crockford base32 characters (120 bits)", () => {
    for (let i = 0; i < 200; i += 1) expect(generateBackupCode()).toMatch(FORMAT);
    expect(BACKUP_CODE_LENGTH * Math.log2(32)).toBeGreaterThanOrEqual(112);
  });

  it("never contains characters that look like others (i, l, o, u)", () => {
    const all = Array.from({ length: 300 }, () => generateBackupCode()).join("");
    expect(all).not.toMatch(/[ilou]/);
    // Every one of the 32 symbols turns up: the codes use the whole alphabet.
    expect(new Set(all.replace(/-/g, "")).size).toBe(32);
  });

  it("draws every character from the random source it is given", () => {
    const draws: number[] = [];
    const code = generateBackupCode((max) => {
      draws.push(max);
      return draws.length % 32;
    });
    expect(draws).toEqual(Array(24).fill(32));
    expect(code).toBe("1234-5678-9abc-defg-hjkm-npqr");
  });

  it("does not repeat", () => {
    expect(new Set(Array.from({ length: 1000 }, () => generateBackupCode())).size).toBe(1000);
  });
});

describe("normalizeBackupCode", () => {
  const code = "7kq3-m9xp-2hfw-c8tn-4rvd-j6ya";
  const compact = "7kq3m9xp2hfwc8tn4rvdj6ya";

  it("accepts the code as shown, in any case, with spaces and dashes anywhere", () => {
    for (const typed of [code, compact, code.toUpperCase(), ` ${code} `, code.replace(/-/g, " "), "7kq3 - m9xp - 2hfw - c8tn - 4rvd - j6ya", "7-k-q-3m9xp2hfwc8tn4rvdj6ya", `${code}\n`, code.replace(/-/g, "\u2013")]) {
      expect(normalizeBackupCode(typed)).toEqual({ ok: true, code: compact });
    }
  });

  it("reads the look-alikes o as 0 and i or l as 1", () => {
    expect(normalizeBackupCode("oooo-iiii-llll-0000-1111-2222")).toEqual({ ok: true, code: "000011111111000011112222" });
  });

  it("refuses the wrong length", () => {
    expect(normalizeBackupCode(code.slice(0, -1))).toEqual({ ok: false, error: "backup_code_format" });
    expect(normalizeBackupCode(`${code}a`)).toEqual({ ok: false, error: "backup_code_format" });
    expect(normalizeBackupCode("7kq3-m9xp-2hfw-c8tn")).toEqual({ ok: false, error: "backup_code_format" });
  });

  it("refuses characters outside the alphabet", () => {
    for (const bad of ["7kq3-m9xp-2hfw-c8tn-4rvd-j6yu", "7kq3-m9xp-2hfw-c8tn-4rvd-j6y!", "7kq3_m9xp_2hfw_c8tn_4rvd_j6ya", "7kq3-m9xp-2hfw-c8tn-4rvd-j6yä", "123456"]) {
      expect(normalizeBackupCode(bad)).toEqual({ ok: false, error: "backup_code_format" });
    }
  });

  it("refuses empty input and input that is only separators", () => {
    expect(normalizeBackupCode("")).toEqual({ ok: false, error: "backup_code_empty" });
    expect(normalizeBackupCode(" - - ")).toEqual({ ok: false, error: "backup_code_empty" });
  });

  it("refuses oversized input before doing any work, and anything that is not a string", () => {
    expect(normalizeBackupCode(`${code}${" ".repeat(40)}`)).toEqual({ ok: false, error: "backup_code_format" });
    expect(normalizeBackupCode("a".repeat(1_000_000))).toEqual({ ok: false, error: "backup_code_format" });
    for (const bad of [undefined, null, 123, [code], { code }]) expect(normalizeBackupCode(bad)).toEqual({ ok: false, error: "backup_code_format" });
  });

  it("formats a normalised code back into groups", () => {
    expect(formatBackupCode(compact)).toBe(code);
  });
});

describe("hashBackupCode", () => {
  it("is a SHA-256 hex digest bound to the user", () => {
    const a = hashBackupCode("user-a", "7kq3m9xp2hfwc8tn4rvdj6ya");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(hashBackupCode("user-b", "7kq3m9xp2hfwc8tn4rvdj6ya"));
    expect(a).toBe(hashBackupCode("user-a", "7kq3m9xp2hfwc8tn4rvdj6ya"));
  });
});
