#!/usr/bin/env node
// `npm run bench:profile [plain|mfa|flow|page|code]`: where a sign-in's server CPU goes beside bcrypt.
//
// Starts the production build under `node --cpu-prof`, runs password steps (users without MFA: `plain`;
// users with SMS MFA: `mfa`) or whole MFA sign-ins (`flow`: password step, challenge page, code) at
// concurrency 4 for BENCH_PROFILE_SECONDS (default 15), stops the server and prints the server's CPU per
// request split by thread (from /proc: the main thread, then libuv's pool and V8's helpers), then the main
// thread's self time by function and by package. bcrypt itself runs in libuv's thread pool and does not show
// in the profile: what it shows is exactly the "everything else" of a sign-in. The .cpuprofile is kept (path
// printed) for Chrome DevTools' Performance panel. BENCH_PROFILE_SAMPLE=0 runs without the sampling profiler
// (whose own thread costs CPU) and prints only the split by thread.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcrypt";
import { preparePending, submitCode } from "./figures/2-code-verification.mjs";
import { codeReader, mfaFlow } from "./figures/8-mfa-sign-in.mjs";
import { browserJar, createAgent, findActionIds, get, navigateToVerify, routeFormFields, signInPassword } from "./lib/http.mjs";
import { connectDb, createDatabase, dropAll, seedUsers } from "./lib/pg.mjs";
import { cleanEnv, cpuMs, postgresCpuMs, threadCpuMs, RAISED_LIMITS as RAISED, SERVER_JS, startServer, stopAll } from "./lib/server.mjs";
import { check, round, runPool } from "./lib/stats.mjs";


const mode = process.argv[2] ?? "plain";
check(["plain", "mfa", "flow", "page", "code"].includes(mode), "usage: npm run bench:profile [plain|mfa|flow|page|code]");
const seconds = Number(process.env.BENCH_PROFILE_SECONDS || 15);
const COST = Number(process.env.BENCH_BCRYPT_COST || 12);
const PASSWORD = "bench-password-1";
// BENCH_PROFILE_SAMPLE=0: no sampling profiler (its own thread costs CPU), only the CPU split by thread.
const sampling = process.env.BENCH_PROFILE_SAMPLE !== "0";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-profile-"));

/** Self time (ms) per function and per package from a V8 .cpuprofile (samples × their time deltas). */
function summarise(file, window) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  // Sample timestamps are on the monotonic clock process.hrtime reads (µs): only the measured window counts.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < window.from || at > window.to) continue;
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const inclusive = new Map();
  for (const [id, ms] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      if (f.functionName === "(root)" || f.functionName === "(idle)") break;
      const key = `${f.functionName || "(anon)"}  ${packageOf(f.url.replace(/^file:\/\//, ""))}${f.url ? `:${path.basename(f.url)}:${f.lineNumber + 1}` : ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  // The call paths (innermost five frames) that hold the most self time, idle left out.
  const stacks = new Map();
  for (const [id, ms] of self) {
    const frames = [];
    for (let cur = id; cur !== undefined && frames.length < 7; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      if (f.functionName === "(root)") break;
      frames.push(`${f.functionName || "(anon)"}@${packageOf(f.url.replace(/^file:\/\//, ""))}`);
    }
    if (frames[0] === "(idle)@(native / V8)") continue;
    const key = frames.join(" < ");
    stacks.set(key, (stacks.get(key) ?? 0) + ms);
  }
  const fns = new Map();
  const packages = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const { callFrame } = byId.get(id);
    total += ms;
    const url = callFrame.url.replace(/^file:\/\//, "");
    const where = packageOf(url);
    const key = `${callFrame.functionName || "(anonymous)"}  ${where}${url ? `:${path.basename(url)}:${callFrame.lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
    packages.set(where, (packages.get(where) ?? 0) + ms);
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, fns: top(fns, 30), packages: top(packages, 15), stacks: top(stacks, 15), inclusive: top(inclusive, Number(process.env.BENCH_PROFILE_INCLUSIVE || 40)) };
}

function packageOf(url) {
  if (!url) return "(native / V8)";
  if (url.startsWith("node:")) return "node";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes(".next/server/chunks") || url.includes(".next/server/app")) return "app bundle";
  return path.relative(path.dirname(SERVER_JS), url) || url;
}

async function main() {
  const db = await createDatabase("profile");
  const sql = connectDb(db.url);
  const secrets = { AUTH_SECRET: crypto.randomBytes(33).toString("base64"), MFA_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64") };
  const server = await startServer({
    name: "profiled server",
    args: sampling ? ["--cpu-prof", `--cpu-prof-dir=${dir}`, SERVER_JS] : [SERVER_JS],
    env: cleanEnv({ DATABASE_URL: db.url, ...secrets, BCRYPT_COST: String(COST), DATA_DIR: os.tmpdir(), ...RAISED }),
  });
  const hash = await bcrypt.hash(PASSWORD, COST);
  const count = 2000;
  await seedUsers(sql, { prefix: mode === "plain" ? "plain" : "mfa", count, hash, mfa: mode !== "plain" });
  const emails = Array.from({ length: count }, (_, i) => `${mode === "plain" ? "plain" : "mfa"}${i}@bench.test`);
  const actions = await findActionIds(server.url, (await get(server.url, "/login")).body);
  const agent = createAgent(8);
  let n = 0;
  const passwordStep = async () => {
    const email = emails[n++ % emails.length];
    const res = await signInPassword(server.url, { email, password: PASSWORD }, { jar: browserJar(email), agent });
    return { ok: res.status === 200 && res.sessionCookieSet };
  };
  const reader = mode === "flow" ? await codeReader(db.url) : null;
  const ctx = { server, actions, password: PASSWORD, reader };
  // page: the challenge page alone, loaded again and again by one pending sign-in.
  const pendingJar = browserJar(emails[0]);
  if (mode === "page") await signInPassword(server.url, { email: emails[0], password: PASSWORD }, { jar: pendingJar, agent });
  // As the browser reaches it from the sign-in form (a client navigation, figure 2b); BENCH_PROFILE_FULL_PAGE=1 loads the whole document.
  const fullPage = process.env.BENCH_PROFILE_FULL_PAGE === "1";
  const challengePage = async () => ({
    ok: fullPage ? (await get(server.url, "/login/verify", { jar: pendingJar, agent })).status === 200 : Boolean((await navigateToVerify(server.url, { jar: pendingJar, agent })).challenge),
  });
  // code: the code step alone (figure 2's request), each on a pending sign-in made before the measured window.
  const pendings = mode === "code" ? await preparePending({ server, sql, mfaUsers: emails, password: PASSWORD }, Number(process.env.BENCH_PROFILE_CODES || 1500)) : [];
  const codeForm = mode === "code" ? routeFormFields((await get(server.url, "/login/verify", { jar: pendings[0].jar, agent })).body, "/login/verify/code") : null;
  const codeStep = async () => {
    const pending = pendings.shift();
    return pending ? { ok: (await submitCode(server, codeForm, pending, agent)).ok } : { ok: true };
  };
  const modes = { flow: () => mfaFlow(ctx, emails[n++ % emails.length], agent), page: challengePage, code: codeStep };
  const task = modes[mode] ?? passwordStep;
  await runPool({ concurrency: 4, count: 12, task });
  const exclude = new Set(reader ? [reader.pid] : []);
  const from = Number(process.hrtime.bigint() / 1000n);
  const before = cpuMs(server.child.pid);
  const threadsBefore = threadCpuMs(server.child.pid);
  const pgBefore = postgresCpuMs(exclude);
  const run = await runPool({ concurrency: 4, durationMs: seconds * 1000, count: mode === "code" ? pendings.length : undefined, task });
  const cpu = cpuMs(server.child.pid) - before;
  // The main thread against the rest (libuv's pool, where bcrypt runs, and V8's helper threads for GC and compiling).
  const threads = [...threadCpuMs(server.child.pid)].map(([tid, ms]) => ({ tid, ms: ms - (threadsBefore.get(tid) ?? 0) }));
  const mainCpu = threads.find((t) => t.tid === server.child.pid)?.ms ?? 0;
  const busiest = threads.filter((t) => t.tid !== server.child.pid).sort((a, b) => b.ms - a.ms);
  const pgCpu = postgresCpuMs(exclude) - pgBefore;
  const to = Number(process.hrtime.bigint() / 1000n);
  await reader?.end();
  check(run.results.every((r) => r.ok), `${run.results.filter((r) => !r.ok).length} sign-ins failed`);
  agent.destroy();
  await sql.end({ timeout: 5 });
  await server.stop();
  const per = (ms) => round(ms / run.results.length, 2);
  console.log(`${mode}: ${run.results.length} sign-ins in ${round(run.elapsedMs / 1000, 1)} s; server CPU ${per(cpu)} ms each (all threads, bcrypt included), Postgres CPU ${per(pgCpu)} ms`);
  console.log(`server CPU by thread, ms per sign-in: main ${per(mainCpu)}; others ${busiest.filter((t) => t.ms > 0).map((t) => per(t.ms)).join(", ")}`);
  if (!sampling) return;
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  check(file, `no profile was written to ${dir} (did the server exit on SIGTERM?)`);
  const { total, fns, packages, stacks, inclusive } = summarise(path.join(dir, file), { from, to });
  console.log(`main thread: ${per(total)} ms sampled per sign-in (idle included) while measured`);
  console.log("\nself time by package (ms per sign-in):");
  for (const [name, ms] of packages) console.log(`  ${String(per(ms)).padStart(7)}  ${name}`);
  console.log("\nself time by function (ms per sign-in):");
  for (const [name, ms] of fns) console.log(`  ${String(per(ms)).padStart(7)}  ${name}`);
  console.log("\ninclusive time by function (ms per sign-in):");
  for (const [name, ms] of inclusive) console.log(`  ${String(per(ms)).padStart(7)}  ${name}`);
  console.log("\ncall paths holding the most self time (innermost first, ms per sign-in):");
  for (const [name, ms] of stacks) console.log(`  ${String(per(ms)).padStart(7)}  ${name}`);
  console.log(`\nprofile: ${path.join(dir, file)}`);
}

try {
  await main();
} finally {
  await stopAll();
  await dropAll();
}
