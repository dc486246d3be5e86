#!/usr/bin/env node
// `npm run bench`: what a sign-in costs, and scaling past one instance.
//
// Runs against the production build (.next/standalone; built first when missing, or when BENCH_BUILD=1) on
// the real Postgres at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), in fresh
// databases it creates and drops. Prints every figure as a ratio to its baseline measured in the same run
// and rewrites the results section of docs/performance.md. Only localhost traffic.
//
// Environment (all optional):
//   BENCH_BCRYPT_COST   bcrypt cost for the benchmark users and the ceiling (default: BCRYPT_COST, else 12)
//   BENCH_QUICK=1       fewer samples (a smoke run, about a minute); the doc is not rewritten
//   BENCH_ONLY=1,3      run only these figures
//   BENCH_BUILD=1       run `npm run build` first even when a build exists
//   BENCH_NO_DOC=1      do not rewrite docs/performance.md
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcrypt";
import { figure1 } from "./figures/1-password-step.mjs";
import { figure1b } from "./figures/1b-throttled-password.mjs";
import { figure2, preparePending } from "./figures/2-code-verification.mjs";
import { figure3 } from "./figures/3-gate.mjs";
import { figure4 } from "./figures/4-javascript.mjs";
import { figure5 } from "./figures/5-embedded-start.mjs";
import { figure6 } from "./figures/6-two-instances.mjs";
import { figure7, seedPasskeys } from "./figures/7-passkey.mjs";
import { figure8 } from "./figures/8-mfa-sign-in.mjs";
import { writeDoc } from "./lib/report.mjs";
import { findActionIds, get, Jar, signInPassword } from "./lib/http.mjs";
import { connectDb, createDatabase, dropAll, PG_ADMIN_URL, seedUsers, serverInfo } from "./lib/pg.mjs";
import { cleanEnv, RAISED_LIMITS, ROOT, SERVER_JS, staleBuildWarning, startServer, stopAll } from "./lib/server.mjs";
import { check, round } from "./lib/stats.mjs";

const WATCHDOG_MS = 9 * 60_000;
const quick = process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map(Number)) : null;
const want = (n) => !only || only.has(n);
const COST = Number(process.env.BENCH_BCRYPT_COST || process.env.BCRYPT_COST || 12);
const PASSWORD = "bench-password-1";

const PLAN = quick
  ? { f1Seconds: 3, f2Samples: 40, f2Concurrency: 8, f3Pairs: 200, f5Runs: 1, f6Count: 40, f6Concurrency: 20, f6Race: 4, f8Seconds: 4 }
  : { f1Seconds: 10, f2Samples: 150, f2Concurrency: 8, f3Pairs: 1500, f5Runs: 3, f6Count: 200, f6Concurrency: 20, f6Race: 20, f8Seconds: 12 };
const CONCURRENCY_1 = 4;

const RAISED = RAISED_LIMITS;
/** Figure 6 keeps the per-user SMS limit at its default (5/hour) to show it counting across both instances. */
const RAISED_EXCEPT_USER = { ...RAISED };
delete RAISED_EXCEPT_USER.LIMIT_SMS_PER_USER_HOUR;

const log = (...args) => console.log(...args);
const t0 = performance.now();
const elapsed = () => `${round((performance.now() - t0) / 1000, 1)} s`;

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    await stopAll();
    await dropAll();
  })();
  return cleaning;
}
const watchdog = setTimeout(async () => {
  console.error(`\n✗ the benchmark ran longer than ${WATCHDOG_MS / 60_000} minutes; stopping.`);
  await cleanup();
  process.exit(1);
}, WATCHDOG_MS);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await cleanup();
    process.exit(130);
  });
}

function machine() {
  const git = (args) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" }).stdout?.trim() || null;
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    next: JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "next", "package.json"), "utf8")).version,
    loadBefore: os.loadavg().map((n) => round(n, 2)),
    commit: git(["rev-parse", "--short", "HEAD"]),
    dirty: Boolean(git(["status", "--porcelain"])),
  };
}

function ensureBuild() {
  if (fs.existsSync(SERVER_JS) && process.env.BENCH_BUILD !== "1") {
    const stale = staleBuildWarning();
    if (stale) log(`! ${stale}`);
    return false;
  }
  log(fs.existsSync(SERVER_JS) ? "BENCH_BUILD=1: running npm run build …" : "No production build (.next/standalone/server.js): running npm run build …");
  const built = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("npm run build failed");
  return true;
}

async function main() {
  const pg = await serverInfo().catch((error) => {
    throw new Error(
      `cannot reach Postgres at ${PG_ADMIN_URL.replace(/\/\/[^@]*@/, "//")} (${error.code ?? error.message}). Start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or point BENCH_PG_URL at a server where this user may create databases.`,
    );
  });
  const built = ensureBuild();
  const info = { ...machine(), postgres: pg.version, pgUrl: PG_ADMIN_URL.replace(/\/\/[^@]*@/, "//"), cost: COST, quick, built, plan: PLAN };
  log(`Machine: ${info.nproc} × ${info.cpu}, ${info.memoryGb} GB, Node ${info.node}, Next ${info.next}, PostgreSQL ${info.postgres}, bcrypt cost ${COST}${quick ? " (BENCH_QUICK)" : ""}; load average ${info.loadBefore.join(" ")}`);
  if (info.loadBefore[0] > info.nproc / 2) log(`! the machine is busy (load ${info.loadBefore[0]} on ${info.nproc} CPUs): figures will be noisier`);
  const results = { info };
  // The secrets a production start requires (the server refuses to start without them).
  const secrets = { AUTH_SECRET: crypto.randomBytes(33).toString("base64"), MFA_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64") };
  const hash = await bcrypt.hash(PASSWORD, COST);
  // The code step never runs bcrypt, so figure 2's users get a cheap hash: only their (untimed) password step gets faster.
  const cheapHash = await bcrypt.hash(PASSWORD, 4);

  if ([1, 2, 3, 4, 7, 8].some(want)) {
    const db = await createDatabase("main");
    const sql = connectDb(db.url);
    const server = await startServer({
      name: "server",
      env: cleanEnv({ DATABASE_URL: db.url, ...secrets, BENCH_ROUTES: "true", BCRYPT_COST: String(COST), DATA_DIR: os.tmpdir(), ...RAISED }),
    });
    log(`[${elapsed()}] production server on ${server.url}, database ${db.name}`);
    const mfaCount = 5 * PLAN.f2Samples + 30;
    // The admin (figures 3 and 4) has an organisation of their own, so /org/settings shows a small organisation.
    await seedUsers(sql, { prefix: "admin", count: 1, hash, role: "admin", orgName: "Bench Admin Org" });
    const orgId = await seedUsers(sql, { prefix: "plain", count: 40, hash });
    await seedUsers(sql, { prefix: "mfa", count: mfaCount, hash: cheapHash, mfa: true, orgId });
    const mfaUsers = Array.from({ length: mfaCount }, (_, i) => `mfa${i}@bench.test`);
    // Users with SMS MFA and a real-cost hash, for the timed password steps (figure 1) and whole sign-ins (figure 8).
    await seedUsers(sql, { prefix: "strong", count: 200, hash, mfa: true, orgId, phoneBase: 31_620_000_000 });
    const strongUsers = Array.from({ length: 200 }, (_, i) => `strong${i}@bench.test`);

    const loginHtml = await get(server.url, "/login");
    const actions = await findActionIds(server.url, loginHtml.body);
    check(actions.loginAction, "no loginAction id in the /login page's scripts");
    const admin = new Jar();
    const signedIn = await signInPassword(server.url, { email: "admin0@bench.test", password: PASSWORD }, { jar: admin });
    check(signedIn.sessionCookieSet, `the admin sign-in failed (${signedIn.status})`);
    check((await get(server.url, "/account", { jar: admin })).status === 200, "the admin's cookie does not open /account");
    const [pendingOne] = await preparePending({ server, actions, sql, password: PASSWORD, mfaUsers: [mfaUsers.pop()] }, 1, 1);
    const verifyHtml = await get(server.url, "/login/verify", { jar: pendingOne.jar });
    check(verifyHtml.body.includes('action="/login/verify/code"'), "the /login/verify page has no code form posting to /login/verify/code");

    if (want(1)) {
      log(`[${elapsed()}] figure 1: password step vs bcrypt (cost ${COST}, concurrency ${CONCURRENCY_1}, ${PLAN.f1Seconds} s each) …`);
      const plainUsers = Array.from({ length: 40 }, (_, i) => `plain${i}@bench.test`);
      results.f1 = await figure1({ server, actions, password: PASSWORD, plainUsers, mfaUsers: strongUsers, cost: COST, concurrency: CONCURRENCY_1, seconds: PLAN.f1Seconds, noJsSeconds: PLAN.f1Seconds / 2 });
      log(`  ${results.f1.summary} → ${round(results.f1.ratio, 3)} / ${round(results.f1.mfa.ratio, 3)}`);
      log(`[${elapsed()}] figure 1b: a throttled password attempt vs the bare route (${PLAN.f2Samples} interleaved pairs) …`);
      results.f1b = await figure1b({ server, actions, sql, email: plainUsers[0], password: PASSWORD, samples: PLAN.f2Samples });
      log(`  ${results.f1b.summary} → ${round(results.f1b.ratio, 2)}×`);
    }
    if (want(2)) {
      log(`[${elapsed()}] figure 2: code verification vs bare route (${PLAN.f2Samples} sequential + ${PLAN.f2Samples} at concurrency ${PLAN.f2Concurrency}) …`);
      results.f2 = await figure2({ server, actions, sql, password: PASSWORD, mfaUsers, samples: PLAN.f2Samples, concurrency: PLAN.f2Concurrency });
      log(`  ${results.f2.summary} → ${round(results.f2.ratio, 2)}×`);
    }
    if (want(3)) {
      log(`[${elapsed()}] figure 3: the gate (${PLAN.f3Pairs} alternating pairs) …`);
      results.f3 = await figure3({ server, jar: admin, pairs: PLAN.f3Pairs });
      log(`  ${results.f3.summary}`);
    }
    if (want(4)) {
      log(`[${elapsed()}] figure 4: JavaScript per route …`);
      const [pending] = await preparePending({ server, actions, sql, password: PASSWORD, mfaUsers: [mfaUsers.pop()] }, 1, 1);
      results.f4 = await figure4({ server, signedIn: admin, pending: pending.jar });
      log(`  ${results.f4.summary}`);
    }
    if (want(7)) {
      log(`[${elapsed()}] figure 7: a passkey as the second factor vs a texted code (${PLAN.f2Samples} interleaved pairs) …`);
      const passkeyUsers = Array.from({ length: PLAN.f2Samples + 5 }, (_, i) => `passkey${i}@bench.test`);
      await seedUsers(sql, { prefix: "passkey", count: passkeyUsers.length, hash: cheapHash, orgId });
      const keys = await seedPasskeys(sql, server.url, passkeyUsers);
      results.f7 = await figure7({ server, actions, sql, password: PASSWORD, mfaUsers: mfaUsers.splice(0, PLAN.f2Samples + 5), passkeyUsers, keys, samples: PLAN.f2Samples });
      log(`  ${results.f7.summary} → ${round(results.f7.ratio, 2)}×`);
    }
    if (want(8)) {
      log(`[${elapsed()}] figure 8: whole sign-ins with SMS MFA vs bcrypt (concurrency ${CONCURRENCY_1}, ${PLAN.f8Seconds} s) …`);
      results.f8 = await figure8({ server, password: PASSWORD, dbUrl: db.url, mfaUsers: strongUsers, cost: COST, concurrency: CONCURRENCY_1, seconds: PLAN.f8Seconds });
      log(`  ${results.f8.summary} → ${round(results.f8.ratio, 3)}`);
    }
    await sql.end({ timeout: 5 });
    await server.stop();
  }

  if (want(5)) {
    log(`[${elapsed()}] figure 5: embedded start (${PLAN.f5Runs} new + ${PLAN.f5Runs} existing DATA_DIR) …`);
    results.f5 = await figure5({ runs: PLAN.f5Runs, secrets });
    log(`  ${results.f5.summary}`);
  }

  if (want(6)) {
    log(`[${elapsed()}] figure 6: two instances, one Postgres (${PLAN.f6Count} MFA sign-ins at concurrency ${PLAN.f6Concurrency}) …`);
    const db = await createDatabase("two");
    const sql = connectDb(db.url);
    const env = cleanEnv({ DATABASE_URL: db.url, ...secrets, BCRYPT_COST: String(COST), DATA_DIR: os.tmpdir(), ...RAISED_EXCEPT_USER });
    // Both start at once on the empty database: the migrations run once, under the advisory lock.
    const [a, b] = await Promise.all([startServer({ name: "instance A", env }), startServer({ name: "instance B", env })]);
    log(`[${elapsed()}] instances on ${a.url} and ${b.url}, database ${db.name}`);
    const seedStart = performance.now();
    await seedUsers(sql, { prefix: "u", count: 1000, hash, mfa: true });
    const seedMs = performance.now() - seedStart;
    const emails = Array.from({ length: 1000 }, (_, i) => `u${i}@bench.test`);
    results.f6 = await figure6({
      a,
      b,
      sql,
      password: PASSWORD,
      emails,
      probeEmail: emails[998],
      limitEmail: emails[999],
      limitPerUser: 5,
      count: PLAN.f6Count,
      concurrency: PLAN.f6Concurrency,
      raceCount: PLAN.f6Race,
    });
    results.f6.seedMs = seedMs;
    log(`  ${results.f6.summary}`);
    if (results.f6.failureCount) log(`  failures: ${results.f6.failures.join("\n            ")}`);
    await sql.end({ timeout: 5 });
    await Promise.all([a.stop(), b.stop()]);
  }

  results.totalMs = performance.now() - t0;
  info.loadAfter = os.loadavg().map((n) => round(n, 2));
  const { table, doc } = writeDoc(results, { write: !quick && !only && process.env.BENCH_NO_DOC !== "1" });
  log(`\n${table}\n`);
  log(doc ? `Results written to ${path.relative(ROOT, doc)}.` : "docs/performance.md not rewritten (quick, partial or BENCH_NO_DOC run).");
  log(`Total: ${elapsed()}`);
}

try {
  await main();
  await cleanup();
  clearTimeout(watchdog);
} catch (error) {
  console.error(`\n✗ ${error.stack ?? error}`);
  await cleanup();
  clearTimeout(watchdog);
  process.exit(1);
}
