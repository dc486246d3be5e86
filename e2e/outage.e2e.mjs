// Postgres going away mid-run: a second production server on real Postgres, reached through
// a TCP proxy this test controls. Cutting the proxy is Postgres disappearing (the listener closes and every
// open connection drops); re-opening it on the same port is Postgres coming back. Pages answer a clear 503,
// the sign-in form says it could not sign you in (not "wrong password"), /api/health answers 503, and the
// app recovers by itself.
//
// Needs Postgres at 127.0.0.1:5432 (CI starts it). E2E_PG_ADMIN_URL overrides the admin connection
// (default postgres://postgres@127.0.0.1:5432/postgres); the test creates and drops its own database.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { assert, checkA11y, eventually, expectUrl, expectVisible, freePort, newUser, signUp, submitSignIn, test } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverJs = path.join(root, ".next", "standalone", "server.js");
const ADMIN_URL = process.env.E2E_PG_ADMIN_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const PG = (() => {
  const u = new URL(ADMIN_URL);
  return { host: u.hostname || "127.0.0.1", port: Number(u.port) || 5432 };
})();

/** Everything this file starts, so an interrupted run (run.mjs exits on a timeout or a signal) stops it too. */
const started = new Set();
process.on("exit", () => {
  for (const child of started) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
});

function canConnect({ host, port }, timeout = 2_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeout, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * A TCP proxy on 127.0.0.1 in front of Postgres. cut() closes the listener and destroys every connection
 * (new ones are refused); restore() listens on the same port again.
 */
function tcpProxy(target) {
  const sockets = new Set();
  let server;
  let port = 0;
  const listen = () =>
    new Promise((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = server.address().port;
        resolve(port);
      });
    });
  const close = () =>
    new Promise((resolve) => {
      if (!server?.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    start: listen,
    get port() {
      return port;
    },
    get connections() {
      return sockets.size / 2;
    },
    cut: close,
    restore: () => eventually(listen, { timeout: 5_000, interval: 100, message: `re-opening the proxy on port ${port}` }),
    stop: close,
  };
}

/** The standalone production server on its own port and data folder; resolves once /api/health answers 200. */
async function startServer(databaseUrl) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "feedback-outage-"));
  const logPath = path.join(root, "e2e", ".tmp", "outage-server.log");
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  const log = fs.createWriteStream(logPath);
  let output = "";
  const env = {
    ...process.env,
    NODE_ENV: "production",
    HOSTNAME: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: crypto.randomBytes(33).toString("base64"),
    MFA_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
    BCRYPT_COST: "10",
    // Production starts with the outbox only on a loopback address, and only when told it is a test.
    APP_URL: `http://127.0.0.1:${port}`,
    EMAIL_PROVIDER: "outbox",
    SMS_PROVIDER: "outbox",
    ALLOW_DEV_OUTBOX: "true",
  };
  for (const key of ["AUTH_COOKIE_SECURE", "AUTH_URL", "NEXTAUTH_URL", "DB_AUTO_MIGRATE", "BENCH_ROUTES"]) delete env[key];
  const child = spawn(process.execPath, [serverJs], { cwd: path.dirname(serverJs), env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  const capture = (chunk) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
    log.write(chunk);
  };
  child.stdout.on("data", capture);
  child.stderr.on("data", capture);
  const exited = new Promise((_, reject) => child.once("exit", (code, signal) => reject(new Error(`the outage server exited (code ${code}, signal ${signal})`))));
  exited.catch(() => {});

  const stop = () =>
    new Promise((resolve) => {
      const finish = () => {
        clearTimeout(hard);
        started.delete(child);
        log.end();
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve();
      };
      const hard = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
        finish();
      }, 5_000);
      if (child.exitCode !== null || child.signalCode !== null) return finish();
      child.once("exit", finish);
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        finish();
      }
    });

  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await Promise.race([
        fetch(`${url}/api/health`)
          .then((r) => r.status === 200)
          .catch(() => false),
        exited,
      ]);
      if (ok) break;
      if (Date.now() > deadline) throw new Error("the outage server did not answer /api/health with 200 within 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- outage server output ---\n${output.trim().split("\n").slice(-20).join("\n")}`);
  }
  return { url, stop, alive: () => child.exitCode === null && child.signalCode === null, output: () => output };
}

/** No stack frames, file paths or driver error names in what a user sees. */
function assertNoInternals(text, what) {
  assert.doesNotMatch(text, /\bat \S+ \(|node_modules|\.(?:js|ts|tsx):\d+|ECONNREFUSED|postgres|drizzle|Error:/i, `${what} shows internals`);
}

test("Outage: with Postgres gone, pages answer a clear 503, sign-in says so, health is 503; all recover without a restart", async (t) => {
  if (!(await canConnect(PG)))
    throw new Error(
      `Postgres is not reachable at ${PG.host}:${PG.port}. The outage test needs a real Postgres (CI starts one); start it locally or set E2E_PG_ADMIN_URL.`,
    );
  const dbName = `outage_${crypto.randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  const proxy = tcpProxy(PG);
  let server;
  const contexts = [];
  try {
    await admin.unsafe(`create database ${dbName}`);
    await proxy.start();
    const dbUrl = new URL(ADMIN_URL);
    dbUrl.host = `127.0.0.1:${proxy.port}`;
    dbUrl.pathname = `/${dbName}`;
    server = await startServer(dbUrl.href);

    // Two browsers on the second server: one signed in, one at the sign-in form.
    let outage = false;
    const browser = t.context.browser();
    const open = async () => {
      const context = await browser.newContext({ baseURL: server.url, locale: "en-US" });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => t.problems.push(`page error on ${page.url()}: ${error.message}`));
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        // The 503 itself, and during the outage the error an action reports, are expected.
        if (/status of (4|5)\d\d/.test(msg.text()) || outage) return;
        t.problems.push(`console error on ${page.url()}: ${msg.text()}`);
      });
      return { context, page };
    };
    const signedIn = await open();
    const user = newUser();
    await signUp(signedIn.page, user);
    const signedOut = await open();
    await signedOut.page.goto("/login");
    await expectVisible(signedOut.page.getByRole("heading", { level: 1, name: "Sign in" }));
    // A tab of the signed-in browser with a form open when Postgres goes.
    const formTab = await signedIn.context.newPage();
    await formTab.goto("/account");
    await expectVisible(formTab.getByRole("heading", { level: 1, name: "My account" }));
    const cookie = (await signedIn.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    assert.ok(proxy.connections > 0, "the app talks to Postgres through the proxy");

    // ---- Postgres goes away.
    outage = true;
    await proxy.cut();

    // A signed-in page: a clear 503 page, no stack trace.
    const response = await signedIn.page.goto("/account");
    assert.equal(response.status(), 503, "a signed-in page answers 503");
    const page503 = signedIn.page;
    await expectVisible(page503.getByRole("heading", { level: 1, name: /temporarily unavailable/i }));
    assertNoInternals(await page503.locator("main").textContent(), "the 503 page");
    await checkA11y(page503, "503 page");
    await t.shot("503 page while Postgres is down", page503);
    const raw = await fetch(`${server.url}/`, { headers: { cookie }, redirect: "manual" });
    assert.equal(raw.status, 503, "GET / with the session cookie answers 503");
    assert.ok(Number(raw.headers.get("retry-after")) > 0, "with Retry-After");
    assert.match(raw.headers.get("content-type") ?? "", /text\/html/);
    assertNoInternals(await raw.text(), "GET / during the outage");

    // The health check says so.
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 503, "/api/health answers 503");
    assertNoInternals(JSON.stringify(await health.json()), "/api/health");

    // The sign-in form: its route answers 503; the page says so and offers the form again.
    const [signInResponse] = await Promise.all([
      signedOut.page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login/password"),
      submitSignIn(signedOut.page, user.email, user.password),
    ]);
    assert.equal(signInResponse.status(), 503, "the sign-in form's route answers 503");
    assert.ok(Number(signInResponse.headers()["retry-after"]) > 0, "with Retry-After");
    await expectVisible(signedOut.page.getByLabel("Email"));
    // (Next's empty route announcer is an alert too.)
    const alert = signedOut.page.getByRole("alert").filter({ hasText: /\S/ });
    await expectVisible(alert);
    const message = (await alert.textContent()).trim();
    assert.doesNotMatch(message, /email or password is not right/i, "not a wrong-password message");
    assert.match(message, /could not sign you in|unavailable|try again/i, `a clear message: ${JSON.stringify(message)}`);
    assertNoInternals(message, "the sign-in error");
    await expectUrl(signedOut.page, "/login");
    await checkA11y(signedOut.page, "sign-in during the outage");
    await t.shot("sign-in while Postgres is down", signedOut.page);

    // A server action from a page that was already open: a clear message, nothing internal, nothing changed.
    await formTab.getByLabel("Current password").fill(user.password);
    await formTab.getByLabel("New password").fill(`${user.password} changed`);
    const [actionResponse] = await Promise.all([
      formTab.waitForResponse((r) => r.request().method() === "POST" && Boolean(r.request().headers()["next-action"])),
      formTab.getByRole("button", { name: "Change password" }).click(),
    ]);
    assert.equal(actionResponse.status(), 503, "the action answers 503");
    const actionMessage = formTab.getByRole("heading", { name: /temporarily unavailable/i });
    await expectVisible(actionMessage);
    assertNoInternals(await formTab.locator("main").first().textContent(), "the page after a failed action");
    await checkA11y(formTab, "action during the outage");
    await t.shot(`action while Postgres is down (HTTP ${actionResponse.status()})`, formTab);
    assert.ok(server.alive(), "the server survived the outage");

    // ---- Postgres comes back (same port): the same requests succeed again, no restart.
    await proxy.restore();
    outage = false;
    const t0 = Date.now();
    await eventually(
      async () => {
        const r = await fetch(`${server.url}/api/health`);
        assert.equal(r.status, 200);
      },
      { timeout: 10_000, interval: 250, message: "/api/health after Postgres came back" },
    );
    const back = await signedIn.page.goto("/account");
    assert.equal(back.status(), 200, "the signed-in page is back");
    await expectVisible(signedIn.page.getByRole("heading", { level: 1, name: "My account" }));
    await t.shot("my account after Postgres came back", signedIn.page);
    // The password did not change during the outage: the original one signs in, from the form the outage left.
    await signedOut.page.getByLabel("Email").fill(user.email);
    await signedOut.page.getByLabel("Password", { exact: true }).fill(user.password);
    await signedOut.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expectUrl(signedOut.page, "/");
    await expectVisible(signedOut.page.getByRole("heading", { level: 1, name: /^Welcome back/ }));
    console.log(`    (recovered ${((Date.now() - t0) / 1000).toFixed(1)} s after Postgres came back)`);
    assert.ok(server.alive(), "the same server process throughout");

    // What the outage wrote to the server log names no bound values (hashes, emails, passwords, numbers).
    const log = server.output();
    assert.match(log, /database unavailable/, "the outage was logged");
    assert.doesNotMatch(log, /params:/, "a failed query was logged with its parameters");
    for (const secret of [user.email, user.password]) assert.ok(!log.includes(secret), "the server log holds the user's email or password");
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    await server?.stop();
    await proxy.stop();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch((e) => console.error(`    could not drop ${dbName}: ${e.message}`));
    await admin.end({ timeout: 5 });
  }
});
