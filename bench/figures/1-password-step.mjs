// Figure 1: sign-ins per second through the password step (no MFA) against the ceiling of bcrypt compares
// per second at the same cost and concurrency on this machine.
//
// The two are measured in alternating phases (bcrypt, sign-ins, bcrypt, sign-ins, …) so that a change in
// what else the machine is doing affects both alike. bcrypt runs in a separate process (bench/bcrypt-ceiling.mjs)
// with the same `bcrypt` package and threadpool as the server; during its phases the server is idle, and
// during the sign-in phases the bcrypt process is idle.
import { fork } from "node:child_process";
import path from "node:path";
import { browserJar, callAction, createAgent, get, noJsActionFields, submitNoJs } from "../lib/http.mjs";
import { cpuMs, ROOT } from "../lib/server.mjs";
import { check, median, percentile, round, runPool } from "../lib/stats.mjs";

function startCeiling(cost, concurrency) {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE; // the server runs with the default (4) too
  const child = fork(path.join(ROOT, "bench", "bcrypt-ceiling.mjs"), [String(cost), String(concurrency)], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let waiting = null;
  child.on("message", (msg) => waiting?.resolve(msg));
  child.on("exit", (code) => waiting?.reject(new Error(`bench/bcrypt-ceiling.mjs exited with ${code}`)));
  const next = () => new Promise((resolve, reject) => (waiting = { resolve, reject }));
  const ready = next();
  return {
    ready,
    async run(ms) {
      const answer = next();
      child.send({ ms });
      return answer;
    },
    stop: () => child.kill(),
  };
}

/** ctx: { server, actions, password, plainUsers (emails without MFA), cost, concurrency, seconds, phases } */
export async function figure1(ctx) {
  const { server, actions, concurrency, seconds, cost } = ctx;
  const phases = ctx.phases ?? 4;
  const phaseMs = (seconds * 1000) / phases;
  const ceiling = startCeiling(cost, concurrency);
  const agent = createAgent(concurrency * 2);
  let n = 0;
  // As the browser signs in: the fetch action; it answers "signed in, go to /" and the page then loads / itself.
  const signIn = async () => {
    const email = ctx.plainUsers[n++ % ctx.plainUsers.length];
    const jar = browserJar(email);
    const res = await callAction(server.url, "/login", actions.loginAction, { callbackUrl: "/", email, password: ctx.password }, { jar, agent });
    return { ok: res.status === 200 && res.sessionCookieSet && /"status":"signed_in","to":"\/"/.test(res.body), ms: res.ms, jar, status: res.status };
  };
  // For the analysis: the same form posted without JavaScript, answered with a bare 303 (the action alone).
  const loginFields = noJsActionFields((await get(server.url, "/login", { agent })).body, actions.loginAction);
  check(loginFields, "figure 1: no form bound to loginAction on /login");
  const signInNoJs = async () => {
    const email = ctx.plainUsers[n++ % ctx.plainUsers.length];
    const jar = browserJar(email);
    const res = await submitNoJs(server.url, "/login", loginFields, { callbackUrl: "/", email, password: ctx.password }, { jar, agent });
    return { ok: res.status === 303 && res.sessionCookieSet, ms: res.ms, jar, status: res.status };
  };
  try {
    await ceiling.ready;
    // Warm-up both: threads started, the server's code paths and connections hot.
    await ceiling.run(Math.min(1500, phaseMs));
    await runPool({ concurrency, count: concurrency * 2, task: signIn });
    await runPool({ concurrency, count: concurrency, task: signInNoJs });

    const bcryptRuns = [];
    const results = [];
    const noJs = { results: [], ms: 0, cpuMs: 0 };
    let signInMs = 0;
    let serverCpuMs = 0;
    for (let p = 0; p < phases; p++) {
      bcryptRuns.push(await ceiling.run(phaseMs));
      let cpuBefore = cpuMs(server.child.pid);
      const phase = await runPool({ concurrency, durationMs: phaseMs, task: signIn });
      serverCpuMs += cpuMs(server.child.pid) - cpuBefore;
      results.push(...phase.results);
      signInMs += phase.elapsedMs;
      if (ctx.noJsSeconds) {
        cpuBefore = cpuMs(server.child.pid);
        const other = await runPool({ concurrency, durationMs: (ctx.noJsSeconds * 1000) / phases, task: signInNoJs });
        noJs.cpuMs += cpuMs(server.child.pid) - cpuBefore;
        noJs.results.push(...other.results);
        noJs.ms += other.elapsedMs;
      }
    }
    const failed = [...results, ...noJs.results].filter((r) => !r.ok);
    check(failed.length === 0, `figure 1: ${failed.length} of ${results.length + noJs.results.length} sign-ins failed (first status ${failed[0]?.status})`);
    // A sign-in is only a sign-in if the cookie works: the first few open My account.
    for (const r of results.slice(0, 5)) {
      const account = await get(server.url, "/account", { jar: r.jar, agent });
      check(account.status === 200, `figure 1: GET /account with a fresh sign-in cookie answered ${account.status}`);
    }
    const compares = bcryptRuns.reduce((s, r) => s + r.compares, 0);
    const bcryptMs = bcryptRuns.reduce((s, r) => s + r.elapsedMs, 0);
    const perSecond = (results.length * 1000) / signInMs;
    const latencies = results.map((r) => r.ms);
    const bcryptCpuMs = bcryptRuns.reduce((s, r) => s + r.cpuMs, 0);
    const ceilingResult = {
      compares,
      elapsedMs: bcryptMs,
      perSecond: (compares * 1000) / bcryptMs,
      cpuMsPerCompare: bcryptCpuMs / compares,
      threadpool: bcryptRuns[0].threadpool,
      phases,
    };
    return {
      signIns: results.length,
      elapsedMs: signInMs,
      perSecond,
      p50: median(latencies),
      p99: percentile(latencies, 99),
      // CPU the server process spent per sign-in (all threads: bcrypt's and the main thread's), from /proc.
      serverCpuMsPerSignIn: Number.isFinite(serverCpuMs) ? serverCpuMs / results.length : null,
      ceiling: ceilingResult,
      ratio: perSecond / ceilingResult.perSecond,
      noJs: noJs.results.length
        ? {
            signIns: noJs.results.length,
            perSecond: (noJs.results.length * 1000) / noJs.ms,
            ratio: (noJs.results.length * 1000) / noJs.ms / ceilingResult.perSecond,
            p50: median(noJs.results.map((r) => r.ms)),
            serverCpuMsPerSignIn: noJs.cpuMs / noJs.results.length,
          }
        : null,
      summary: `${round(perSecond, 2)} sign-ins/s vs ${round(ceilingResult.perSecond, 2)} bcrypt compares/s (CPU per sign-in ${round(serverCpuMs / results.length, 0)} ms, per compare ${round(ceilingResult.cpuMsPerCompare, 0)} ms)${noJs.results.length ? `; without JavaScript ${round((noJs.results.length * 1000) / noJs.ms, 2)}/s (CPU ${round(noJs.cpuMs / noJs.results.length, 0)} ms)` : ""}`,
    };
  } finally {
    ceiling.stop();
    agent.destroy();
  }
}
