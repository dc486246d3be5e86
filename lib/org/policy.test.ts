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
  const withApp = { hasTotp: true };
  const smsOnly = { hasTotp: false };
  it("keeps text messages out of enrolment when only authenticator apps are allowed, and allows them otherwise", () => {
    expect(allowedMethods(policy("totp_only"), "enroll", smsOnly)).not.toContain("sms");
    expect(allowedMethods(policy("any"), "enroll", smsOnly)).toContain("sms");
  });
  it("refuses text messages at sign-in and step-up to a member with an app when only apps are allowed", () => {
    expect(allowedMethods(policy("totp_only"), "sign_in", withApp)).toEqual(["totp", "backup"]);
    expect(allowedMethods(policy("totp_only"), "step_up", withApp)).toEqual(["totp", "backup"]);
  });
  it("lets a member whose only factor is SMS use it to get in and add an app (they are held at setup)", () => {
    expect(allowedMethods(policy("totp_only"), "sign_in", smsOnly)).toContain("sms");
    expect(allowedMethods(policy("totp_only"), "step_up", smsOnly)).toContain("sms");
  });
  it("offers every method, strongest first, when any method is allowed", () => {
    expect(allowedMethods(policy("any"), "sign_in", withApp)).toEqual(["totp", "sms", "backup"]);
  });
});

describe("mayRemoveLastFactor", () => {
  it("refuses where the organisation requires MFA and allows it elsewhere", () => {
    expect(mayRemoveLastFactor({ required: true, methods: "any" })).toBe(false);
    expect(mayRemoveLastFactor({ required: false, methods: "any" })).toBe(true);
    expect(mayRemoveLastFactor(policyOf(null))).toBe(true);
  });
});
