import { afterEach, describe, expect, it, vi } from "vitest";

const startServer = vi.fn(async () => {});
vi.mock("@/lib/server/startup", () => ({ startServer }));

const { register } = await import("@/instrumentation");

afterEach(() => {
  vi.unstubAllEnvs();
  startServer.mockClear();
});

describe("instrumentation register()", () => {
  it("runs the start-up checks when a Node.js server starts", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("NEXT_PHASE", "");
    await register();
    expect(startServer).toHaveBeenCalledTimes(1);
  });

  it("skips them during `next build`, so a build needs no production settings", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("NEXT_PHASE", "phase-production-build");
    await register();
    vi.stubEnv("NEXT_RUNTIME", "edge");
    vi.stubEnv("NEXT_PHASE", "");
    await register();
    expect(startServer).not.toHaveBeenCalled();
  });
});
