// Figure 8: whole sign-ins of users with SMS MFA, as the browser makes them (the password step, the challenge
// page it then loads, the code it posts), per second, against the bcrypt ceiling in the same run. The code is
// read from the outbox the way a person reads their phone. Phases alternate with the ceiling's (as figure 1).
// The server's and Postgres's CPU per sign-in come from /proc; the benchmark's own connection reading the
// codes is left out of Postgres's.
import { startCeiling } from "../lib/ceiling.mjs";
import { browserJar, createAgent, get, navigateToVerify, postForm, signInPassword } from "../lib/http.mjs";
import { connectDb } from "../lib/pg.mjs";
import { cpuMs, postgresCpuMs } from "../lib/server.mjs";
import { check, median, percentile, round, runPool } from "../lib/stats.mjs";

const CODE_ROUTE = "/login/verify/code";

/**
 * Reads texted codes from the outbox over one connection of its own (its backend is left out of the
 * Postgres CPU figure). Only messages written since the sign-in started are read, through the created_at index.
 */
export async function codeReader(dbUrl) {
  const sql = connectDb(dbUrl, 1);
  const [{ pid }] = await sql`select pg_backend_pid() as pid`;
  const phones = new Map((await sql`select u.email, f.phone from users u join mfa_factors f on f.user_id = u.id and f.kind = 'sms'`).map((r) => [r.email, r.phone]));
  return {
    pid,
    async code(email, since) {
      const phone = phones.get(email);
      check(phone, `figure 8: ${email} has no SMS factor`);
      for (let tries = 0; tries < 50; tries++) {
        const [row] = await sql`select body from sms_messages where created_at >= ${since} and "to" = ${phone} order by created_at desc limit 1`;
        const code = row?.body?.match(/#(\d{6})\s*$/)?.[1];
        if (code) return code;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`figure 8: no code in the outbox for ${email}`);
    },
    end: () => sql.end({ timeout: 5 }),
  };
}

/** One whole sign-in: { ok, ms, steps: { password, page, code } } (ms from the first request to the code's answer). */
export async function mfaFlow(ctx, email, agent, reader = ctx.reader) {
  const { server } = ctx;
  const jar = browserJar(email);
  // The database's clock rounds to microseconds; a second of margin keeps the lookup on this sign-in's text.
  const since = new Date(Date.now() - 1000);
  const start = performance.now();
  const pw = await signInPassword(server.url, { email, password: ctx.password }, { jar, agent });
  if (!(pw.status === 200 && pw.sessionCookieSet && pw.to === "/login/verify"))
    return { ok: false, status: pw.status, step: "password" };
  // The form's script moves to the code page with a client navigation (only that page's part is rendered).
  const page = await navigateToVerify(server.url, { jar, agent });
  const fields = page.status === 200 ? page.challenge : null;
  if (!fields?.challengeId) return { ok: false, status: page.status, step: "page" };
  const code = await reader.code(email, since);
  const res = await postForm(server.url, CODE_ROUTE, { ...fields, code }, { jar, agent });
  const ok = res.status === 200 && res.outcome?.status === "signed_in" && res.sessionCookieSet;
  return { ok, status: res.status, step: "code", ms: performance.now() - start, steps: { password: pw.ms, page: page.ms, code: res.ms }, jar };
}

/** ctx: { server, actions, password, dbUrl, mfaUsers (cost-`cost` hashes), cost, concurrency, seconds, phases } */
export async function figure8(ctx) {
  const { server, concurrency, seconds, cost } = ctx;
  const phases = ctx.phases ?? 4;
  const phaseMs = (seconds * 1000) / phases;
  const reader = await codeReader(ctx.dbUrl);
  const ceiling = startCeiling(cost, concurrency);
  const agent = createAgent(concurrency * 2);
  let n = 0;
  const flow = () => mfaFlow({ ...ctx, reader }, ctx.mfaUsers[n++ % ctx.mfaUsers.length], agent);
  try {
    await ceiling.ready;
    await ceiling.run(Math.min(1500, phaseMs));
    await runPool({ concurrency, count: concurrency * 2, task: flow });
    const bcryptRuns = [];
    const results = [];
    let flowMs = 0;
    let serverCpu = 0;
    let pgCpu = 0;
    const exclude = new Set([reader.pid]);
    for (let p = 0; p < phases; p++) {
      bcryptRuns.push(await ceiling.run(phaseMs));
      const cpuBefore = cpuMs(server.child.pid);
      const pgBefore = postgresCpuMs(exclude);
      const phase = await runPool({ concurrency, durationMs: phaseMs, task: flow });
      serverCpu += cpuMs(server.child.pid) - cpuBefore;
      pgCpu += postgresCpuMs(exclude) - pgBefore;
      results.push(...phase.results);
      flowMs += phase.elapsedMs;
    }
    const failed = results.filter((r) => !r.ok);
    check(failed.length === 0, `figure 8: ${failed.length} of ${results.length} sign-ins failed (first at the ${failed[0]?.step} step, status ${failed[0]?.status})`);
    for (const r of results.slice(0, 3)) check((await get(server.url, "/account", { jar: r.jar, agent })).status === 200, "figure 8: a finished sign-in's cookie does not open /account");
    const compares = bcryptRuns.reduce((s, r) => s + r.compares, 0);
    const bcryptMs = bcryptRuns.reduce((s, r) => s + r.elapsedMs, 0);
    const ceilingPerSecond = (compares * 1000) / bcryptMs;
    const cpuPerCompare = bcryptRuns.reduce((s, r) => s + r.cpuMs, 0) / compares;
    const perSecond = (results.length * 1000) / flowMs;
    const step = (name) => {
      const values = results.map((r) => r.steps[name]);
      return { p50: median(values), p99: percentile(values, 99) };
    };
    const result = {
      flows: results.length,
      elapsedMs: flowMs,
      perSecond,
      ceiling: { perSecond: ceilingPerSecond, cpuMsPerCompare: cpuPerCompare, compares },
      ratio: perSecond / ceilingPerSecond,
      p50: median(results.map((r) => r.ms)),
      p99: percentile(results.map((r) => r.ms), 99),
      steps: { password: step("password"), page: step("page"), code: step("code") },
      serverCpuMs: serverCpu / results.length,
      postgresCpuMs: pgCpu / results.length,
      overheadCpuMs: serverCpu / results.length - cpuPerCompare,
      concurrency,
    };
    result.summary = `${round(perSecond, 2)} sign-ins/s vs ${round(ceilingPerSecond, 2)} bcrypt compares/s; per sign-in: server CPU ${round(result.serverCpuMs, 1)} ms (bcrypt ${round(cpuPerCompare, 1)} ms, so ${round(result.overheadCpuMs, 1)} ms beyond it), Postgres CPU ${round(result.postgresCpuMs, 1)} ms; p50 password ${round(result.steps.password.p50)} ms, page ${round(result.steps.page.p50)} ms, code ${round(result.steps.code.p50)} ms`;
    return result;
  } finally {
    ceiling.stop();
    agent.destroy();
    await reader.end();
  }
}
