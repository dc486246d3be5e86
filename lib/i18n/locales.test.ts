import { describe, expect, it } from "vitest";
import { negotiateLocale, resolveLocale, validTimeZone } from "./locales";

describe("negotiateLocale", () => {
  it("takes the first supported language by quality, regions folded in", () => {
    expect(negotiateLocale("nl-NL,nl;q=0.9,en-US;q=0.8")).toBe("nl");
    expect(negotiateLocale("fr-FR,fr;q=0.9,nl-BE;q=0.8,en;q=0.7")).toBe("nl");
    expect(negotiateLocale("en;q=0.5,nl;q=0.6")).toBe("nl");
    expect(negotiateLocale("de-DE")).toBe("en");
  });
  it("falls back to English for no header, a garbled one or q=0", () => {
    expect(negotiateLocale(null)).toBe("en");
    expect(negotiateLocale("")).toBe("en");
    expect(negotiateLocale(";;;,,q=")).toBe("en");
    expect(negotiateLocale("nl;q=0")).toBe("en");
  });
});

describe("resolveLocale", () => {
  it("prefers the account's choice, then the browser's", () => {
    expect(resolveLocale("en", "nl-NL")).toBe("en");
    expect(resolveLocale(null, "nl-NL")).toBe("nl");
    expect(resolveLocale("xx", "nl")).toBe("nl");
  });
});

describe("validTimeZone", () => {
  it("accepts zones the runtime knows and nothing else", () => {
    expect(validTimeZone("Europe/Amsterdam")).toBe("Europe/Amsterdam");
    expect(validTimeZone("Mars/Base")).toBeUndefined();
    expect(validTimeZone(undefined)).toBeUndefined();
  });
});
