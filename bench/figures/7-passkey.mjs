// Figure 7: a passkey as the second factor against a texted code, in the same run and on the same form: both
// are POST /login/verify/code from a pending sign-in, the passkey's "code" being the browser's assertion (an
// ES256 signature over the challenge, checked with @simplewebauthn/server). The prompt that hands the browser
// its challenge is a request of its own; here the challenge is written to the sign-in's row directly, so the
// figure compares the verification requests alone, as figure 2 does for codes.
import crypto from "node:crypto";
import { SoftAuthenticator } from "../../tests/helpers/webauthn.mjs";
import { browserJar, createAgent, get, postForm, routeFormFields, signInPassword } from "../lib/http.mjs";
import { check, median, percentile, round, runPool } from "../lib/stats.mjs";
import { preparePending, submitCode } from "./2-code-verification.mjs";

const CODE_ROUTE = "/login/verify/code";

/** Gives each of `emails` (seeded without a factor) one passkey; returns the authenticators by email. */
export async function seedPasskeys(sql, serverUrl, emails) {
  const url = new URL(serverUrl);
  const keys = new Map();
  for (const email of emails) keys.set(email, new SoftAuthenticator({ id: url.hostname, origin: url.origin }));
  const rows = emails.map((email) => ({ email, credential_id: keys.get(email).id, public_key: keys.get(email).publicKey }));
  await sql`
    with k as (select * from json_to_recordset(${sql.json(rows)}::json) as k(email text, credential_id text, public_key text)),
    f as (
      insert into mfa_factors (user_id, kind, credential_id, public_key, sign_count, transports, name, verified_at)
      select u.id, 'passkey', k.credential_id, k.public_key, 0, 'internal', 'Bench key', now() from k join users u on u.email = k.email
      returning user_id
    )
    update users set mfa_enabled = true where id in (select user_id from f)`;
  return keys;
}

/** Password steps for passkey users, each followed by the prompt's challenge on the sign-in's row. */
async function preparePasskeyPending(ctx, count, concurrency = 6) {
  const { server, sql } = ctx;
  const agent = createAgent(concurrency * 2);
  const { results } = await runPool({
    concurrency,
    count,
    task: async (_w, i) => {
      const email = ctx.passkeyUsers[i % ctx.passkeyUsers.length];
      const jar = browserJar(email);
      const res = await signInPassword(server.url, { email, password: ctx.password }, { jar, agent });
      check(res.status === 200 && res.sessionCookieSet, `password step for ${email} answered ${res.status} without a session cookie`);
      const challenge = crypto.randomBytes(32).toString("base64url");
      const [row] = await sql`
        update otp_challenges c set webauthn_challenge = ${challenge}, webauthn_issued_at = now()
        from users u
        where u.id = c.user_id and u.email = ${email} and c.purpose = 'login' and c.consumed_at is null
          and c.created_at = (select max(created_at) from otp_challenges where user_id = u.id and purpose = 'login')
        returning c.id`;
      check(row, `no open login challenge for ${email}`);
      return { email, jar, pendingToken: jar.sessionCookie(), challengeId: row.id, challenge };
    },
  });
  agent.destroy();
  return results;
}

async function submitAssertion(server, template, pending, key, agent) {
  const jar = pending.jar.clone();
  const code = JSON.stringify(key.assert({ challenge: pending.challenge }));
  const res = await postForm(server.url, CODE_ROUTE, { ...template, challengeId: pending.challengeId, method: "passkey", code }, { jar, agent });
  const ok = res.status === 200 && res.outcome?.status === "signed_in" && res.sessionCookieSet && jar.sessionCookie() !== pending.pendingToken;
  return { ok, ms: res.ms, status: res.status, outcome: res.outcome };
}

export async function figure7(ctx) {
  const { server, samples: n } = ctx;
  // Signatures are made ahead of each request, outside the timed part (postForm times the request alone).
  const keys = ctx.keys;
  const passkeyPending = await preparePasskeyPending(ctx, n + 5);
  const codePending = await preparePending(ctx, n + 5);
  const agent = createAgent(4);
  const pkHtml = await get(server.url, "/login/verify", { jar: passkeyPending[0].jar, agent });
  const pkTemplate = routeFormFields(pkHtml.body, CODE_ROUTE);
  check(pkTemplate?.method === "passkey", "figure 7: the challenge page of a passkey user does not offer the passkey first");
  const codeHtml = await get(server.url, "/login/verify", { jar: codePending[0].jar, agent });
  const codeTemplate = routeFormFields(codeHtml.body, CODE_ROUTE);
  check(codeTemplate, "figure 7: no code form on the challenge page");

  const warm = async (i) => {
    const p = passkeyPending[i];
    const r = await submitAssertion(server, pkTemplate, p, keys.get(p.email), agent);
    check(r.ok, `figure 7: a right assertion was refused in the warm-up (${r.status} ${JSON.stringify(r.outcome)})`);
    check((await submitCode(server, codeTemplate, codePending[i], agent)).ok, "figure 7: a right code was refused in the warm-up");
  };
  for (let i = 0; i < 5; i++) await warm(i);
  const passkeyMs = [];
  const codeMs = [];
  for (let i = 5; i < n + 5; i++) {
    const p = passkeyPending[i];
    const r = await submitAssertion(server, pkTemplate, p, keys.get(p.email), agent);
    check(r.ok, `figure 7: a right assertion was refused (${r.status} ${JSON.stringify(r.outcome)})`);
    passkeyMs.push(r.ms);
    const c = await submitCode(server, codeTemplate, codePending[i], agent);
    check(c.ok, "figure 7: a right code was refused");
    codeMs.push(c.ms);
  }
  agent.destroy();
  const result = {
    passkey: { p50: median(passkeyMs), p99: percentile(passkeyMs, 99) },
    code: { p50: median(codeMs), p99: percentile(codeMs, 99) },
    samples: n,
  };
  result.ratio = result.passkey.p50 / result.code.p50;
  result.summary = `passkey p50 ${round(result.passkey.p50)} ms (p99 ${round(result.passkey.p99)}) vs texted code ${round(result.code.p50)} ms (p99 ${round(result.code.p99)})`;
  return result;
}
