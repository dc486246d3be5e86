// Figure 2: submitting an MFA code (the challenge page's form, POST /login/verify/code) against a bare route
// handler in the same build doing one indexed read and one write on the same Postgres (app/api/bench/bare,
// BENCH_ROUTES=true).
import { browserJar, createAgent, get, navigateToVerify, postForm, request, routeFormFields, signInPassword } from "../lib/http.mjs";
import { cpuMs } from "../lib/server.mjs";
import { check, median, percentile, round, runPool } from "../lib/stats.mjs";

/** Signs in `count` times (password step) with MFA users and collects what the challenge needs: cookie, challenge id, code. */
export async function preparePending(ctx, count, concurrency = 6) {
  const { server, sql } = ctx;
  const agent = createAgent(concurrency * 2);
  const { results } = await runPool({
    concurrency,
    count,
    task: async (_w, i) => {
      const email = ctx.mfaUsers[i % ctx.mfaUsers.length];
      const jar = browserJar(email);
      const res = await signInPassword(server.url, { email, password: ctx.password }, { jar, agent });
      check(res.status === 200 && res.sessionCookieSet, `password step for ${email} answered ${res.status} without a session cookie`);
      const pendingToken = jar.sessionCookie();
      // The newest open login challenge of this pending session and the code the outbox holds for it.
      const [row] = await sql`
        select c.id, m.body from otp_challenges c
        join users u on u.id = c.user_id
        join sms_messages m on m.user_id = u.id
        where u.email = ${email} and c.purpose = 'login' and c.consumed_at is null
        order by c.created_at desc, m.id desc limit 1`;
      const code = row?.body?.match(/#(\d{6})\s*$/)?.[1];
      check(row && code, `no challenge or code in the outbox for ${email}`);
      return { email, jar, pendingToken, challengeId: row.id, code };
    },
  });
  agent.destroy();
  return results;
}

const CODE_ROUTE = "/login/verify/code";

/** The code form's fields for one pending sign-in: the page's hidden fields (method, callbackUrl, …), its challenge, the code. */
const fieldsFor = (template, pending) => ({ ...template, challengeId: pending.challengeId, code: pending.code });

/** The browser's submission: the page's script posts the form and reads JSON; a right code sets the new session cookie. */
export async function submitCode(server, template, pending, agent, jar = pending.jar.clone()) {
  const res = await postForm(server.url, CODE_ROUTE, fieldsFor(template, pending), { jar, agent });
  const ok = res.status === 200 && res.outcome?.status === "signed_in" && res.sessionCookieSet && jar.sessionCookie() !== pending.pendingToken;
  return { ok, ms: res.ms, status: res.status, redirect: res.redirect, jar };
}

/** The same form posted by a browser without JavaScript: answered with a 303 to the next page. */
export async function submitCodeNoJs(server, template, pending, agent, jar = pending.jar.clone()) {
  const res = await postForm(server.url, CODE_ROUTE, fieldsFor(template, pending), { jar, agent, json: false });
  const ok = res.status === 303 && res.sessionCookieSet && jar.sessionCookie() !== pending.pendingToken;
  return { ok, ms: res.ms, status: res.status, redirect: res.redirect, jar };
}

export async function figure2(ctx) {
  const { server } = ctx;
  const n = ctx.samples;
  const concurrency = ctx.concurrency;
  // Each code works once, so every submission needs its own sign-in: 2n for the latency rounds, n and n/2 for
  // the throughput runs (browser, no JavaScript), 10 for the warm-up and 1 for the cookie check.
  const half = Math.ceil(n / 2);
  const pending = await preparePending(ctx, 3 * n + half + 11);
  const agent = createAgent(concurrency * 2);
  // The code form's hidden fields, read from a challenge page as the browser has them.
  const verifyHtml = await get(server.url, "/login/verify", { jar: pending[0].jar, agent });
  const template = routeFormFields(verifyHtml.body, CODE_ROUTE);
  check(template, `figure 2: no form posting to ${CODE_ROUTE} on the challenge page`);
  check(template.challengeId === pending[0].challengeId, "figure 2: the challenge page names another challenge than the database's newest");

  // Warm-up both paths.
  for (const p of pending.splice(0, 10)) check((await submitCode(server, template, p, agent)).ok, "figure 2: warm-up code was refused");
  const bare = (i) =>
    request(`${server.url}/api/bench/bare?email=${encodeURIComponent(ctx.mfaUsers[i % ctx.mfaUsers.length])}`, { method: "POST", agent, headers: { "content-length": "0" } });
  for (let i = 0; i < 20; i++) check((await bare(i)).status === 200, "figure 2: the bare route did not answer 200 (BENCH_ROUTES=true?)");

  // Latency: one at a time, the code submissions and bare requests interleaved so both see the same machine state.
  // Each round: the browser's submission, the no-JavaScript submission, the bare route.
  const latency = pending.splice(0, 2 * n);
  const codeMs = [];
  const noJsMs = [];
  const bareMs = [];
  const pageMs = [];
  const pageHtmlMs = [];
  for (let i = 0; i < n; i++) {
    // The challenge page, as the browser with JavaScript reaches it from the sign-in form (a client navigation),
    // and as a full load (a reload, or a browser without JavaScript). Both read; neither changes anything.
    const page = await navigateToVerify(server.url, { jar: latency[2 * i].jar, agent });
    check(page.status === 200 && page.challenge?.challengeId === latency[2 * i].challengeId, `figure 2: the challenge page answered ${page.status} without its challenge`);
    pageMs.push(page.ms);
    const html = await get(server.url, "/login/verify", { jar: latency[2 * i].jar, agent });
    check(html.status === 200, `figure 2: the challenge page (full load) answered ${html.status}`);
    pageHtmlMs.push(html.ms);
    const r = await submitCode(server, template, latency[2 * i], agent);
    check(r.ok, `figure 2: a right code was refused (status ${r.status}, redirect ${r.redirect})`);
    codeMs.push(r.ms);
    const q = await submitCodeNoJs(server, template, latency[2 * i + 1], agent);
    check(q.ok, `figure 2: a right code was refused without JavaScript (status ${q.status}, location ${q.redirect})`);
    noJsMs.push(q.ms);
    bareMs.push((await bare(i)).ms);
  }
  // The cookie a code submission returns is a real session: it opens My account.
  const last = await submitCode(server, template, pending.pop(), agent);
  check(last.ok && (await get(server.url, "/account", { jar: last.jar, agent })).status === 200, "figure 2: the session from a code did not open /account");

  // Throughput at a fixed concurrency, and the server's CPU time per request (from /proc) in each run.
  const measured = async (count, task) => {
    const before = cpuMs(server.child.pid);
    const run = await runPool({ concurrency, count, task });
    return { ...run, cpuMsPerRequest: (cpuMs(server.child.pid) - before) / run.results.length };
  };
  const tp = pending.splice(0, n);
  const codeRun = await measured(tp.length, (_w, i) => submitCode(server, template, tp[i], agent));
  check(codeRun.results.every((r) => r.ok), "figure 2: a right code was refused under load");
  const tpNoJs = pending.splice(0, half);
  const noJsRun = await measured(tpNoJs.length, (_w, i) => submitCodeNoJs(server, template, tpNoJs[i], agent));
  check(noJsRun.results.every((r) => r.ok), "figure 2: a right code was refused without JavaScript under load");
  const bareRun = await measured(n, async (_w, i) => bare(i));
  check(bareRun.results.every((r) => r.status === 200), "figure 2: the bare route failed under load");

  // For scale: after a right code the browser loads the next page (/) in a request of its own.
  const homeMs = [];
  for (let i = 0; i < Math.min(n, 100); i++) {
    const r = await get(server.url, "/", { jar: last.jar, agent });
    check(r.status === 200, `figure 2: the signed-in home page answered ${r.status}`);
    homeMs.push(r.ms);
  }
  agent.destroy();

  const result = {
    code: { p50: median(codeMs), p99: percentile(codeMs, 99), perSecond: (codeRun.results.length * 1000) / codeRun.elapsedMs, cpuMs: codeRun.cpuMsPerRequest },
    noJs: { p50: median(noJsMs), p99: percentile(noJsMs, 99), perSecond: (noJsRun.results.length * 1000) / noJsRun.elapsedMs, cpuMs: noJsRun.cpuMsPerRequest },
    bare: { p50: median(bareMs), p99: percentile(bareMs, 99), perSecond: (bareRun.results.length * 1000) / bareRun.elapsedMs, cpuMs: bareRun.cpuMsPerRequest },
    homeP50: median(homeMs),
    page: { p50: median(pageMs), p99: percentile(pageMs, 99), fullLoadP50: median(pageHtmlMs) },
    samples: n,
    concurrency,
  };
  result.ratio = result.code.p50 / result.bare.p50;
  result.pageRatio = result.page.p50 / result.bare.p50;
  result.summary = `code p50 ${round(result.code.p50)} ms vs bare ${round(result.bare.p50)} ms (challenge page ${round(result.page.p50)} ms, as a full load ${round(result.page.fullLoadP50)} ms; without JavaScript ${round(result.noJs.p50)} ms; the next page, / , alone ${round(result.homeP50)} ms; server CPU per request ${round(result.code.cpuMs, 1)} / ${round(result.noJs.cpuMs, 1)} / ${round(result.bare.cpuMs, 1)} ms)`;
  return result;
}
