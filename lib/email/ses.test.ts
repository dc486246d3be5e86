import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { startSesStandIn, type SesStandIn } from "@/tests/helpers/ses-stand-in";
import { createSesSender } from "./ses";
import type { OutgoingEmail } from "./types";

const ENV_KEYS = ["AWS_ENDPOINT_URL_SESV2", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "EMAIL_TIMEOUT_MS"] as const;
const TO = "ada.lovelace@example.com";
const LINK = "https://accounts.example.com/reset-password?token=zXk3-secret-token";

let standIn: SesStandIn;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
const consoleSpies: MockInstance[] = [];

const email = (overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  id: "0b0c0d0e-0000-4000-8000-000000000001",
  from: "Feedback Accounts <no-reply@example.com>",
  to: TO,
  toName: "Ada Lovelace",
  subject: "Reset your Feedback Accounts password",
  html: `<p>Reset it: <a href="${LINK}">here</a></p>`,
  text: `Reset it: ${LINK}`,
  ...overrides,
});

/** The words of an RFC 2047 encoded display name, decoded. */
function decodeWords(header: string): string {
  const name = header.slice(0, header.lastIndexOf("<")).trim();
  return name
    .split(" ")
    .map((word) => {
      const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
      if (!match) throw new Error(`not an encoded-word: ${word}`);
      return Buffer.from(match[1], "base64").toString("utf8");
    })
    .join("");
}

beforeAll(async () => {
  standIn = await startSesStandIn();
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  Object.assign(process.env, { AWS_ENDPOINT_URL_SESV2: standIn.url, AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
  delete process.env.EMAIL_TIMEOUT_MS;
});

afterAll(async () => {
  await standIn.close();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

beforeEach(() => {
  standIn.setMode("ok");
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) consoleSpies.push(vi.spyOn(console, method).mockImplementation(() => {}));
});

afterEach(() => {
  // Whatever happened, neither the address nor the link reached the console.
  const written = consoleSpies.flatMap((spy) => spy.mock.calls).map((args) => args.map(String).join(" ")).join("\n");
  expect(written).not.toContain(TO);
  expect(written).not.toContain("zXk3-secret-token");
  for (const spy of consoleSpies) spy.mockRestore();
  consoleSpies.length = 0;
});

describe("SES sender (real SDK against a local SES v2 stand-in)", () => {
  it("sends From, To, the UTF-8 subject and both parts, signed, and returns SES's message id", async () => {
    const result = await createSesSender().send(email());

    expect(result).toEqual({ ok: true, messageId: expect.stringMatching(/^ses-\d+$/) });
    const received = standIn.sent.at(-1);
    expect(received).toMatchObject({
      from: '"Feedback Accounts" <no-reply@example.com>',
      to: [`"Ada Lovelace" <${TO}>`],
      subject: "Reset your Feedback Accounts password",
      subjectCharset: "UTF-8",
      html: email().html,
      text: email().text,
    });
    expect(String(received?.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/ses\/aws4_request/);
  });

  it("encodes non-ASCII display names as RFC 2047 words of at most 75 characters", async () => {
    const long = "Zoë Ångström-Øverlie 山田太郎 ".repeat(2).trim();
    await createSesSender().send(email({ from: "Équipe Feedback <no-reply@example.com>", toName: long }));

    const received = standIn.sent.at(-1)!;
    expect(received.from).toMatch(/^=\?UTF-8\?B\?[^ ]+\?= <no-reply@example\.com>$/);
    expect(decodeWords(received.from!)).toBe("Équipe Feedback");
    expect(decodeWords(received.to[0])).toBe(long);
    for (const word of received.to[0].split(" ").slice(0, -1)) expect(word.length).toBeLessThanOrEqual(75);
    expect(received.to[0]).toMatch(/[\x20-\x7e]+/);
  });

  it("keeps names and subjects on one line: CR and LF cannot add a header or a recipient", async () => {
    await createSesSender().send(
      email({
        from: "Feedback\r\nBcc: thief@evil.test <no-reply@example.com>",
        toName: 'Eve"\r\nBcc: thief@evil.test\r\n\r\n<b>body</b>',
        subject: "Hello\r\nBcc: thief@evil.test\nX-Injected: 1",
      }),
    );

    const received = standIn.sent.at(-1)!;
    for (const header of [received.from!, ...received.to, received.subject!]) expect(header).not.toMatch(/[\r\n]/);
    expect(received.to).toHaveLength(1);
    expect(received.to[0]).toBe(`"Eve\\" Bcc: thief@evil.test <b>body</b>" <${TO}>`);
    expect(received.subject).toBe("Hello Bcc: thief@evil.test X-Injected: 1");
  });

  it("cuts very long names to 64 characters and subjects to 150", async () => {
    await createSesSender().send(email({ toName: "A".repeat(500), subject: `Subject ${"s".repeat(500)}` }));

    const received = standIn.sent.at(-1)!;
    // The ellipsis is not ASCII, so the cut name goes out encoded.
    expect(decodeWords(received.to[0])).toBe(`${"A".repeat(63)}…`);
    expect(received.to[0].endsWith(` <${TO}>`)).toBe(true);
    expect(Array.from(received.subject!)).toHaveLength(150);
  });

  it("sends to an internationalised domain in Punycode, keeping the local part", async () => {
    const result = await createSesSender().send(email({ to: "anna@bücher.example", toName: null }));

    expect(result.ok).toBe(true);
    expect(standIn.sent.at(-1)?.to).toEqual(["anna@xn--bcher-kva.example"]);
  });

  it("refuses for good, without asking SES, an address whose local part is not ASCII or that is not an address", async () => {
    const before = standIn.requests.length;
    for (const to of ["zoë@example.com", "not-an-address", "a@b@", "ada@exa mple.com", `${"x".repeat(65)}@example.com`]) {
      expect(await createSesSender().send(email({ to }))).toEqual({ ok: false, error: "AddressNotSendable", permanent: true });
    }
    expect(standIn.requests.length).toBe(before);
  });

  it("reports a missing or malformed sender address without sending", async () => {
    const before = standIn.requests.length;
    expect(await createSesSender().send(email({ from: "" }))).toEqual({ ok: false, error: "EmailFromInvalid" });
    expect(await createSesSender().send(email({ from: "Feedback <not an address>" }))).toEqual({ ok: false, error: "EmailFromInvalid" });
    expect(standIn.requests.length).toBe(before);
  });

  it("reports HTTP 400 by its type only, never SES's message (which names the address)", async () => {
    standIn.setMode("http400");
    expect(await createSesSender().send(email())).toEqual({ ok: false, error: "MessageRejected (HTTP 400)" });
  });

  it("reports HTTP 500 as a failure after a single request", async () => {
    standIn.setMode("http500");
    const before = standIn.requests.length;
    const result = await createSesSender().send(email());

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toMatch(/\(HTTP 500\)$/);
    expect(standIn.requests.length - before).toBe(1);
  });

  it("gives up on a provider that never answers within EMAIL_TIMEOUT_MS", async () => {
    standIn.setMode("hang");
    process.env.EMAIL_TIMEOUT_MS = "300";
    const started = performance.now();
    const result = await createSesSender().send(email());
    delete process.env.EMAIL_TIMEOUT_MS;

    expect(result).toEqual({ ok: false, error: "TimeoutError" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
