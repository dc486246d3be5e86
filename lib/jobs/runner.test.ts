import { afterEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/connect";
import { PERIODIC_JOBS, type PeriodicJob } from "./periodic";
import { runPeriodicJobs, startPeriodicJobs } from "./runner";

const db = {} as Db;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("PERIODIC_JOBS", () => {
  it("ends with the email sweep, so mail queued by the jobs before it goes out in the same run", () => {
    expect(PERIODIC_JOBS.at(-1)?.name).toBe("email");
  });
});

describe("runPeriodicJobs", () => {
  it("runs every job in order with the same clock; one that throws is logged by name and error type, and the rest still run", async () => {
    const now = new Date("2026-11-30T14:05:00Z");
    const ran: string[] = [];
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const jobs: PeriodicJob[] = [
      { name: "first", run: async (_db, at) => void ran.push(`first ${at.toISOString()}`) },
      {
        name: "broken",
        run: async () => {
          throw Object.assign(new Error("secret detail: someone@example.com"), { name: "TypeError" });
        },
      },
      { name: "last", run: async () => void ran.push("last") },
    ];

    const outcomes = await runPeriodicJobs(db, now, jobs);

    expect(ran).toEqual(["first 2026-11-30T14:05:00.000Z", "last"]);
    expect(outcomes.map(({ name, ok }) => [name, ok])).toEqual([
      ["first", true],
      ["broken", false],
      ["last", true],
    ]);
    expect(error.mock.calls.map((args) => args.join(" "))).toEqual(["[jobs] broken failed: TypeError"]);
  });
});

describe("startPeriodicJobs", () => {
  it("runs the jobs at once and then on every interval, never two runs at a time, and stops", async () => {
    vi.useFakeTimers();
    vi.stubEnv("VERCEL", "");
    let runs = 0;
    let finish: () => void = () => {};
    const job: PeriodicJob = {
      name: "slow",
      run: () => {
        runs += 1;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    };
    const stop = startPeriodicJobs(async () => db, { intervalMs: 1000, jobs: [job] });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    // Still running: the ticks in between do not start another run.
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    // One timer per process: a second start returns the same stop.
    expect(startPeriodicJobs(async () => db, { intervalMs: 1000, jobs: [job] })).toBe(stop);
    stop();
    finish();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(2);
  });

  it("does not keep the process alive", () => {
    vi.stubEnv("VERCEL", "");
    const unref = vi.fn();
    vi.spyOn(globalThis, "setInterval").mockReturnValue({ unref } as unknown as ReturnType<typeof setInterval>);
    const stop = startPeriodicJobs(async () => new Promise<Db>(() => {}), { jobs: [] });
    expect(unref).toHaveBeenCalled();
    vi.spyOn(globalThis, "clearInterval").mockImplementation(() => {});
    stop();
  });

  it("starts no timer under Vercel, where the cron route runs the jobs", () => {
    vi.stubEnv("VERCEL", "1");
    const timer = vi.spyOn(globalThis, "setInterval");
    const getDb = vi.fn(async () => db);
    startPeriodicJobs(getDb, { jobs: [] })();
    expect(timer).not.toHaveBeenCalled();
    expect(getDb).not.toHaveBeenCalled();
  });

  it("logs and carries on when the database cannot be opened", async () => {
    vi.useFakeTimers();
    vi.stubEnv("VERCEL", "");
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const stop = startPeriodicJobs(async () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { name: "ConnectionError" })), { intervalMs: 1000, jobs: [] });
    await vi.advanceTimersByTimeAsync(0);
    expect(error.mock.calls.map((args) => args.join(" "))).toEqual(["[jobs] could not run: ConnectionError"]);
    stop();
  });
});
