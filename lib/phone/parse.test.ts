import { getCountries } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import {
  countryFromLocale,
  formatPhoneAsYouType,
  listCountries,
  maskPhone,
  parsePhone,
  toCountryCode,
} from "./parse";
import { phoneErrorMessage } from "./messages";

describe("listCountries", () => {
  const countries = listCountries("en");

  it("lists every country libphonenumber-js knows, each with a name and calling code", () => {
    expect(countries.map((c) => c.code).sort()).toEqual([...getCountries()].sort());
    for (const country of countries) {
      expect(country.name.length).toBeGreaterThan(0);
      expect(country.callingCode).toMatch(/^[1-9]\d{0,2}$/);
    }
  });

  it("names countries in the given locale and sorts them by name", () => {
    expect(countries.find((c) => c.code === "NL")).toEqual({ code: "NL", name: "Netherlands", callingCode: "31" });
    const names = countries.map((c) => c.name);
    expect(names).toEqual([...names].sort(new Intl.Collator("en").compare));
    expect(listCountries("nl").find((c) => c.code === "DE")?.name).toBe("Duitsland");
  });

  it("falls back to English names for a malformed locale", () => {
    expect(listCountries("not a locale!").find((c) => c.code === "NL")?.name).toBe("Netherlands");
  });
});

describe("countryFromLocale", () => {
  it.each([
    ["nl-NL", "NL"],
    ["en-US", "US"],
    ["en-GB", "GB"],
    ["pt_BR", "BR"],
    ["zh-Hant-TW", "TW"],
    ["nl", "NL"],
    ["en", "US"],
    ["ja", "JP"],
  ])("reads %s as %s", (locale, country) => {
    expect(countryFromLocale(locale)).toBe(country);
  });

  it.each([[undefined], [""], ["es-419"], ["zz"], ["!!"]])("falls back to US for %j", (locale) => {
    expect(countryFromLocale(locale)).toBe("US");
  });
});

describe("toCountryCode", () => {
  it("accepts a known region in any case and refuses anything else", () => {
    expect(toCountryCode("nl")).toBe("NL");
    expect(toCountryCode("XX")).toBeUndefined();
    expect(toCountryCode(undefined)).toBeUndefined();
  });
});

describe("parsePhone", () => {
  it.each([
    ["+31612345678", "NL", "+31612345678", "NL"],
    ["0612345678", "NL", "+31612345678", "NL"],
    ["06-1234 5678", "NL", "+31612345678", "NL"],
    ["+12025550123", "US", "+12025550123", "US"],
    ["2025550123", "US", "+12025550123", "US"],
    ["(202) 555-0123", "US", "+12025550123", "US"],
    ["202.555.0123", "US", "+12025550123", "US"],
    ["  +31 6 12345678  ", "NL", "+31612345678", "NL"],
  ] as const)("accepts %j for %s as %s", (input, selected, e164, country) => {
    expect(parsePhone(input, selected)).toMatchObject({ ok: true, e164, country });
  });

  it("returns the national format for display", () => {
    expect(parsePhone("+31612345678", "NL")).toEqual({
      ok: true,
      e164: "+31612345678",
      country: "NL",
      national: "06 12345678",
    });
  });

  it("accepts a number typed with its own + prefix whatever country is selected", () => {
    expect(parsePhone("+44 7400 123456", "NL")).toMatchObject({ ok: true, e164: "+447400123456", country: "GB" });
    expect(parsePhone("+31 6 12345678", "US")).toMatchObject({ ok: true, e164: "+31612345678", country: "NL" });
  });

  it("reads a 00 prefix as international whatever country is selected", () => {
    expect(parsePhone("0044 7400 123456", "US")).toMatchObject({ ok: true, e164: "+447400123456" });
  });

  it("refuses a national number that is valid only for another country", () => {
    expect(parsePhone("07400 123456", "NL")).toMatchObject({ ok: false, error: "invalid" });
    expect(parsePhone("07400 123456", "GB")).toMatchObject({ ok: true, e164: "+447400123456" });
  });

  it.each(["", "   "])("refuses %j as empty", (input) => {
    expect(parsePhone(input, "NL")).toEqual({ ok: false, error: "empty" });
  });

  it.each(["06 1234abcd", "call me", "+31 6 1234 5678 ext 9", "06 12345678 📞", "+31+612345678", "06_12345678"])(
    "refuses %j as invalid characters",
    (input) => {
      expect(parsePhone(input, "NL")).toEqual({ ok: false, error: "invalid_chars" });
    },
  );

  it("refuses more than 15 digits and more than 30 characters as too long", () => {
    expect(parsePhone("1".repeat(30), "NL")).toEqual({ ok: false, error: "too_long" });
    expect(parsePhone("+1234567890123456", "NL")).toEqual({ ok: false, error: "too_long" });
    expect(parsePhone(`+31 6 12345678${" ".repeat(20)}9`, "NL")).toEqual({ ok: false, error: "too_long" });
    expect(parsePhone("a".repeat(31), "NL")).toEqual({ ok: false, error: "too_long" });
  });

  it("accepts 15 digits when they form a valid number, and counts 00 as the + it stands for", () => {
    expect(parsePhone("0031612345678", "NL")).toMatchObject({ ok: true });
    expect(parsePhone("00 1234567890123456", "NL")).toEqual({ ok: false, error: "too_long" });
  });

  it("refuses a number that is invalid for the selected country and names that country", () => {
    expect(parsePhone("12345", "NL")).toEqual({ ok: false, error: "invalid", country: "NL" });
    expect(parsePhone("061234567", "NL")).toEqual({ ok: false, error: "invalid", country: "NL" });
    expect(parsePhone("555-0123", "US")).toEqual({ ok: false, error: "invalid", country: "US" });
  });

  it("refuses an invalid international number with the country its code belongs to", () => {
    expect(parsePhone("+44 1234", "NL")).toMatchObject({ ok: false, error: "invalid" });
    expect(parsePhone("+", "NL")).toMatchObject({ ok: false, error: "invalid" });
  });

  it("treats an unknown selected country as none instead of throwing", () => {
    // Form data is untrusted: the country field can hold anything.
    const tampered = "XX" as Parameters<typeof parsePhone>[1];
    expect(parsePhone("0612345678", tampered)).toEqual({ ok: false, error: "invalid", country: undefined });
    expect(parsePhone("+31612345678", tampered)).toMatchObject({ ok: true, e164: "+31612345678" });
  });
});

describe("phoneErrorMessage", () => {
  it("names the country a number was checked against", () => {
    expect(phoneErrorMessage("invalid", "NL")).toBe(
      "This is not a valid phone number for Netherlands. Check the number, or type it with its country code (+…).",
    );
    expect(phoneErrorMessage("invalid")).toBe("This is not a valid phone number. Check the number and its country code.");
  });

  it.each(["empty", "too_long", "invalid_chars"] as const)("has a sentence for %s", (error) => {
    expect(phoneErrorMessage(error)).toMatch(/^[A-Z].+[./]$/);
  });
});

describe("maskPhone", () => {
  it("shows four bullets and the last four digits", () => {
    expect(maskPhone("+31612345678")).toBe("\u2022\u2022\u2022\u2022 5678");
    expect(maskPhone("+12025550123")).toBe("•••• 0123");
  });
});

describe("formatPhoneAsYouType", () => {
  it("formats partial input for the selected country, or for the typed + code", () => {
    expect(formatPhoneAsYouType("0612", "NL")).toBe("06 12");
    expect(formatPhoneAsYouType("2025550123", "US")).toBe("(202) 555-0123");
    expect(formatPhoneAsYouType("+447400123456", "NL")).toBe("+44 7400 123456");
  });

  it("produces only characters parsePhone accepts", () => {
    const formatted = formatPhoneAsYouType("2025550123", "US");
    expect(parsePhone(formatted, "US")).toMatchObject({ ok: true, e164: "+12025550123" });
  });
});
