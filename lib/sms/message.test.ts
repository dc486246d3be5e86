import { afterEach, describe, expect, it } from "vitest";
import { formatCodeMessage } from "./message";

const savedAppName = process.env.APP_NAME;
afterEach(() => {
  if (savedAppName === undefined) delete process.env.APP_NAME;
  else process.env.APP_NAME = savedAppName;
});

describe("formatCodeMessage", () => {
  it("states the product, the code and its validity, and ends with the origin-bound line", () => {
    delete process.env.APP_NAME;
    expect(formatCodeMessage({ code: "123456", minutes: 10, host: "localhost" })).toBe(
      "Feedback Accounts: your verification code is 123456. It is valid for 10 minutes.\n\n@localhost #123456",
    );
  });

  it("leaves the port out of the origin-bound line", () => {
    const text = formatCodeMessage({ code: "123456", minutes: 10, host: "localhost:3000" });
    expect(text.split("\n").at(-1)).toBe("@localhost #123456");
  });

  it("accepts a full origin and lower-cases the host", () => {
    const text = formatCodeMessage({ code: "042042", minutes: 5, host: "https://Accounts.Example.com:8443" });
    expect(text.split("\n").at(-1)).toBe("@accounts.example.com #042042");
  });

  it("takes the product name from APP_NAME, or from the caller", () => {
    process.env.APP_NAME = "Acme";
    expect(formatCodeMessage({ code: "1", minutes: 10, host: "a.test" })).toMatch(/^Acme: /);
    expect(formatCodeMessage({ product: "Other", code: "1", minutes: 10, host: "a.test" })).toMatch(/^Other: /);
  });

  it("keeps the origin-bound line last even when the product name has line breaks", () => {
    const text = formatCodeMessage({ product: "Two\nLines", code: "123456", minutes: 10, host: "a.test" });
    expect(text.split("\n")).toEqual(["Two Lines: your verification code is 123456. It is valid for 10 minutes.", "", "@a.test #123456"]);
  });

  it("says minute for one minute", () => {
    expect(formatCodeMessage({ code: "123456", minutes: 1, host: "a.test" })).toContain("valid for 1 minute.");
  });

  it("refuses a code with whitespace, which would break the origin-bound line", () => {
    expect(() => formatCodeMessage({ code: "12 34", minutes: 10, host: "a.test" })).toThrow();
  });
});

describe("formatCodeMessage in Dutch", () => {
  it("writes the text in the recipient's language and keeps the origin-bound line last and unchanged", () => {
    const text = formatCodeMessage({ product: "Feedback Accounts", code: "123456", minutes: 10, host: "app.example.com:3000", locale: "nl" });
    expect(text).toBe("Feedback Accounts: je verificatiecode is 123456. Hij is 10 minuten geldig.\n\n@app.example.com #123456");
    expect(formatCodeMessage({ code: "123456", minutes: 1, host: "example.com", locale: "nl" })).toContain("1 minuut geldig");
  });
});
