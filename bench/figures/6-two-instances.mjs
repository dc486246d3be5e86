// Figure 6: two production servers on one Postgres. Sign-ins with SMS MFA that start (password step) on one
// instance and finish (challenge) on the other with the same cookie; every accepted code is replayed once on
// the first instance and must be refused; a few codes are raced on both instances at once (one may win);
// and one user's SMS sends, alternating between the instances, must stop at LIMIT_SMS_PER_USER_HOUR.
import { callAction, createAgent, findActionIds, get, Jar, postForm, routeFormFields, signInPassword } from "../lib/http.mjs";
import { check, median, runPool } from "../lib/stats.mjs";

const SEND_FAILED_NOTICE = /We could not send the code/;

/** The code in the user's newest outbox message (the password step stores it before it answers). */
async function readCode(sql, email) {
  for (let i = 0; i < 50; i++) {
    const [row] = await sql`
      select m.body from sms_messages m join users u on u.id = m.user_id
      where u.email = ${email} order by m.created_at desc, m.id desc limit 1`;
    if (row) return row.body.match(/#(\d{6})\s*$/)?.[1] ?? null;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/**
 * ctx: { a, b (servers), sql, password, emails (MFA users), count, concurrency, raceCount, limitEmail, limitPerUser }
 */
export async function figure6(ctx) {
  const { a, b, sql, password } = ctx;
  const agent = createAgent(ctx.concurrency * 4);
  const loginHtml = await get(a.url, "/login", { agent });
  const ids = await findActionIds(a.url, loginHtml.body, { agent });
  check(ids.loginAction, "figure 6: no loginAction id found in the /login page's scripts");

  // The resend action id is read from the challenge page's scripts (needs a pending session).
  async function passwordStep(server, email) {
    const jar = new Jar();
    const started = performance.now();
    const res = await signInPassword(server.url, { email, password }, { jar, agent });
    return { ok: res.status === 200 && res.sessionCookieSet, jar, ms: performance.now() - started, status: res.status };
  }
  async function challengePage(server, jar) {
    const res = await get(server.url, "/login/verify", { jar, agent });
    // The code form's hidden fields (challengeId, method, callbackUrl), as the browser would submit them.
    const fields = routeFormFields(res.body, "/login/verify/code");
    return { status: res.status, html: res.body, fields, challengeId: fields?.challengeId ?? null };
  }
  async function verify(server, jar, page, code) {
    const res = await postForm(server.url, "/login/verify/code", { ...page.fields, code }, { jar, agent });
    return { accepted: res.status === 200 && res.outcome?.status === "signed_in" && res.sessionCookieSet, res };
  }

  {
    const probe = await passwordStep(a, ctx.probeEmail);
    check(probe.ok, "figure 6: the probe sign-in failed");
    const page = await challengePage(b, probe.jar);
    Object.assign(ids, await findActionIds(b.url, page.html, { jar: probe.jar, agent }));
    check(page.fields && ids.resendLoginCodeAction, "figure 6: no code form or resend action id on /login/verify");
  }

  // 1. count sign-ins at the given concurrency, alternating which instance starts.
  const failures = [];
  const replays = { tried: 0, refused: 0 };
  const started = performance.now();
  const run = await runPool({
    concurrency: ctx.concurrency,
    count: ctx.count,
    task: async (_w, i) => {
      const email = ctx.emails[i];
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      const t0 = performance.now();
      const step1 = await passwordStep(first, email);
      if (!step1.ok) return failures.push(`${email}: password step on ${first.name} answered ${step1.status}`) && null;
      const code = await readCode(sql, email);
      const page = await challengePage(second, step1.jar);
      if (page.status !== 200 || !page.challengeId || !code)
        return failures.push(`${email}: challenge page on ${second.name} answered ${page.status}, challenge ${page.challengeId}, code ${code}`) && null;
      const pendingJar = step1.jar.clone();
      const done = await verify(second, step1.jar, page, code);
      if (!done.accepted) return failures.push(`${email}: code refused on ${second.name} (${done.res.status}, ${done.res.redirect})`) && null;
      const account = await get(first.url, "/account", { jar: step1.jar, agent });
      if (account.status !== 200) return failures.push(`${email}: the new session answered ${account.status} on ${first.name}`) && null;
      const ms = performance.now() - t0;
      // Replay the accepted code once, on the instance where the sign-in started, with the pending cookie.
      replays.tried++;
      const again = await verify(first, pendingJar, page, code);
      if (!again.accepted) replays.refused++;
      return { ms };
    },
  });
  const elapsedMs = performance.now() - started;
  const succeeded = run.results.filter(Boolean);

  // 2. Races: the same code and cookie on both instances at the same moment.
  const race = { tried: 0, singleWinner: 0 };
  await runPool({
    concurrency: Math.min(ctx.concurrency, ctx.raceCount),
    count: ctx.raceCount,
    task: async (_w, i) => {
      const email = ctx.emails[ctx.count + i];
      const step1 = await passwordStep(a, email);
      const code = await readCode(sql, email);
      const page = await challengePage(b, step1.jar);
      if (!step1.ok || !code || !page.challengeId) return failures.push(`${email}: race setup failed`);
      const [x, y] = await Promise.all([verify(a, step1.jar.clone(), page, code), verify(b, step1.jar.clone(), page, code)]);
      race.tried++;
      if (Number(x.accepted) + Number(y.accepted) === 1) race.singleWinner++;
      else failures.push(`${email}: race accepted ${Number(x.accepted) + Number(y.accepted)} times`);
    },
  });

  // 3. One user's sends, alternating instances: sign-ins 1..limit+1, then a resend on the other instance.
  const limit = { sends: [], email: ctx.limitEmail };
  let lastJar = null;
  let lastChallenge = null;
  for (let i = 0; i <= ctx.limitPerUser; i++) {
    const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
    const before = (await sql`select count(*)::int as n from sms_messages m join users u on u.id = m.user_id where u.email = ${ctx.limitEmail}`)[0].n;
    const step1 = await passwordStep(first, ctx.limitEmail);
    check(step1.ok, `figure 6: limit user's sign-in ${i + 1} failed`);
    const after = (await sql`select count(*)::int as n from sms_messages m join users u on u.id = m.user_id where u.email = ${ctx.limitEmail}`)[0].n;
    const page = await challengePage(second, step1.jar);
    limit.sends.push({ n: i + 1, via: `sign-in on ${first.name}`, sent: after > before, pageSaysNotSent: SEND_FAILED_NOTICE.test(page.html) });
    lastJar = step1.jar;
    lastChallenge = page.challengeId;
  }
  {
    const other = ctx.limitPerUser % 2 === 0 ? b : a; // the instance the last sign-in did not start on
    const before = (await sql`select count(*)::int as n from sms_messages m join users u on u.id = m.user_id where u.email = ${ctx.limitEmail}`)[0].n;
    const res = await callAction(other.url, "/login/verify", ids.resendLoginCodeAction, { challengeId: lastChallenge }, { jar: lastJar, agent });
    const after = (await sql`select count(*)::int as n from sms_messages m join users u on u.id = m.user_id where u.email = ${ctx.limitEmail}`)[0].n;
    limit.sends.push({ n: ctx.limitPerUser + 2, via: `resend on ${other.name}`, sent: after > before, refusedMessage: /too many codes/i.test(res.body) });
  }
  const [counter] = await sql`select r.count from rate_limits r join users u on r.key = 'sms:user:' || u.id where u.email = ${ctx.limitEmail}`;
  limit.counter = counter?.count ?? null;
  limit.sentCount = limit.sends.filter((s) => s.sent).length;
  // The first `limitPerUser` sends go out; the next sign-in sends nothing and its challenge page says so; the
  // resend after it is refused with the "too many codes" message; the counter stays at the limit.
  const [overSignIn, overResend] = limit.sends.slice(ctx.limitPerUser);
  limit.ok =
    limit.sends.slice(0, ctx.limitPerUser).every((s) => s.sent) &&
    !overSignIn.sent &&
    overSignIn.pageSaysNotSent &&
    !overResend.sent &&
    overResend.refusedMessage &&
    limit.sentCount === ctx.limitPerUser &&
    limit.counter === ctx.limitPerUser;

  // 4. What the database says: one verified session per accepted sign-in, every used challenge consumed once.
  const [db] = await sql`
    select
      (select count(*)::int from sessions where mfa_state = 'verified') as verified_sessions,
      (select count(*)::int from audit_events where action = 'sign_in.succeeded' and detail->>'mfa' = 'true') as mfa_sign_ins`;
  agent.destroy();

  const result = {
    count: ctx.count,
    concurrency: ctx.concurrency,
    succeeded: succeeded.length,
    elapsedMs,
    perSecond: (succeeded.length * 1000) / elapsedMs,
    p50: median(succeeded.map((r) => r.ms)),
    replays,
    race,
    limit,
    db,
    failures: failures.slice(0, 10),
    failureCount: failures.length,
  };
  result.ok =
    succeeded.length === ctx.count &&
    replays.refused === replays.tried &&
    race.singleWinner === race.tried &&
    limit.ok &&
    db.verified_sessions === succeeded.length + race.singleWinner &&
    db.mfa_sign_ins === db.verified_sessions;
  result.summary = `${succeeded.length}/${ctx.count} signed in, ${replays.refused}/${replays.tried} replays refused, ${race.singleWinner}/${race.tried} races with one winner, sends for one user: ${limit.sentCount} of ${limit.sends.length}`;
  return result;
}
