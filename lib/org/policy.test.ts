import { describe, expect, it } from "vitest";
import { allowedMethods, mayRemoveLastFactor, needsMfaSetup, policyOf } from "./policy";

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

describe("allowedMethods", () => {
  const policy = (methods: "any" | "totp_only") => ({ required: true, methods });
  it("keeps text messages out of enrolment when only authenticator apps are allowed, and allows them otherwise", () => {
    expect(allowedMethods(policy("totp_only"), "enroll")).not.toContain("sms");
    expect(allowedMethods(policy("any"), "enroll")).toContain("sms");
  });
  it("offers every method at sign-in and step-up, strongest first", () => {
    expect(allowedMethods(policy("any"), "sign_in")).toEqual(["totp", "sms", "backup"]);
    expect(allowedMethods(policy("totp_only"), "step_up")).toEqual(["totp", "sms", "backup"]);
  });
});

describe("mayRemoveLastFactor", () => {
  it("refuses where the organisation requires MFA and allows it elsewhere", () => {
    expect(mayRemoveLastFactor({ required: true, methods: "any" })).toBe(false);
    expect(mayRemoveLastFactor({ required: false, methods: "any" })).toBe(true);
    expect(mayRemoveLastFactor(policyOf(null))).toBe(true);
  });
});
