// The production build refuses to start with settings that are only safe on this machine: it prints one
// line for each and exits before it serves anything. The suite's own server (e2e/run.mjs: a loopback
// APP_URL with the test-only outbox) is the allowed twin: it started.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assert, baseURL, freePort, test } from "./lib.mjs";

const serverJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".next", "standalone", "server.js");

/** Runs the standalone server with `env` until it exits (at most 30 s); its exit code, its output, and whether it answered. */
async function runServer(env) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "feedback-startup-"));
  const full = { ...process.env, NODE_ENV: "production", HOSTNAME: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir, ...env };
  for (const [key, value] of Object.entries(full)) if (value === undefined) delete full[key];
  const child = spawn(process.execPath, [serverJs], { cwd: path.dirname(serverJs), env: full, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  let answered = false;
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      resolve(null);
    }, 30_000);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
    const poll = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      answered ||= await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      setTimeout(poll, 200);
    };
    poll();
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { code, output, answered };
}

test("Start-up: production without APP_URL or an SMS or email provider, or with test switches on a public address, exits with one line each", async () => {
  const secrets = { AUTH_SECRET: crypto.randomBytes(33).toString("base64"), MFA_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64") };
  const unset = { APP_URL: undefined, SMS_PROVIDER: undefined, EMAIL_PROVIDER: undefined, EMAIL_FROM: undefined, ALLOW_DEV_OUTBOX: undefined, BENCH_ROUTES: undefined, DATABASE_URL: undefined };

  const bare = await runServer({ ...unset, ...secrets });
  assert.equal(bare.code, 1, `exit code without APP_URL, SMS_PROVIDER and EMAIL_PROVIDER:\n${bare.output}`);
  assert.equal(bare.answered, false, "it never answered a request");
  const lines = bare.output.split("\n").filter((l) => l.startsWith("[config] "));
  assert.equal(lines.length, 3, `one line each:\n${bare.output}`);
  assert.match(lines[0], /^\[config\] APP_URL is not set\./);
  assert.match(lines[1], /^\[config\] SMS_PROVIDER is not set\./);
  assert.match(lines[2], /^\[config\] EMAIL_PROVIDER is not set\./);

  const publicTest = await runServer({
    ...unset,
    ...secrets,
    APP_URL: "https://accounts.example.com",
    SMS_PROVIDER: "outbox",
    EMAIL_PROVIDER: "ses",
    ALLOW_DEV_OUTBOX: "true",
    BENCH_ROUTES: "true",
  });
  assert.equal(publicTest.code, 1, `exit code with the outbox and bench routes on a public APP_URL:\n${publicTest.output}`);
  assert.deepEqual(
    publicTest.output
      .split("\n")
      .filter((l) => l.startsWith("[config] "))
      .map((l) => l.split(/[ .=,]/)[1]),
    ["SMS_PROVIDER", "EMAIL_FROM", "ALLOW_DEV_OUTBOX", "BENCH_ROUTES"],
    publicTest.output,
  );

  // The allowed twin: the suite's own server, production on a loopback APP_URL with the outbox, is up.
  assert.equal((await fetch(`${baseURL()}/api/health`)).status, 200);
});
