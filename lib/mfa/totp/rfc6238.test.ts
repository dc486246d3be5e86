import crypto from "node:crypto";
import { Secret, TOTP, URI } from "otpauth";
import { afterEach, describe, expect, it } from "vitest";
import { generateTotpSecret, matchTotpStep, qrSvg, qrSvgDataUrl, totpCodeAt, totpIssuer, totpStep, totpUri } from "./rfc6238";

// RFC 6238 Appendix B: the SHA-1 rows, seed = ASCII "12345678901234567890", X = 30, T0 = 0, 8 digits.
const RFC_SEED = "12345678901234567890";
const RFC_SHA1_ROWS: [seconds: number, step: number, code: string][] = [
  [59, 0x1, "94287082"],
  [1111111109, 0x23523ec, "07081804"],
  [1111111111, 0x23523ed, "14050471"],
  [1234567890, 0x273ef07, "89005924"],
  [2000000000, 0x3f940aa, "69279037"],
  [20000000000, 0x27bc86aa, "65353130"],
];
const rfcSecret = Secret.fromLatin1(RFC_SEED).base32;
const at = (seconds: number) => new Date(seconds * 1000);

describe("RFC 6238 Appendix B (SHA-1)", () => {
  it.each(RFC_SHA1_ROWS)("at T=%i (step %i) the 8-digit code is %s", (seconds, step, code) => {
    const totp = new TOTP({ secret: Secret.fromLatin1(RFC_SEED), algorithm: "SHA1", digits: 8, period: 30 });
    expect(totp.generate({ timestamp: seconds * 1000 })).toBe(code);
    expect(totpStep(at(seconds))).toBe(step);
  });

  it.each(RFC_SHA1_ROWS)("at T=%i our 6-digit configuration gives the last six digits and matches step %i", (seconds, step, code) => {
    // Dynamic truncation takes the value modulo 10^digits, so the 6-digit code is the 8-digit one's tail.
    const six = code.slice(-6);
    expect(totpCodeAt(rfcSecret, at(seconds))).toBe(six);
    expect(matchTotpStep(rfcSecret, six, at(seconds))).toBe(step);
  });
});

describe("matchTotpStep", () => {
  const secret = generateTotpSecret();
  const now = new Date("2026-03-01T12:00:10Z");
  const step = totpStep(now);
  const codeAtStep = (offset: number) => totpCodeAt(secret, new Date(now.getTime() + offset * 30_000));

  it("accepts one step of drift either way and reports the step the code belongs to", () => {
    expect(matchTotpStep(secret, codeAtStep(0), now)).toBe(step);
    expect(matchTotpStep(secret, codeAtStep(-1), now)).toBe(step - 1);
    expect(matchTotpStep(secret, codeAtStep(1), now)).toBe(step + 1);
  });

  it("refuses two steps of drift either way", () => {
    for (const offset of [-2, 2, -3, 3]) {
      const code = codeAtStep(offset);
      // A 6-digit code of a far step can equal a near one by chance (about 3 in a million); skip that case.
      if ([-1, 0, 1].some((near) => codeAtStep(near) === code)) continue;
      expect(matchTotpStep(secret, code, now)).toBeNull();
    }
  });

  it("works across a step boundary", () => {
    const boundary = new Date(Math.ceil(now.getTime() / 30_000) * 30_000);
    const last = new Date(boundary.getTime() - 1);
    expect(totpStep(boundary)).toBe(totpStep(last) + 1);
    expect(matchTotpStep(secret, totpCodeAt(secret, last), boundary)).toBe(totpStep(last));
  });

  it("refuses anything that is not exactly six digits", () => {
    const good = codeAtStep(0);
    for (const bad of ["", ` ${good}`, `${good} `, good.slice(0, 5), `${good}0`, "12345a", "１２３４５６", "-12345"]) {
      expect(matchTotpStep(secret, bad, now)).toBeNull();
    }
    expect(matchTotpStep(secret, 123456 as unknown as string, now)).toBeNull();
    expect(matchTotpStep(secret, [good] as unknown as string, now)).toBeNull();
  });

  it("refuses a code made with another secret", () => {
    const other = generateTotpSecret();
    const code = totpCodeAt(other, now);
    if (![-1, 0, 1].some((near) => codeAtStep(near) === code)) expect(matchTotpStep(secret, code, now)).toBeNull();
  });
});

describe("generateTotpSecret", () => {
  it("has at least 160 bits, in base32", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Secret.fromBase32(secret).bytes.length).toBeGreaterThanOrEqual(20);
  });

  it("comes from the randomness it is given (the CSPRNG by default)", () => {
    const bytes = Buffer.from(RFC_SEED, "latin1");
    let asked = 0;
    const secret = generateTotpSecret((size) => {
      asked = size;
      return bytes;
    });
    expect(asked).toBe(20);
    expect(secret).toBe(rfcSecret);
    const many = new Set(Array.from({ length: 500 }, () => generateTotpSecret()));
    expect(many.size).toBe(500);
  });

  it("refuses a short random source", () => {
    expect(() => generateTotpSecret(() => crypto.randomBytes(10))).toThrow();
  });
});

describe("totpUri and QR code", () => {
  const savedAppName = process.env.APP_NAME;
  afterEach(() => {
    if (savedAppName === undefined) delete process.env.APP_NAME;
    else process.env.APP_NAME = savedAppName;
  });

  it("is an otpauth://totp URI with issuer, the email as account and our parameters", () => {
    delete process.env.APP_NAME;
    const secret = generateTotpSecret();
    const uri = totpUri({ secret, email: "ada+mfa@example.com" });
    expect(uri.startsWith("otpauth://totp/Feedback%20Accounts:ada%2Bmfa%40example.com?")).toBe(true);
    const parsed = URI.parse(uri) as TOTP;
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed.issuer).toBe("Feedback Accounts");
    expect(parsed.label).toBe("ada+mfa@example.com");
    expect(parsed.secret.base32).toBe(secret);
    expect(parsed.algorithm).toBe("SHA1");
    expect(parsed.digits).toBe(6);
    expect(parsed.period).toBe(30);
  });

  it("takes the issuer from APP_NAME (without colons, which would break the label)", () => {
    process.env.APP_NAME = "Acme: Feedback";
    expect(totpIssuer()).toBe("Acme Feedback");
    expect((URI.parse(totpUri({ secret: generateTotpSecret(), email: "a@example.com" })) as TOTP).issuer).toBe("Acme Feedback");
    expect(totpUri({ secret: generateTotpSecret(), email: "a@example.com", issuer: "Other" })).toContain("issuer=Other");
  });

  it("renders the URI as an SVG and as an SVG data URL", async () => {
    const uri = totpUri({ secret: generateTotpSecret(), email: "a@example.com" });
    const svg = await qrSvg(uri);
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<path");
    expect(svg).not.toContain("<script");
    const url = await qrSvgDataUrl(uri);
    expect(url.startsWith("data:image/svg+xml;base64,")).toBe(true);
    expect(Buffer.from(url.split(",")[1], "base64").toString("utf8")).toBe(svg);
  });
});
