// Figure 3: what the gate (proxy.ts) adds to a signed-in request.
//
// The shipped app has no switch that turns the gate off, and no page is served on a path the gate's matcher
// leaves out. What the matcher does leave out is /api/health. app/api/bench/health (BENCH_ROUTES=true) does
// exactly the same work (one `select 1` through the app's database client, same JSON) on a path the matcher
// includes. Both are requested with the same signed-in cookie, one after the other, alternating, one at a
// time; the difference of their medians is the gate: decrypting the session cookie, looking the session up
// in Postgres, the CSP nonce and the rewritten request headers.
import { createAgent, get } from "../lib/http.mjs";
import { cpuMs } from "../lib/server.mjs";
import { check, median, percentile, round } from "../lib/stats.mjs";

export async function figure3(ctx) {
  const { server, jar, pairs } = ctx;
  const agent = createAgent(2);
  // Server CPU time is read from /proc around each request (10 ms ticks, so only the sums over many mean something).
  const cpu = { ungated: 0, gated: 0 };
  const timed = async (kind, path) => {
    const before = cpuMs(server.child.pid);
    const res = await get(server.url, path, { jar, agent });
    cpu[kind] += cpuMs(server.child.pid) - before;
    return res;
  };
  const ungated = () => timed("ungated", "/api/health");
  const gated = () => timed("gated", "/api/bench/health");
  for (let i = 0; i < 100; i++) {
    const [a, b] = [await ungated(), await gated()];
    check(a.status === 200 && b.status === 200, `figure 3: warm-up answered ${a.status} / ${b.status}`);
  }
  cpu.ungated = 0;
  cpu.gated = 0;
  const plain = [];
  const withGate = [];
  const diffs = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first so neither always follows the other.
    const first = i % 2 === 0;
    const a = first ? await ungated() : null;
    const b = await gated();
    const a2 = first ? a : await ungated();
    check(a2.status === 200 && b.status === 200, `figure 3: answered ${a2.status} / ${b.status}`);
    check(b.headers["content-security-policy"], "figure 3: the gated request has no CSP header: did the gate run?");
    plain.push(a2.ms);
    withGate.push(b.ms);
    diffs.push(b.ms - a2.ms);
  }
  // Context: a whole signed-in page (My account), which the gate and the page's own session check both serve.
  const pageMs = [];
  for (let i = 0; i < 100; i++) {
    const r = await get(server.url, "/account", { jar, agent });
    check(r.status === 200, `figure 3: GET /account answered ${r.status}`);
    pageMs.push(r.ms);
  }
  agent.destroy();
  const result = {
    pairs,
    ungated: { p50: median(plain), p99: percentile(plain, 99), cpuMs: cpu.ungated / pairs },
    gated: { p50: median(withGate), p99: percentile(withGate, 99), cpuMs: cpu.gated / pairs },
    addedP50: median(withGate) - median(plain),
    pairedDiffP50: median(diffs),
    accountPageP50: median(pageMs),
  };
  result.summary = `gate adds ${round(result.addedP50)} ms at p50 (${round(result.ungated.p50)} → ${round(result.gated.p50)} ms; server CPU per request ${round(result.ungated.cpuMs)} → ${round(result.gated.cpuMs)} ms)`;
  return result;
}
