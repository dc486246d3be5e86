// Figure 3: what the gate (proxy.ts) adds to a signed-in request.
//
// The shipped app has no switch that turns the gate off. The benchmark routes serve the same signed-in
// request on a path the gate's matcher includes (/api/bench/session) and on one it leaves out
// (/api/bench/ungated/session): both run the DAL's session check, as every page does (BENCH_ROUTES=true).
// With the gate, the gate looks the session up and hands it to the DAL; without it, the DAL looks it up
// itself. Both are requested with the same signed-in cookie, alternating, one at a time; the difference of
// their medians is what the gate adds. The same is measured on a request that checks no session at all
// (/api/health, left out, against /api/bench/health, included), where the gate's lookup is pure extra.
import { createAgent, get } from "../lib/http.mjs";
import { cpuMs } from "../lib/server.mjs";
import { check, median, percentile, round } from "../lib/stats.mjs";

async function pairsOf(ctx, agent, ungatedPath, gatedPath, count) {
  const { server, jar } = ctx;
  // Server CPU time is read from /proc around each request (10 ms ticks, so only the sums over many mean something).
  const cpu = { ungated: 0, gated: 0 };
  const timed = async (kind, path) => {
    const before = cpuMs(server.child.pid);
    const res = await get(server.url, path, { jar, agent });
    cpu[kind] += cpuMs(server.child.pid) - before;
    return res;
  };
  for (let i = 0; i < 100; i++) {
    const [a, b] = [await timed("ungated", ungatedPath), await timed("gated", gatedPath)];
    check(a.status === 200 && b.status === 200, `figure 3: warm-up of ${ungatedPath} / ${gatedPath} answered ${a.status} / ${b.status}`);
  }
  cpu.ungated = 0;
  cpu.gated = 0;
  const plain = [];
  const withGate = [];
  const diffs = [];
  for (let i = 0; i < count; i++) {
    // Alternate which goes first so neither always follows the other.
    const first = i % 2 === 0;
    const a = first ? await timed("ungated", ungatedPath) : null;
    const b = await timed("gated", gatedPath);
    const a2 = first ? a : await timed("ungated", ungatedPath);
    check(a2.status === 200 && b.status === 200, `figure 3: ${ungatedPath} / ${gatedPath} answered ${a2.status} / ${b.status}`);
    check(b.headers["content-security-policy"], `figure 3: ${gatedPath} has no CSP header: did the gate run?`);
    check(!a2.headers["content-security-policy"], `figure 3: ${ungatedPath} has a CSP header: the gate ran there`);
    plain.push(a2.ms);
    withGate.push(b.ms);
    diffs.push(b.ms - a2.ms);
  }
  return {
    ungated: { path: ungatedPath, p50: median(plain), p99: percentile(plain, 99), cpuMs: cpu.ungated / count },
    gated: { path: gatedPath, p50: median(withGate), p99: percentile(withGate, 99), cpuMs: cpu.gated / count },
    addedP50: median(withGate) - median(plain),
    pairedDiffP50: median(diffs),
  };
}

export async function figure3(ctx) {
  const { server, jar, pairs } = ctx;
  const agent = createAgent(2);
  const signedIn = await pairsOf(ctx, agent, "/api/bench/ungated/session", "/api/bench/session", pairs);
  const noSession = await pairsOf(ctx, agent, "/api/health", "/api/bench/health", Math.ceil(pairs / 2));
  // Context: a whole signed-in page (My account).
  const pageMs = [];
  for (let i = 0; i < 100; i++) {
    const r = await get(server.url, "/account", { jar, agent });
    check(r.status === 200, `figure 3: GET /account answered ${r.status}`);
    pageMs.push(r.ms);
  }
  agent.destroy();
  const result = { pairs, ...signedIn, noSession, accountPageP50: median(pageMs) };
  result.summary = `gate adds ${round(result.addedP50)} ms at p50 to a signed-in request (${round(result.ungated.p50)} → ${round(result.gated.p50)} ms; server CPU per request ${round(result.ungated.cpuMs)} → ${round(result.gated.cpuMs)} ms); to a request that checks no session ${round(noSession.addedP50)} ms`;
  return result;
}
