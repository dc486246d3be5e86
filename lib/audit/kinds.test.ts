import { describe, expect, it } from "vitest";
import { withLocale } from "@/lib/i18n/context";
import { describeDetail } from "./kinds";

const detail = { otherSessionsEnded: 2, method: "totp", passwordless: false, factorId: "0190c0de-0000-7000-8000-000000000000", reviewerNote: "kept" };

describe("an event's detail in the security log", () => {
  it("names the method first, leaves internal ids out, and reads a key it has no name for as its own words", () => {
    expect(describeDetail(detail)).toBe("method: authenticator app · other sessions ended: 2 · without password: no · reviewer note: kept");
  });

  it("is in the language the page runs in", () => {
    expect(withLocale("nl", () => describeDetail(detail))).toBe("methode: authenticator-app · andere sessies beëindigd: 2 · zonder wachtwoord: nee · reviewer note: kept");
    expect(withLocale("nl", () => describeDetail({ method: "carrier_pigeon" }))).toBe("methode: carrier_pigeon");
  });

  it("is empty without a detail", () => {
    expect(describeDetail(null)).toBe("");
  });
});
