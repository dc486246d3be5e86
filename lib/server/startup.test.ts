import { afterEach, describe, expect, it, vi } from "vitest";

const openDb = vi.fn(async () => {});
const getDb = vi.fn(async () => {});
vi.mock("@/db/client", () => ({ openDb, getDb }));
const startPeriodicJobs = vi.fn(() => () => {});
vi.mock("@/lib/jobs/runner", () => ({ startPeriodicJobs }));

const { startServer } = await import("./startup");

class Exit extends Error {}

/** Starts the server with these variables; resolves to what it printed and whether it exited. */
async function start(env: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
    throw new Exit(String(code));
  }) as typeof process.exit);
  let exitCode: string | null = null;
  try {
    await startServer();
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    exitCode = error.message;
  }
  return { exitCode, printed: errors.mock.calls.flat().join("\n") };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  openDb.mockClear();
  startPeriodicJobs.mockClear();
});

describe("startServer in production", () => {
  const secrets = { AUTH_SECRET: "s".repeat(44), MFA_ENCRYPTION_KEY: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0" };

  it("exits with one line per unsafe setting, before opening the database", async () => {
    const { exitCode, printed } = await start({ NODE_ENV: "production", ...secrets, APP_URL: undefined, SMS_PROVIDER: undefined, EMAIL_PROVIDER: undefined, BENCH_ROUTES: "true" });
    expect(exitCode).toBe("1");
    const lines = printed.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^\[config\] APP_URL is not set\./),
      expect.stringMatching(/^\[config\] SMS_PROVIDER is not set\./),
      expect.stringMatching(/^\[config\] EMAIL_PROVIDER is not set\./),
      expect.stringMatching(/^\[config\] BENCH_ROUTES is set/),
    ]);
    expect(openDb).not.toHaveBeenCalled();
    expect(startPeriodicJobs).not.toHaveBeenCalled();
  });

  it("lists a missing secret beside the unsafe settings", async () => {
    const { exitCode, printed } = await start({ NODE_ENV: "production", ...secrets, AUTH_SECRET: undefined, APP_URL: "https://accounts.example.com", SMS_PROVIDER: "sns", EMAIL_PROVIDER: "ses", EMAIL_FROM: "no-reply@example.com" });
    expect(exitCode).toBe("1");
    expect(printed.trim().split("\n")).toEqual([expect.stringMatching(/^\[config\] AUTH_SECRET is not set/)]);
  });

  it("starts with safe settings, and on a loopback APP_URL with the test-only outbox", async () => {
    const email = { EMAIL_PROVIDER: "ses", EMAIL_FROM: "Feedback Accounts <no-reply@example.com>" };
    expect(await start({ NODE_ENV: "production", ...secrets, ...email, APP_URL: "https://accounts.example.com", SMS_PROVIDER: "sns", BENCH_ROUTES: undefined, ALLOW_DEV_OUTBOX: undefined, VERCEL: undefined })).toEqual({ exitCode: null, printed: "" });
    expect(await start({ NODE_ENV: "production", ...secrets, APP_URL: "http://127.0.0.1:4000", SMS_PROVIDER: "outbox", EMAIL_PROVIDER: "outbox", ALLOW_DEV_OUTBOX: "true", VERCEL: undefined })).toEqual({ exitCode: null, printed: "" });
    expect(openDb).toHaveBeenCalledTimes(2);
    // The periodic jobs (the email sweep) start with the server, reading the database the server opens.
    expect(startPeriodicJobs).toHaveBeenCalledTimes(2);
    expect(startPeriodicJobs).toHaveBeenCalledWith(getDb);
  });
});
