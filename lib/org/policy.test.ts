import { describe, expect, it } from "vitest";
import { allowedMethods, mayRemoveLastFactor, needsMfaSetup, policyOf } from "./policy";

const user = (mfaEnabled: boolean, hasTotp: boolean, hasPasskey = false) => ({ mfaEnabled, hasTotp, hasPasskey });
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
  const policy = (methods: "any" | "totp_only" | "passkey_only") => ({ required: true, methods });
  const withApp = { hasTotp: true, hasPasskey: false };
  const smsOnly = { hasTotp: false, hasPasskey: false };
  const withPasskey = { hasTotp: false, hasPasskey: true };
  it("keeps text messages out of enrolment when only authenticator apps are allowed, and allows them otherwise", () => {
    expect(allowedMethods(policy("totp_only"), "enroll", smsOnly)).not.toContain("sms");
    expect(allowedMethods(policy("any"), "enroll", smsOnly)).toContain("sms");
  });
  it("refuses text messages at sign-in and step-up to a member with an app when only apps are allowed", () => {
    expect(allowedMethods(policy("totp_only"), "sign_in", withApp)).toEqual(["passkey", "totp", "backup"]);
    expect(allowedMethods(policy("totp_only"), "step_up", withApp)).toEqual(["passkey", "totp", "backup"]);
  });
  it("lets a member whose only factor is SMS use it to get in and add an app (they are held at setup)", () => {
    expect(allowedMethods(policy("totp_only"), "sign_in", smsOnly)).toContain("sms");
    expect(allowedMethods(policy("totp_only"), "step_up", smsOnly)).toContain("sms");
  });
  it("offers every method, strongest first, when any method is allowed", () => {
    expect(allowedMethods(policy("any"), "sign_in", withApp)).toEqual(["passkey", "totp", "sms", "backup"]);
  });
  it("passkeys only: enrolment takes passkeys alone; a member with a passkey signs in and steps up with it or a backup code", () => {
    expect(allowedMethods(policy("passkey_only"), "enroll", smsOnly)).toEqual(["passkey", "backup"]);
    expect(allowedMethods(policy("passkey_only"), "sign_in", withPasskey)).toEqual(["passkey", "backup"]);
    expect(allowedMethods(policy("passkey_only"), "step_up", withPasskey)).toEqual(["passkey", "backup"]);
  });
  it("passkeys only: a member without one may still use what they have, to get in and add one (held at setup)", () => {
    expect(allowedMethods(policy("passkey_only"), "sign_in", smsOnly)).toContain("sms");
    expect(allowedMethods(policy("passkey_only"), "step_up", withApp)).toContain("totp");
  });
  it("apps only: a passkey counts as strong as an app, so a member holding one cannot fall back to text messages", () => {
    expect(allowedMethods(policy("totp_only"), "sign_in", withPasskey)).not.toContain("sms");
    expect(allowedMethods(policy("totp_only"), "enroll", smsOnly)).toContain("passkey");
  });
});

describe("needsMfaSetup with passkeys", () => {
  const org = (mfaMethods: "any" | "totp_only" | "passkey_only", mfaRequired = true) => ({ mfaRequired, mfaMethods });
  it("a passkey is MFA: required organisations do not hold a member whose only factor is a passkey", () => {
    expect(needsMfaSetup({ user: user(true, false, true), organisation: org("any") })).toBe(false);
    expect(needsMfaSetup({ user: user(true, false, true), organisation: org("totp_only") })).toBe(false);
  });
  it("passkeys only holds every member with MFA but no passkey, required or not, and frees them once they add one", () => {
    expect(needsMfaSetup({ user: user(true, true), organisation: org("passkey_only") })).toBe(true);
    expect(needsMfaSetup({ user: user(true, false), organisation: org("passkey_only", false) })).toBe(true);
    expect(needsMfaSetup({ user: user(true, true, true), organisation: org("passkey_only") })).toBe(false);
    expect(needsMfaSetup({ user: user(false, false), organisation: org("passkey_only", false) })).toBe(false);
  });
});

describe("mayRemoveLastFactor", () => {
  it("refuses where the organisation requires MFA and allows it elsewhere", () => {
    expect(mayRemoveLastFactor({ required: true, methods: "any" })).toBe(false);
    expect(mayRemoveLastFactor({ required: false, methods: "any" })).toBe(true);
    expect(mayRemoveLastFactor(policyOf(null))).toBe(true);
  });
});
