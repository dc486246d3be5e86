// Starting and stopping production servers (the standalone build) for the benchmarks.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
export const SERVER_JS = path.join(ROOT, ".next", "standalone", "server.js");

/** Every server this process started, so a crash or Ctrl-C still stops them. */
const running = new Set();

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Variables from the caller's environment that would change what the app does; the benchmark sets its own. */
const SCRUB = [
  "DATABASE_URL",
  "APP_URL",
  "AUTH_COOKIE_SECURE",
  "AUTH_URL",
  "NEXTAUTH_URL",
  "SMS_PROVIDER",
  "EMAIL_PROVIDER",
  "EMAIL_FROM",
  "SMS_ALLOWED_COUNTRIES",
  "ALLOW_DEV_OUTBOX",
  "BENCH_ROUTES",
  "DB_AUTO_MIGRATE",
  "DATABASE_POOL_SIZE",
  "DATABASE_PREPARE",
  "UV_THREADPOOL_SIZE",
  "NODE_OPTIONS",
  "AUTH_SECRET",
  "MFA_ENCRYPTION_KEY",
];

/**
 * The caller's environment without SCRUB, as a production server here: codes go to the outbox (the benchmark
 * reads them from sms_messages), and so does email; production allows that only with ALLOW_DEV_OUTBOX=true on a loopback
 * APP_URL (startServer sets it to the server's own address).
 */
export function cleanEnv(extra) {
  const env = { ...process.env };
  for (const key of SCRUB) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith("LIMIT_") || key === "SMS_DAILY_CAP" || key === "SMS_ENROLL_DAILY_CAP") delete env[key];
  return { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", SMS_PROVIDER: "outbox", EMAIL_PROVIDER: "outbox", ALLOW_DEV_OUTBOX: "true", ...extra };
}

/** One GET answered with `status` (or an error). Plain node:http without keep-alive: also used to time the start. */
export function probe(url, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
  });
}

/**
 * Starts a server process with `args` (default: the standalone server.js) and resolves once GET /api/health
 * answers 200. Returns { url, port, child, log(), stop(), readyMs } where readyMs is counted from spawn.
 */
export async function startServer({ env, args = [SERVER_JS], cwd = path.dirname(SERVER_JS), port, pollMs = 5, timeoutMs = 60_000, name = "server", marks = {} }) {
  port ??= await freePort();
  const fullEnv = { APP_URL: `http://127.0.0.1:${port}`, ...env, PORT: String(port), HOSTNAME: "127.0.0.1" };
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd, env: fullEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  // When (ms from spawn) each `marks` pattern first showed up in the server's output.
  const seen = {};
  const capture = (chunk) => {
    log += chunk.toString();
    for (const [key, pattern] of Object.entries(marks)) if (!(key in seen) && pattern.test(log)) seen[key] = Number(process.hrtime.bigint() - started) / 1e6;
    if (log.length > 100_000) log = log.slice(-50_000);
  };
  child.stdout.on("data", capture);
  child.stderr.on("data", capture);
  const server = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    log: () => log,
    stop: () => stopChild(child),
    readyMs: 0,
    marks: seen,
  };
  running.add(server);
  child.once("exit", () => running.delete(server));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${log.slice(-3000)}`);
    if ((await probe(`${server.url}/api/health`)) === 200) break;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not answer /api/health within ${timeoutMs / 1000} s:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  server.readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  return server;
}

/** SIGTERM to the process group (the server and anything it started), SIGKILL after 5 s. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      resolve();
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      clearTimeout(hard);
      resolve();
    }
  });
}

export async function stopAll() {
  await Promise.all([...running].map((s) => s.stop()));
}

/** Whether app sources changed after the build (a warning only: the benchmark measures the build it finds). */
export function staleBuildWarning() {
  if (!fs.existsSync(SERVER_JS)) return null;
  const built = fs.statSync(SERVER_JS).mtimeMs;
  let newest = { file: "", mtime: 0 };
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(tsx?|css)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const mtime = fs.statSync(full).mtimeMs;
        if (mtime > newest.mtime) newest = { file: full, mtime };
      }
    }
  };
  for (const dir of ["app", "components", "lib", "db"]) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  for (const file of ["proxy.ts", "next.config.js"]) {
    const full = path.join(ROOT, file);
    if (fs.existsSync(full) && fs.statSync(full).mtimeMs > newest.mtime) newest = { file: full, mtime: fs.statSync(full).mtimeMs };
  }
  return newest.mtime > built ? `${path.relative(ROOT, newest.file)} changed after the last build (BENCH_BUILD=1 rebuilds first)` : null;
}

/** Limits raised for the benchmark servers: every request comes from 127.0.0.1 and the figures send hundreds of codes. */
export const RAISED_LIMITS = {
  LIMIT_SMS_PER_USER_HOUR: "1000000",
  LIMIT_SMS_PER_PHONE_HOUR: "1000000",
  LIMIT_SMS_PER_IP_HOUR: "1000000",
  SMS_DAILY_CAP: "1000000",
  LIMIT_SIGNIN_ACCOUNT_FAILURES: "1000000",
  LIMIT_SIGNIN_IP_FAILURES: "1000000",
  LIMIT_SIGNIN_ACCOUNT_WIDE_FAILURES: "1000000",
  LIMIT_SIGNUP_PER_IP_HOUR: "1000000",
  LIMIT_SIGNUP_HOUR: "1000000",
  SMS_ENROLL_DAILY_CAP: "1000000",
};

/**
 * CPU time (ms) all PostgreSQL server processes on this machine have used so far (every process named
 * `postgres`: backends, writer, WAL writer …), from /proc, leaving out the backends in `exclude` (pids, e.g.
 * the benchmark's own connection reading codes). Backends that exit between two readings take their time with
 * them, so read it around work on pooled (long-lived) connections. null off Linux or without a Postgres here.
 */
export function postgresCpuMs(exclude = new Set()) {
  let total = 0;
  let seen = false;
  let entries;
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || exclude.has(Number(entry))) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== "postgres") continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    seen = true;
  }
  return seen ? total : null;
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. `pid` may also
 * be `<pid>/task/<tid>` for one of its threads (threadCpuMs).
 */
export function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command name: field 3 is index 0, so utime (14) and stime (15) are indexes 11 and 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

/** CPU ms (user + system) of each of a process's threads, by thread id; the main thread's id is the pid. */
export function threadCpuMs(pid) {
  const threads = new Map();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const ms = cpuMs(`${pid}/task/${tid}`);
    if (ms !== null) threads.set(Number(tid), ms);
  }
  return threads;
}
