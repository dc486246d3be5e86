import type { Db } from "@/db/connect";
import { describeError } from "@/lib/aws/describe-error";
import { PERIODIC_JOBS, type PeriodicJob } from "./periodic";

/** Seconds between two runs of the periodic jobs on a self-hosted server. Env `JOBS_INTERVAL_SECONDS`, default 60. */
export const DEFAULT_JOBS_INTERVAL_SECONDS = 60;

export interface JobOutcome {
  name: string;
  ok: boolean;
  ms: number;
}

/**
 * Runs every job once, one after another; a job that throws is logged (its name and the error's name, never
 * its message) and the others still run.
 */
export async function runPeriodicJobs(db: Db, now = new Date(), jobs: PeriodicJob[] = PERIODIC_JOBS): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const job of jobs) {
    const started = performance.now();
    try {
      await job.run(db, now);
      outcomes.push({ name: job.name, ok: true, ms: Math.round(performance.now() - started) });
    } catch (error) {
      console.error(`[jobs] ${job.name} failed: ${describeError(error)}`);
      outcomes.push({ name: job.name, ok: false, ms: Math.round(performance.now() - started) });
    }
  }
  return outcomes;
}

function intervalMs(): number {
  const seconds = Number(process.env.JOBS_INTERVAL_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_JOBS_INTERVAL_SECONDS) * 1000;
}

const timers = globalThis as { __periodicJobs?: { stop: () => void } };

/**
 * On a self-hosted server: runs the jobs once now (what was queued while no server ran goes out at start) and
 * then every JOBS_INTERVAL_SECONDS. The timer does not keep the process alive, a run never overlaps the one
 * before, and a process starts one timer only. Not under Vercel (`VERCEL` set), where instances sleep between
 * requests: its cron calls /api/cron instead (vercel.json). Returns a function that stops the timer.
 */
export function startPeriodicJobs(getDb: () => Promise<Db>, options: { intervalMs?: number; jobs?: PeriodicJob[] } = {}): () => void {
  if (process.env.VERCEL) return () => {};
  if (timers.__periodicJobs) return timers.__periodicJobs.stop;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await runPeriodicJobs(await getDb(), new Date(), options.jobs);
    } catch (error) {
      // The database is not open yet or unreachable: the next tick tries again.
      console.error(`[jobs] could not run: ${describeError(error)}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? intervalMs());
  timer.unref();
  void tick();
  const stop = () => {
    clearInterval(timer);
    timers.__periodicJobs = undefined;
  };
  timers.__periodicJobs = { stop };
  return stop;
}
