import { describe, expect, it } from "vitest";
import { isLoopbackUrl, unsafeProductionSettings } from "./production";

/** A production server set up as a real deployment should be. */
const SAFE = { NODE_ENV: "production", APP_URL: "https://accounts.example.com", SMS_PROVIDER: "sns", EMAIL_PROVIDER: "ses", EMAIL_FROM: "Feedback Accounts <no-reply@example.com>" };
/** The browser tests and the benchmark: a production build on this machine reading codes from the outbox. */
const LOCAL_TEST = { NODE_ENV: "production", APP_URL: "http://127.0.0.1:4123", SMS_PROVIDER: "outbox", EMAIL_PROVIDER: "outbox", ALLOW_DEV_OUTBOX: "true", BENCH_ROUTES: "true" };

const refused = (env: Record<string, string | undefined>) => unsafeProductionSettings(env);

describe("unsafeProductionSettings", () => {
  it("passes a deployment with APP_URL, SMS_PROVIDER=sns and EMAIL_PROVIDER=ses, and a test run on a loopback APP_URL", () => {
    expect(refused(SAFE)).toEqual([]);
    expect(refused(LOCAL_TEST)).toEqual([]);
    expect(refused({ ...LOCAL_TEST, APP_URL: "http://localhost:3000" })).toEqual([]);
    expect(refused({ ...LOCAL_TEST, APP_URL: "http://[::1]:3000" })).toEqual([]);
  });

  it("checks nothing outside production (development needs no configuration)", () => {
    expect(refused({ NODE_ENV: "development" })).toEqual([]);
    expect(refused({ NODE_ENV: "test", ALLOW_DEV_OUTBOX: "true", BENCH_ROUTES: "true" })).toEqual([]);
  });

  it("refuses production without APP_URL, with one line saying why", () => {
    const lines = refused({ ...SAFE, APP_URL: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^APP_URL is not set\..*Host|host from the request/);
    expect(refused({ ...SAFE, APP_URL: "  " })).toHaveLength(1);
  });

  it("refuses an APP_URL that is not an http(s) URL", () => {
    for (const bad of ["accounts.example.com", "ftp://accounts.example.com", "javascript:alert(1)"])
      expect(refused({ ...SAFE, APP_URL: bad })).toEqual([expect.stringMatching(/^APP_URL is not an http\(s\) URL/)]);
  });

  it("refuses production without SMS_PROVIDER (codes would stay in the outbox while users read 'sent')", () => {
    expect(refused({ ...SAFE, SMS_PROVIDER: undefined })).toEqual([expect.stringMatching(/^SMS_PROVIDER is not set\. Set SMS_PROVIDER=sns/)]);
    expect(refused({ ...SAFE, SMS_PROVIDER: "" })).toHaveLength(1);
  });

  it("refuses an unknown SMS_PROVIDER, including a differently written sns", () => {
    for (const bad of ["twilio", "SNS", " sns"]) expect(refused({ ...SAFE, SMS_PROVIDER: bad })).toEqual([expect.stringMatching(/is not a provider\. Use SMS_PROVIDER=sns/)]);
  });

  it("allows SMS_PROVIDER=outbox only with ALLOW_DEV_OUTBOX=true on a loopback APP_URL", () => {
    const outbox = { ...LOCAL_TEST, BENCH_ROUTES: undefined };
    expect(refused(outbox)).toEqual([]);
    expect(refused({ ...outbox, EMAIL_PROVIDER: "ses", EMAIL_FROM: SAFE.EMAIL_FROM, ALLOW_DEV_OUTBOX: undefined })).toEqual([
      expect.stringMatching(/^SMS_PROVIDER=outbox keeps codes in a table/),
    ]);
    const publicOutbox = refused({ ...outbox, EMAIL_PROVIDER: "ses", EMAIL_FROM: SAFE.EMAIL_FROM, APP_URL: "https://accounts.example.com" });
    expect(publicOutbox).toEqual([expect.stringMatching(/^SMS_PROVIDER=outbox/), expect.stringMatching(/^ALLOW_DEV_OUTBOX is set, but APP_URL is not a loopback address/)]);
  });

  it("refuses production without EMAIL_PROVIDER (links would stay in the outbox while users read 'sent')", () => {
    expect(refused({ ...SAFE, EMAIL_PROVIDER: undefined })).toEqual([expect.stringMatching(/^EMAIL_PROVIDER is not set\. Set EMAIL_PROVIDER=ses/)]);
    expect(refused({ ...SAFE, EMAIL_PROVIDER: "" })).toHaveLength(1);
  });

  it("refuses an unknown EMAIL_PROVIDER, including a differently written ses", () => {
    for (const bad of ["smtp", "SES", " ses", "sendgrid"])
      expect(refused({ ...SAFE, EMAIL_PROVIDER: bad })).toEqual([expect.stringMatching(/is not a provider\. Use EMAIL_PROVIDER=ses/)]);
  });

  it("refuses EMAIL_PROVIDER=ses without an EMAIL_FROM that is one address", () => {
    for (const bad of [undefined, "", "   ", "Feedback Accounts", "Feedback <no-reply>", "a@b.example, c@d.example", "<zoë@example.com>"])
      expect(refused({ ...SAFE, EMAIL_FROM: bad })).toEqual([expect.stringMatching(/^EMAIL_FROM is not set, or is not an address/)]);
    for (const good of ["no-reply@example.com", '"Feedback, Accounts" <no-reply@example.com>', "Équipe <no-reply@bücher.example>"])
      expect(refused({ ...SAFE, EMAIL_FROM: good })).toEqual([]);
  });

  it("allows EMAIL_PROVIDER=outbox only with ALLOW_DEV_OUTBOX=true on a loopback APP_URL", () => {
    const outbox = { ...LOCAL_TEST, BENCH_ROUTES: undefined };
    expect(refused(outbox)).toEqual([]);
    expect(refused({ ...outbox, ALLOW_DEV_OUTBOX: undefined })).toEqual([
      expect.stringMatching(/^SMS_PROVIDER=outbox/),
      expect.stringMatching(/^EMAIL_PROVIDER=outbox keeps emails in a table/),
    ]);
    expect(refused({ ...SAFE, EMAIL_PROVIDER: "outbox", ALLOW_DEV_OUTBOX: "true" })).toEqual([
      expect.stringMatching(/^EMAIL_PROVIDER=outbox/),
      expect.stringMatching(/^ALLOW_DEV_OUTBOX is set, but APP_URL is not a loopback address/),
    ]);
  });

  it("refuses ALLOW_DEV_OUTBOX or BENCH_ROUTES unless APP_URL is a loopback address, one line each", () => {
    expect(refused({ ...SAFE, ALLOW_DEV_OUTBOX: "true" })).toEqual([expect.stringMatching(/^ALLOW_DEV_OUTBOX is set/)]);
    expect(refused({ ...SAFE, BENCH_ROUTES: "true" })).toEqual([expect.stringMatching(/^BENCH_ROUTES is set/)]);
    expect(refused({ ...SAFE, ALLOW_DEV_OUTBOX: "1", BENCH_ROUTES: "yes" })).toHaveLength(2);
    // Without APP_URL the address is unknown, so the switches are refused as well as the missing URL.
    expect(refused({ ...SAFE, APP_URL: undefined, BENCH_ROUTES: "true" })).toHaveLength(2);
    // Empty (as in .env.example) or "false" is not set.
    expect(refused({ ...SAFE, ALLOW_DEV_OUTBOX: "", BENCH_ROUTES: "false" })).toEqual([]);
  });

  it("lists every problem at once, so one restart can fix them all", () => {
    expect(refused({ NODE_ENV: "production", ALLOW_DEV_OUTBOX: "true", BENCH_ROUTES: "true" })).toHaveLength(5);
  });
});

describe("isLoopbackUrl", () => {
  it("is true for 127.0.0.0/8, localhost and [::1] only", () => {
    for (const url of ["http://127.0.0.1:3000", "http://127.8.9.10", "http://LOCALHOST:3000", "http://[::1]:8080", "https://localhost"])
      expect(isLoopbackUrl(new URL(url))).toBe(true);
    for (const url of ["https://accounts.example.com", "http://128.0.0.1", "http://10.0.0.5", "http://localhost.example.com", "http://127.0.0.1.example.com", "http://[::2]", "http://0.0.0.0"])
      expect(isLoopbackUrl(new URL(url))).toBe(false);
  });
});
