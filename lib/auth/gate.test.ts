import { describe, expect, it } from "vitest";
import { needsMfaSetup } from "./gate";

const user = (mfaEnabled: boolean, hasTotp: boolean) => ({ mfaEnabled, hasTotp });
const org = (mfaRequired: boolean, mfaMethods: "any" | "totp_only") => ({ mfaRequired, mfaMethods });

describe("needsMfaSetup", () => {
  it("holds a member without MFA when the organisation requires it, and lets them through when it does not", () => {
    expect(needsMfaSetup({ user: user(false, false), organisation: org(true, "any") })).toBe(true);
    expect(needsMfaSetup({ user: user(false, false), organisation: org(false, "any") })).toBe(false);
  });
  it("lets a member with SMS through when any method is allowed", () => {
    expect(needsMfaSetup({ user: user(true, false), organisation: org(true, "any") })).toBe(false);
  });
  it("holds a member whose only method is SMS when only authenticator apps are allowed, and not one with an app", () => {
    expect(needsMfaSetup({ user: user(true, false), organisation: org(false, "totp_only") })).toBe(true);
    expect(needsMfaSetup({ user: user(true, true), organisation: org(false, "totp_only") })).toBe(false);
  });
  it("does not push MFA on members of an authenticator-only organisation that does not require it", () => {
    expect(needsMfaSetup({ user: user(false, false), organisation: org(false, "totp_only") })).toBe(false);
    expect(needsMfaSetup({ user: user(false, false), organisation: org(true, "totp_only") })).toBe(true);
  });
  it("never holds a user without an organisation", () => {
    expect(needsMfaSetup({ user: user(false, false), organisation: null })).toBe(false);
  });
});
