// Figure 1: sign-ins per second through the password step against the ceiling of bcrypt compares per second
// at the same cost and concurrency on this machine: users without MFA (the step ends signed in) and users with
// SMS MFA (the step opens the login challenge and texts the code).
//
// The two are measured in alternating phases (bcrypt, sign-ins, bcrypt, sign-ins, …) so that a change in
// what else the machine is doing affects both alike. bcrypt runs in a separate process (bench/bcrypt-ceiling.mjs)
// with the same `bcrypt` package and threadpool as the server; during its phases the server is idle, and
// during the sign-in phases the bcrypt process is idle.
import { startCeiling } from "../lib/ceiling.mjs";
import { browserJar, createAgent, get, noJsActionFields, signInPassword, submitNoJs } from "../lib/http.mjs";
import { cpuMs, postgresCpuMs } from "../lib/server.mjs";
import { check, median, percentile, round, runPool } from "../lib/stats.mjs";

/** ctx: { server, actions, password, plainUsers (emails without MFA), mfaUsers (with SMS MFA), cost, concurrency, seconds, phases } */
export async function figure1(ctx) {
  const { server, actions, concurrency, seconds, cost } = ctx;
  const phases = ctx.phases ?? 4;
  const phaseMs = (seconds * 1000) / phases;
  const ceiling = startCeiling(cost, concurrency);
  const agent = createAgent(concurrency * 2);
  let n = 0;
  // As the browser signs in: the page's script posts the form and loads the page the answer names itself.
  const signInAs = (users, expectTo) => async () => {
    const email = users[n++ % users.length];
    const jar = browserJar(email);
    const res = await signInPassword(server.url, { email, password: ctx.password }, { jar, agent });
    return { ok: res.status === 200 && res.sessionCookieSet && res.to === expectTo, ms: res.ms, jar, status: res.status };
  };
  const signIn = signInAs(ctx.plainUsers, "/");
  const signInMfa = signInAs(ctx.mfaUsers, "/login/verify");
  // For the analysis: the same form posted without JavaScript, answered with a bare 303 (the action alone).
  const loginFields = noJsActionFields((await get(server.url, "/login", { agent })).body, actions.loginAction);
  check(loginFields, "figure 1: no form bound to loginAction on /login");
  const signInNoJs = async () => {
    const email = ctx.plainUsers[n++ % ctx.plainUsers.length];
    const jar = browserJar(email);
    const res = await submitNoJs(server.url, "/login", loginFields, { callbackUrl: "/", email, password: ctx.password }, { jar, agent });
    return { ok: res.status === 303 && res.sessionCookieSet, ms: res.ms, jar, status: res.status };
  };
  /** One kind of sign-in's phases: results, time, and the server's and Postgres's CPU. */
  const tally = () => ({ results: [], ms: 0, cpuMs: 0, pgMs: 0 });
  const phase = async (into, task, ms) => {
    const cpuBefore = cpuMs(server.child.pid);
    const pgBefore = postgresCpuMs();
    const run = await runPool({ concurrency, durationMs: ms, task });
    into.cpuMs += cpuMs(server.child.pid) - cpuBefore;
    into.pgMs += postgresCpuMs() - pgBefore;
    into.results.push(...run.results);
    into.ms += run.elapsedMs;
  };
  try {
    await ceiling.ready;
    // Warm-up both: threads started, the server's code paths and connections hot.
    await ceiling.run(Math.min(1500, phaseMs));
    await runPool({ concurrency, count: concurrency * 2, task: signIn });
    await runPool({ concurrency, count: concurrency * 2, task: signInMfa });
    await runPool({ concurrency, count: concurrency, task: signInNoJs });

    const bcryptRuns = [];
    const plain = tally();
    const mfa = tally();
    const noJs = tally();
    for (let p = 0; p < phases; p++) {
      bcryptRuns.push(await ceiling.run(phaseMs));
      await phase(plain, signIn, phaseMs);
      await phase(mfa, signInMfa, phaseMs);
      if (ctx.noJsSeconds) await phase(noJs, signInNoJs, (ctx.noJsSeconds * 1000) / phases);
    }
    const all = [...plain.results, ...mfa.results, ...noJs.results];
    const failed = all.filter((r) => !r.ok);
    check(failed.length === 0, `figure 1: ${failed.length} of ${all.length} sign-ins failed (first status ${failed[0]?.status})`);
    // A sign-in is only a sign-in if the cookie works: the first few open My account.
    for (const r of plain.results.slice(0, 5)) {
      const account = await get(server.url, "/account", { jar: r.jar, agent });
      check(account.status === 200, `figure 1: GET /account with a fresh sign-in cookie answered ${account.status}`);
    }
    const compares = bcryptRuns.reduce((s, r) => s + r.compares, 0);
    const bcryptMs = bcryptRuns.reduce((s, r) => s + r.elapsedMs, 0);
    const bcryptCpuMs = bcryptRuns.reduce((s, r) => s + r.cpuMs, 0);
    const ceilingResult = {
      compares,
      elapsedMs: bcryptMs,
      perSecond: (compares * 1000) / bcryptMs,
      cpuMsPerCompare: bcryptCpuMs / compares,
      threadpool: bcryptRuns[0].threadpool,
      phases,
    };
    const summary = (t) => {
      const perSecond = (t.results.length * 1000) / t.ms;
      const latencies = t.results.map((r) => r.ms);
      const serverCpuMsPerSignIn = t.cpuMs / t.results.length;
      return {
        signIns: t.results.length,
        elapsedMs: t.ms,
        perSecond,
        ratio: perSecond / ceilingResult.perSecond,
        p50: median(latencies),
        p99: percentile(latencies, 99),
        // CPU the server process spent per sign-in (all threads: bcrypt's and the main thread's), from /proc.
        serverCpuMsPerSignIn,
        overheadCpuMs: serverCpuMsPerSignIn - ceilingResult.cpuMsPerCompare,
        postgresCpuMsPerSignIn: t.pgMs / t.results.length,
      };
    };
    const result = { ...summary(plain), mfa: summary(mfa), ceiling: ceilingResult, noJs: noJs.results.length ? summary(noJs) : null };
    const line = (label, r) => `${label} ${round(r.perSecond, 2)}/s (server CPU ${round(r.serverCpuMsPerSignIn, 0)} ms, ${round(r.overheadCpuMs, 1)} beyond bcrypt; Postgres ${round(r.postgresCpuMsPerSignIn, 1)} ms)`;
    result.summary = `${line("no MFA", result)}; ${line("SMS MFA", result.mfa)}; bcrypt ${round(ceilingResult.perSecond, 2)} compares/s (CPU ${round(ceilingResult.cpuMsPerCompare, 0)} ms each)${result.noJs ? `; without JavaScript ${round(result.noJs.perSecond, 2)}/s` : ""}`;
    return result;
  } finally {
    ceiling.stop();
    agent.destroy();
  }
}
