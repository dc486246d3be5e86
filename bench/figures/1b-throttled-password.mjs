// Figure 1b: what a refused (throttled) password attempt costs. The limit is reserved before bcrypt runs,
// so a refused attempt must cost about a bare route (one indexed read and one write), not a bcrypt compare.
//
// One user's per-browser key is blocked in Postgres for the run (requests without a device cookie share
// the "none" bucket); then the sign-in action is posted with that email, one at a time, interleaved with
// the bare route, and every answer must say to wait.
import crypto from "node:crypto";
import { createAgent, Jar, request, signInPassword } from "../lib/http.mjs";
import { cpuMs } from "../lib/server.mjs";
import { check, median, percentile } from "../lib/stats.mjs";

const sha256 = (value) => crypto.createHash("sha256").update(value).digest("hex");

/** ctx: { server, actions, sql, email, password, samples } */
export async function figure1b(ctx) {
  const { server, sql, email, samples } = ctx;
  const key = `signin:account:${sha256(email)}:device:none`;
  await sql`insert into rate_limits (key, count, strikes, window_start, blocked_until)
    values (${key}, 0, 1000, now(), now() + interval '1 hour')
    on conflict (key) do update set strikes = 1000, blocked_until = now() + interval '1 hour'`;
  const agent = createAgent(4);
  const attempt = async () => {
    const res = await signInPassword(server.url, { email, password: ctx.password }, { jar: new Jar(), agent });
    return { ok: res.status === 200 && /Too many failed sign-ins/.test(res.outcome?.formError ?? "") && !res.sessionCookieSet, ms: res.ms };
  };
  const bare = () => request(`${server.url}/api/bench/bare?email=${encodeURIComponent(email)}`, { method: "POST", agent, headers: { "content-length": "0" } });
  try {
    for (let i = 0; i < 10; i++) {
      check((await attempt()).ok, "figure 1b: a throttled sign-in was not refused");
      await bare();
    }
    const refused = [];
    const bareMs = [];
    let refusedCpu = 0;
    let bareCpu = 0;
    for (let i = 0; i < samples; i++) {
      let before = cpuMs(server.child.pid);
      const r = await attempt();
      refusedCpu += cpuMs(server.child.pid) - before;
      check(r.ok, "figure 1b: a throttled sign-in was not refused");
      refused.push(r.ms);
      before = cpuMs(server.child.pid);
      bareMs.push((await bare()).ms);
      bareCpu += cpuMs(server.child.pid) - before;
    }
    const result = {
      samples,
      refused: { p50: median(refused), p99: percentile(refused, 99), cpuMs: refusedCpu / samples },
      bare: { p50: median(bareMs), p99: percentile(bareMs, 99), cpuMs: bareCpu / samples },
    };
    result.ratio = result.refused.p50 / result.bare.p50;
    result.summary = `refused sign-in p50 ${result.refused.p50.toFixed(2)} ms (CPU ${result.refused.cpuMs.toFixed(2)} ms) vs bare route ${result.bare.p50.toFixed(2)} ms (CPU ${result.bare.cpuMs.toFixed(2)} ms)`;
    return result;
  } finally {
    await sql`delete from rate_limits where key = ${key}`;
    agent.destroy();
  }
}
