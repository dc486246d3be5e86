import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./redirect";

describe("safeCallbackUrl", () => {
  it("keeps a same-origin path with its query and fragment", () => {
    expect(safeCallbackUrl("/account?x=1#y")).toBe("/account?x=1#y");
    expect(safeCallbackUrl("/")).toBe("/");
  });

  it("refuses a protocol-relative URL", () => {
    expect(safeCallbackUrl("//evil.example")).toBe("/");
    expect(safeCallbackUrl("//evil.example/account?x=1")).toBe("/");
  });

  it("refuses an absolute URL, even one naming a path", () => {
    expect(safeCallbackUrl("https://evil.example")).toBe("/");
    expect(safeCallbackUrl("https://evil.example/account")).toBe("/");
    expect(safeCallbackUrl("http:/evil.example")).toBe("/");
  });

  it("refuses a javascript: URL, in any case", () => {
    expect(safeCallbackUrl("javascript:alert(1)")).toBe("/");
    expect(safeCallbackUrl("JavaScript:alert(1)")).toBe("/");
  });

  it("refuses a backslash that browsers read as a slash", () => {
    expect(safeCallbackUrl("/\\evil.example")).toBe("/");
    expect(safeCallbackUrl("/account\\..\\\\evil.example")).toBe("/");
  });

  it("refuses control characters that URL parsing would strip into a protocol-relative URL", () => {
    expect(safeCallbackUrl("\t//evil")).toBe("/");
    expect(safeCallbackUrl("/\t/evil.example")).toBe("/");
    expect(safeCallbackUrl("/\n/evil.example")).toBe("/");
    expect(safeCallbackUrl("/account\r\nSet-Cookie: x=1")).toBe("/");
  });

  it("refuses dot segments that normalise into a protocol-relative URL", () => {
    expect(safeCallbackUrl("/..//evil.example")).toBe("/");
    expect(safeCallbackUrl("/.//evil.example")).toBe("/");
    expect(safeCallbackUrl("/account/..//evil.example/x?y#z")).toBe("/");
    expect(safeCallbackUrl("/%2e%2e//evil.example")).toBe("/");
  });

  it("resolves harmless dot segments to a path on this site", () => {
    expect(safeCallbackUrl("/account/../settings")).toBe("/settings");
    expect(safeCallbackUrl("/../account")).toBe("/account");
  });

  it("refuses a path without a leading slash", () => {
    expect(safeCallbackUrl("account")).toBe("/");
    expect(safeCallbackUrl(" /account")).toBe("/");
  });

  it("falls back for anything that is not a string", () => {
    for (const value of [undefined, null, 42, ["/account"], { href: "/account" }, true]) {
      expect(safeCallbackUrl(value)).toBe("/");
    }
  });

  it("falls back for an empty or very long value, and accepts one at the limit", () => {
    expect(safeCallbackUrl("")).toBe("/");
    const atLimit = `/${"a".repeat(2047)}`;
    expect(safeCallbackUrl(atLimit)).toBe(atLimit);
    expect(safeCallbackUrl(`/${"a".repeat(2048)}`)).toBe("/");
    expect(safeCallbackUrl(`/${"a".repeat(1_000_000)}`)).toBe("/");
  });

  it("uses the fallback the caller gives", () => {
    expect(safeCallbackUrl("//evil.example", "/account")).toBe("/account");
    expect(safeCallbackUrl("/settings", "/account")).toBe("/settings");
  });
});
