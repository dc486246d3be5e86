import { describe, expect, it } from "vitest";
import { withLocale } from "@/lib/i18n/context";
import { describeBrowser } from "./user-agent";

describe("describeBrowser", () => {
  it("names common browsers and systems", () => {
    expect(describeBrowser("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15")).toBe(
      "Safari on macOS",
    );
    expect(describeBrowser("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36")).toBe("Chrome on Linux");
    expect(describeBrowser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0")).toBe(
      "Edge on Windows",
    );
    expect(describeBrowser("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120 Mobile/15E148")).toBe(
      "Chrome on iOS",
    );
  });
  it("speaks the page's language, or the one the request runs in", () => {
    const linuxChrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    expect(describeBrowser(linuxChrome, "nl")).toBe("Chrome op Linux");
    expect(withLocale("nl", () => describeBrowser(linuxChrome))).toBe("Chrome op Linux");
    expect(withLocale("nl", () => describeBrowser(null))).toBe("Onbekende browser");
  });
  it("falls back when it cannot tell", () => {
    expect(describeBrowser(null)).toBe("Unknown browser");
    expect(describeBrowser("curl/8.0")).toBe("Unknown browser");
  });
});
