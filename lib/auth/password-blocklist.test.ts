import { describe, expect, it } from "vitest";
import { DEMO_ACCOUNTS } from "@/db/seed";
import { TEST_PASSWORD } from "@/tests/helpers/fixtures";
import { blocklistSize, isCommonPassword } from "./password-blocklist";

describe("the password blocklist", () => {
  it("holds at least 100,000 common and breached passwords of 8 characters or more", () => {
    expect(blocklistSize()).toBeGreaterThanOrEqual(100_000);
  });

  it("finds a listed password in any mix of upper and lower case", () => {
    for (const p of ["password", "PASSWORD", "PassWord", "iloveyou", "qwertyuiop", "1qaz2wsx3edc", "trustno1", "p@ssw0rd"]) expect(isCommonPassword(p)).toBe(true);
  });

  it("leaves unusual passwords and passphrases alone", () => {
    for (const p of ["4f7q9zx2", "quietmeadowlark", "correct horse battery staple", "ÄÖÜäöüßé"]) expect(isCommonPassword(p)).toBe(false);
  });

  it("does not hold the passwords of the demo organisation or the tests", () => {
    for (const p of [...DEMO_ACCOUNTS.map((a) => a.password), TEST_PASSWORD, "right-password-1", "bench-password-1", "a fresh passphrase"]) expect(isCommonPassword(p)).toBe(false);
  });
});
