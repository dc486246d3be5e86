#!/usr/bin/env node
// The browser suite: `npm run test:e2e` (after `npm run build`).
//
// Starts the production standalone server on a free port with a fresh embedded database, runs every
// e2e/*.e2e.mjs file's tests one after another (each in a fresh browser context), prints
// `✓ name` / `✗ name`, then `N passed, M failed`, and stops the server whatever happens.
//
//   node e2e/run.mjs                 all tests
//   node e2e/run.mjs mfa             only files or tests whose name contains "mfa"
//   E2E_BUILD=1 node e2e/run.mjs     run `npm run build` first even when a build exists
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const e2eDir = path.join(root, "e2e");
const tmpDir = path.join(e2eDir, ".tmp");
const serverJs = path.join(root, ".next", "standalone", "server.js");
const WATCHDOG_MS = Number(process.env.E2E_WATCHDOG_MS) || 10 * 60_000;
const TEST_TIMEOUT_MS = Number(process.env.E2E_TEST_TIMEOUT_MS) || 90_000;
const grep = process.argv.slice(2).join(" ").toLowerCase();

let server;
let browser;
let dataDir;
let serverLog = "";
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await browser?.close().catch(() => {});
  await stopServer();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(hard);
      resolve();
    };
    server.once("exit", done);
    const hard = setTimeout(() => {
      try {
        process.kill(-server.pid, "SIGKILL");
      } catch {}
      resolve();
    }, 5_000);
    try {
      // The server runs in its own process group (detached), so this reaches anything it started too.
      process.kill(-server.pid, "SIGTERM");
    } catch {
      done();
    }
  });
}

const watchdog = setTimeout(async () => {
  console.error(`\n✗ watchdog: the suite ran longer than ${WATCHDOG_MS / 60_000} minutes; stopping.`);
  printServerLogTail();
  await cleanup();
  console.log("0 passed, 1 failed");
  process.exit(1);
}, WATCHDOG_MS);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    await cleanup();
    process.exit(130);
  });
}
// Last resort on any exit (an uncaught error, a closed output pipe): never leave the server running.
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {}
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});
// `npm run test:e2e | head` closes stdout early: keep going (and clean up) instead of dying on EPIPE.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

function freePort() {
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

function printServerLogTail(lines = 40) {
  const tail = serverLog.trimEnd().split("\n").slice(-lines).join("\n");
  if (tail) console.error(`\n--- last server output (full log: e2e/.tmp/server.log) ---\n${tail}\n---`);
}

/** Warns when app sources changed after the build the suite is about to test. */
function warnIfStale() {
  const built = fs.statSync(serverJs).mtimeMs;
  let newest = { file: "", mtime: 0 };
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(tsx?|css)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
        const mtime = fs.statSync(full).mtimeMs;
        if (mtime > newest.mtime) newest = { file: full, mtime };
      }
    }
  };
  for (const dir of ["app", "components", "lib", "db"]) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  if (fs.existsSync(path.join(root, "proxy.ts"))) {
    const mtime = fs.statSync(path.join(root, "proxy.ts")).mtimeMs;
    if (mtime > newest.mtime) newest = { file: path.join(root, "proxy.ts"), mtime };
  }
  if (newest.mtime > built)
    console.warn(`! ${path.relative(root, newest.file)} changed after the last build: run \`npm run build\` (or E2E_BUILD=1) to test it.`);
}

async function startServer() {
  const port = await freePort();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "feedback-e2e-"));
  fs.mkdirSync(tmpDir, { recursive: true });
  const logFile = fs.createWriteStream(path.join(tmpDir, "server.log"));
  const env = {
    ...process.env,
    NODE_ENV: "production",
    HOSTNAME: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    AUTH_SECRET: crypto.randomBytes(33).toString("base64"),
    // Production refuses to start without it (it encrypts authenticator-app secrets).
    MFA_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
    // Production refuses to start without the address users open; a loopback one also allows the two below.
    // localhost, not 127.0.0.1: WebAuthn needs a domain for its RP ID (an IP address cannot be one). The browser maps
    // localhost to 127.0.0.1 (CHROMIUM_ARGS in lib.mjs), where the server listens.
    APP_URL: `http://localhost:${port}`,
    // Test-only: the production build keeps /dev/outbox so the suite can read the codes it sends.
    ALLOW_DEV_OUTBOX: "true",
    SMS_PROVIDER: "outbox",
    EMAIL_PROVIDER: "outbox",
    // Cost 10 (~43 ms) instead of 12 keeps sign-ups quick while still exercising real bcrypt.
    BCRYPT_COST: "10",
    // Every browser request comes from 127.0.0.1: the per-IP budgets would otherwise be shared by all tests.
    // Per-user and per-number SMS limits stay at their defaults.
    LIMIT_SMS_PER_IP_HOUR: "1000",
    LIMIT_SIGNIN_IP_FAILURES: "1000",
  };
  for (const key of ["DATABASE_URL", "AUTH_COOKIE_SECURE", "SMS_ALLOWED_COUNTRIES", "AUTH_URL", "NEXTAUTH_URL", "BENCH_ROUTES", "EMAIL_FROM", "CRON_SECRET", "VERCEL"]) delete env[key];
  server = spawn(process.execPath, [serverJs], { cwd: path.dirname(serverJs), env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const capture = (chunk) => {
    serverLog += chunk.toString();
    if (serverLog.length > 200_000) serverLog = serverLog.slice(-100_000);
    logFile.write(chunk);
  };
  server.stdout.on("data", capture);
  server.stderr.on("data", capture);
  const exited = new Promise((_, reject) => server.once("exit", (code, signal) => reject(new Error(`the server exited early (code ${code}, signal ${signal})`))));
  exited.catch(() => {});

  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await Promise.race([
      fetch(`${url}/api/health`)
        .then((r) => r.status === 200)
        .catch(() => false),
      exited,
    ]);
    if (ok) break;
    if (Date.now() > deadline) throw new Error("the server did not answer /api/health with 200 within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return url;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function formatError(error) {
  const text = error?.stack ?? String(error);
  // Keep the message and the frames in e2e files; drop playwright-core and node internals.
  const [first, ...rest] = text.split("\n");
  const frames = rest.filter((l) => /^\s+at /.test(l) && l.includes("/e2e/") && !l.includes("node_modules"));
  const message = rest.filter((l) => !/^\s+at /.test(l));
  return [first, ...message, ...frames.slice(0, 4)].join("\n").replace(/^/gm, "    ");
}

async function main() {
  if (!fs.existsSync(serverJs) || process.env.E2E_BUILD === "1") {
    console.log(`${fs.existsSync(serverJs) ? "E2E_BUILD=1" : "No production build found"}: running npm run build …`);
    const built = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) throw new Error("npm run build failed");
  } else warnIfStale();

  const started = Date.now();
  const baseURL = await startServer();
  process.env.E2E_BASE_URL = baseURL;
  console.log(`Server: ${baseURL} (production build, fresh database in ${dataDir}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const lib = await import("./lib.mjs");
  fs.rmSync(lib.SCREENSHOT_DIR, { recursive: true, force: true });
  const files = fs
    .readdirSync(e2eDir)
    .filter((f) => f.endsWith(".e2e.mjs"))
    .sort();
  for (const file of files) {
    process.env.E2E_CURRENT_FILE = file;
    await import(pathToFileURL(path.join(e2eDir, file)).href);
  }
  const selected = lib.tests.filter((t) => !grep || t.name.toLowerCase().includes(grep) || t.file?.toLowerCase().includes(grep));
  if (selected.length === 0) throw new Error(`no test matches "${grep}"`);

  browser = await lib.launchBrowser();
  let passed = 0;
  let failed = 0;
  let file;
  for (const testCase of selected) {
    if (testCase.file !== file) {
      file = testCase.file;
      console.log(`\n${file}`);
    }
    const t0 = Date.now();
    let ctx;
    try {
      ctx = await lib.createTestContext(browser, testCase);
      await withTimeout(testCase.fn(ctx), TEST_TIMEOUT_MS, "the test");
      if (ctx.problems.length > 0) throw new Error(`the test ran to its end, but:\n  ${ctx.problems.join("\n  ")}`);
      passed += 1;
      console.log(`  ✓ ${testCase.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed += 1;
      console.log(`  ✗ ${testCase.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      console.log(formatError(error));
      if (ctx?.page && !ctx.page.isClosed()) {
        const file = await ctx.shot("failure").catch(() => null);
        if (file) console.log(`    screenshot: ${path.relative(root, file)}`);
      }
    } finally {
      await ctx?.context.close().catch(() => {});
    }
  }
  console.log(`\nScreenshots: e2e/screenshots/ · total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failed > 0) printServerLogTail(25);
  return { passed, failed };
}

let result = { passed: 0, failed: 1 };
try {
  result = await main();
} catch (error) {
  console.error(`\n✗ suite setup failed: ${error?.message ?? error}`);
  printServerLogTail();
}
clearTimeout(watchdog);
await cleanup();
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed > 0 ? 1 : 0);
