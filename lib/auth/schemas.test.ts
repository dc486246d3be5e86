import { describe, expect, it } from "vitest";
import { fieldErrors, passwordConfirmSchema, signInSchema, signUpSchema } from "./schemas";

const good = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery", organisation: "Analytical Engines" };

/** The one message per field a form shows, or null when the input is accepted. */
function signUpErrors(input: Record<string, unknown>) {
  const parsed = signUpSchema.safeParse(input);
  return parsed.success ? null : fieldErrors(parsed.error);
}

describe("signUpSchema", () => {
  it("accepts a complete sign-up, trimming the text and lower-casing the email", () => {
    const parsed = signUpSchema.parse({ ...good, name: "  Ada Lovelace ", email: " ADA@Example.COM ", organisation: " Analytical Engines " });
    expect(parsed).toEqual({ ...good, email: "ada@example.com" });
  });

  it("keeps the password exactly as typed, spaces included", () => {
    expect(signUpSchema.parse({ ...good, password: "  spaced out  " }).password).toBe("  spaced out  ");
  });

  it("says which field is missing, for every field", () => {
    expect(signUpErrors({})).toEqual({
      name: "Enter your name.",
      email: "Enter your email address.",
      password: "Choose a password.",
      organisation: "Enter your organisation's name.",
    });
  });

  it("treats a form field that is absent (null from FormData) like a missing one", () => {
    expect(signUpErrors({ name: null, email: null, password: null, organisation: null })).toEqual({
      name: "Enter your name.",
      email: "Enter your email address.",
      password: "Choose a password.",
      organisation: "Enter your organisation's name.",
    });
  });

  it("refuses a name of only spaces, and accepts a one-letter name", () => {
    expect(signUpErrors({ ...good, name: "   " })).toEqual({ name: "Enter your name." });
    expect(signUpErrors({ ...good, name: "A" })).toBeNull();
  });

  it("refuses a 10,000-character name next to the name field, and accepts 100 characters", () => {
    expect(signUpErrors({ ...good, name: "n".repeat(10_000) })).toEqual({ name: "Use at most 100 characters." });
    expect(signUpErrors({ ...good, name: "n".repeat(100) })).toBeNull();
  });

  it("refuses a 10 kB organisation name next to the organisation field", () => {
    expect(signUpErrors({ ...good, organisation: "o".repeat(10_240) })).toEqual({ organisation: "Use at most 100 characters." });
    expect(signUpErrors({ ...good, organisation: "o".repeat(100) })).toBeNull();
  });

  it("refuses a malformed email next to the email field", () => {
    for (const email of ["ada", "ada@", "@example.com", "ada@example", "ada example@example.com", "ada@@example.com"]) {
      expect(signUpErrors({ ...good, email })).toEqual({ email: "Enter a valid email address, like name@company.com." });
    }
  });

  it("refuses an email longer than 254 characters", () => {
    expect(signUpErrors({ ...good, email: `${"a".repeat(250)}@example.com` })).toEqual({
      email: "Use an email address of at most 254 characters.",
    });
  });

  it("refuses a short password next to the password field, and accepts 8 characters", () => {
    expect(signUpErrors({ ...good, password: "1234567" })).toEqual({ password: "Use at least 8 characters." });
    expect(signUpErrors({ ...good, password: "4f7q9zx2" })).toBeNull();
  });

  it("refuses a common password next to the password field, saying why", () => {
    expect(signUpErrors({ ...good, password: "12345678" })).toEqual({ password: expect.stringMatching(/^This password is too common/) });
    expect(signUpErrors({ ...good, password: "Iloveyou2" })).toEqual({ password: expect.stringMatching(/^This password is too common/) });
  });

  it("counts an emoji as one character for the minimum", () => {
    expect(signUpErrors({ ...good, password: "🙂".repeat(7) })).toEqual({ password: "Use at least 8 characters." });
    expect(signUpErrors({ ...good, password: "🙂".repeat(8) })).toBeNull();
  });

  it("refuses a password over 72 bytes instead of truncating it, and allows 64 characters", () => {
    const message = "Use at most 72 bytes (about 72 letters; fewer with accents or emoji).";
    expect(signUpErrors({ ...good, password: "p".repeat(73) })).toEqual({ password: message });
    expect(signUpErrors({ ...good, password: "😀".repeat(24) })).toEqual({ password: message });
    expect(signUpErrors({ ...good, password: "p".repeat(64) })).toBeNull();
  });

  it("refuses values of the wrong type with the field's message", () => {
    expect(signUpErrors({ name: 42, email: ["a@b.co"], password: { p: 1 }, organisation: true })).toEqual({
      name: "Enter your name.",
      email: "Enter your email address.",
      password: "Choose a password.",
      organisation: "Enter your organisation's name.",
    });
  });

  it("never puts the password in a message", () => {
    const parsed = signUpSchema.safeParse({ ...good, password: "short1" });
    expect(JSON.stringify(parsed.error?.issues)).not.toContain("short1");
  });
});

describe("signInSchema", () => {
  it("lower-cases and trims the email, and keeps the password as typed", () => {
    expect(signInSchema.parse({ email: " ADA@Example.com ", password: " secret " })).toEqual({ email: "ada@example.com", password: " secret " });
  });

  it("asks for a missing email and password", () => {
    const parsed = signInSchema.safeParse({ email: "", password: "" });
    expect(parsed.success ? null : fieldErrors(parsed.error)).toEqual({ email: "Enter your email address.", password: "Enter your password." });
  });

  it("refuses a password too long to be anyone's before any hashing, and accepts 1024 characters", () => {
    expect(signInSchema.safeParse({ email: "a@b.co", password: "x".repeat(1025) }).success).toBe(false);
    expect(signInSchema.safeParse({ email: "a@b.co", password: "x".repeat(1024) }).success).toBe(true);
  });
});

describe("passwordConfirmSchema", () => {
  it("asks for the current password when it is empty, and accepts any non-empty one", () => {
    const empty = passwordConfirmSchema.safeParse({ password: "" });
    expect(empty.success ? null : fieldErrors(empty.error)).toEqual({ password: "Enter your current password." });
    expect(passwordConfirmSchema.safeParse({ password: "x" }).success).toBe(true);
  });
});
