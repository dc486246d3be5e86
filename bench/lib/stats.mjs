// Percentiles and small helpers shared by the figures.

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export const median = (values) => percentile(values, 50);

export function round(n, digits = 2) {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Runs `task(workerIndex, iteration)` with `concurrency` workers until `count` tasks have run or `durationMs`
 * has passed (whichever comes first). Returns { results, elapsedMs } with every task's result in start order.
 */
export async function runPool({ concurrency, count = Number.POSITIVE_INFINITY, durationMs = Number.POSITIVE_INFINITY, task }) {
  const results = [];
  let next = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  async function worker(w) {
    for (;;) {
      if (next >= count || performance.now() >= deadline) return;
      const i = next++;
      results[i] = await task(w, i);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { results: results.filter((r) => r !== undefined), elapsedMs: performance.now() - start };
}

/** Throws with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}
