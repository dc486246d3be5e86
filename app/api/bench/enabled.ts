/**
 * Benchmark-only routes (see bench/ and docs/performance.md). They exist in every build but answer 404
 * unless the server was started with BENCH_ROUTES=true; `npm run bench` sets it on the servers it starts.
 * Never set it on a real deployment.
 */
export function benchRoutesEnabled(): boolean {
  return process.env.BENCH_ROUTES === "true";
}

export const notFound = () => new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
