// What an attacker cannot do (ASVS 5.0 3.3, 4.x, 7.2-7.4, 8.2; CVE-2025-29927; GHSA-mq59-m269-xvcx), against the
// production build: security headers, forged-origin and replayed server actions, x-middleware-subrequest,
// oversized bodies, account enumeration, replayed pending and signed-out cookies, and the pending-session table.
//
// Server actions are captured as the browser really sends them (page.on("request")) and replayed with plain
// fetch, with cookies taken from a browser context. Every replay has an allowed twin somewhere in the test
// (the same request, sent the way the app sends it, succeeding), so a refusal proves the guard and not a
// broken replay.
import {
  assert,
  baseURL,
  checkA11y,
  expectHidden,
  expectUrl,
  expectVisible,
  newUser,
  outboxCount,
  readLatestCode,
  signIn,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
  wrongCode,
} from "./lib.mjs";

const EVIL = "https://evil.example";
/** CVE-2025-29927 style values: each once told Next to skip the middleware. */
const SUBREQUEST_VALUES = ["middleware", "proxy", "src/middleware", "src/proxy", "middleware:middleware:middleware:middleware:middleware"];

// ---------------------------------------------------------------- HTTP helpers

/** "name=value; …" for every cookie the context holds (the Cookie header the browser would send). */
async function cookieHeader(context) {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

/** A GET that does not follow redirects; `location` is the redirect's path (with query) or null. */
async function get(path, { cookie, headers = {} } = {}) {
  const res = await fetch(new URL(path, baseURL()), { redirect: "manual", headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const text = await res.text();
  const raw = res.headers.get("location");
  const location = raw ? new URL(raw, baseURL()).pathname + new URL(raw, baseURL()).search : null;
  return { status: res.status, location, text, headers: res.headers };
}

function isRedirect(status) {
  return [301, 302, 303, 307, 308].includes(status);
}

/** Asserts a redirect to `pathname` (any query) and that none of the page's content came with it. */
function assertRedirectTo(res, pathname, what) {
  assert.ok(isRedirect(res.status), `${what}: expected a redirect to ${pathname}, got ${res.status}${res.location ? ` → ${res.location}` : ""}`);
  assert.equal(new URL(res.location, baseURL()).pathname, pathname, `${what}: redirected to the wrong place`);
}

/**
 * Records the first server action the browser posts while `run` executes: its URL, the Next-Action id, the
 * headers the app's client sends, and the multipart body.
 */
async function captureAction(page, run) {
  const seen = [];
  const listener = (request) => {
    if (request.method() === "POST" && request.headers()["next-action"]) seen.push(request);
  };
  page.on("request", listener);
  try {
    await run();
  } finally {
    page.off("request", listener);
  }
  assert.ok(seen.length > 0, "the browser posted no server action");
  const request = seen[0];
  const headers = await request.allHeaders();
  return {
    url: request.url(),
    action: headers["next-action"],
    contentType: headers["content-type"],
    routerState: headers["next-router-state-tree"],
    body: request.postDataBuffer()?.toString("utf8") ?? "",
  };
}

/** The multipart body with one form field's value replaced (React prefixes the names with `_1_` / `1_`). */
function withField(body, name, value) {
  const pattern = new RegExp(`(name="(?:_?\\d+_)?${name}"\\r\\n\\r\\n)[^\\r]*(\\r\\n)`);
  assert.match(body, pattern, `the captured action has a "${name}" field`);
  return body.replace(pattern, (_, head, tail) => `${head}${value}${tail}`);
}

/**
 * Posts a captured action again. `origin: null` sends the literal `Origin: null` (sandboxed iframes, data:
 * URLs); `origin: false` sends none. Returns the status, the text, and where an action redirect points.
 */
async function replay(captured, { cookie, origin = new URL(baseURL()).origin, headers = {}, body = captured.body } = {}) {
  const res = await fetch(captured.url, {
    method: "POST",
    redirect: "manual",
    headers: {
      accept: "text/x-component",
      "content-type": captured.contentType,
      "next-action": captured.action,
      ...(captured.routerState ? { "next-router-state-tree": captured.routerState } : {}),
      ...(origin === false ? {} : { origin: origin === null ? "null" : origin }),
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body,
  });
  const text = await res.text();
  const actionRedirect = res.headers.get("x-action-redirect")?.split(";")[0] ?? null;
  return { status: res.status, text, actionRedirect, setCookie: res.headers.getSetCookie(), headers: res.headers };
}

/**
 * What a form action's own result says when it succeeded. Not a sentence: every page's payload carries the
 * message catalogue (next-intl), so "Password changed" is in a refused action's redirect page too.
 */
const SUCCESS = '"status":"success"';

/** A replayed action was refused: an error status, or the action itself sent the caller to sign in. */
function assertRefused(res, what, { successMarker, redirectTo = /^\/login(\/verify)?([?;]|$)/ } = {}) {
  const refused = res.status >= 400 || (res.actionRedirect !== null && redirectTo.test(res.actionRedirect));
  assert.ok(refused, `${what}: expected a refusal, got ${res.status}${res.actionRedirect ? ` (action redirect ${res.actionRedirect})` : ""}`);
  if (successMarker) assert.ok(!res.text.includes(successMarker), `${what}: the response reports success (${JSON.stringify(successMarker)})`);
  assert.ok(!res.setCookie.some((c) => /authjs\.session-token=[^;]+/.test(c) && !/authjs\.session-token=;/.test(c)), `${what}: no new session cookie`);
  // Production answers without internals: no stack frames or file paths.
  assert.doesNotMatch(res.text, /\bat \S+ \(|node_modules|\.(?:js|ts):\d+:\d+/, `${what}: the response carries a stack trace`);
}

/** Asserts the action ran and reported `marker` (the allowed twin of a refused replay). */
function assertAccepted(res, what, marker) {
  assert.equal(res.status, 200, `${what}: status`);
  assert.equal(res.actionRedirect, null, `${what}: the action redirected to ${res.actionRedirect}`);
  if (marker) assert.ok(res.text.includes(marker), `${what}: the response does not report ${JSON.stringify(marker)}`);
}

// ---------------------------------------------------------------- app flows

/** The My account "Change password" form, captured; afterwards the password is `next`. */
async function captureChangePassword(page, current, next) {
  await page.goto("/account");
  await page.getByLabel("Current password").fill(current);
  await page.getByLabel("New password").fill(next);
  const captured = await captureAction(page, async () => {
    await page.getByRole("button", { name: "Change password" }).click();
    await expectVisible(page.getByText(/^Password changed\./));
  });
  return captured;
}

/** A random Dutch mobile number, +31 61… to +31 65… (unique per test, so the per-number SMS limit never bites). */
function dutchMobile() {
  return `+316${1 + Math.floor(Math.random() * 5)}${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
}

/**
 * Turns SMS MFA on from My account (the number typed with its own +31 prefix). Returns the number and the
 * captured "confirm password" step (an action every signed-in user can call).
 */
async function enableSmsMfa(page, password) {
  const phone = dutchMobile();
  await page.goto("/account");
  await page.getByRole("switch", { name: "Use multi-factor authentication" }).click();
  await page.getByRole("button", { name: "Register", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Register your phone number" });
  await dialog.getByLabel("Current password").fill(password);
  const confirmPassword = await captureAction(page, async () => {
    await dialog.getByRole("button", { name: "Continue" }).click();
    await expectVisible(dialog.getByPlaceholder("Please enter your phone number"));
  });
  await dialog.getByPlaceholder("Please enter your phone number").pressSequentially(phone);
  const before = await outboxCount(page, phone.slice(-8));
  await dialog.getByRole("button", { name: "Send code" }).click();
  await dialog.getByLabel("Verification code").fill(await readLatestCode(page, phone.slice(-8), { after: before }));
  await expectVisible(dialog.getByRole("status").filter({ hasText: "Code confirmed" }));
  await dialog.getByRole("button", { name: "Save" }).click();
  // The first factor comes with backup codes, shown once: confirm they were saved.
  const saved = dialog.getByRole("checkbox", { name: "I have saved these codes" });
  const on = page.getByRole("status").filter({ hasText: "Multi-factor authentication is on." });
  await on.or(saved).first().waitFor();
  if (await saved.isVisible()) {
    await saved.check();
    await dialog.getByRole("button", { name: "Continue" }).click();
  }
  await expectVisible(on);
  return { phone, confirmPassword };
}

/** A new account with SMS MFA on, signed out again. */
async function signedOutUserWithSms(page) {
  const user = newUser();
  await signUp(page, user);
  const { phone } = await enableSmsMfa(page, user.password);
  await signOut(page);
  return { user, phone };
}

/** Signs in with the password only; the page waits at the code challenge. Returns the count of texts before. */
async function signInToChallenge(page, email, password, phone) {
  const before = await outboxCount(page, phone.slice(-8));
  await visit(page, "/login");
  await submitSignIn(page, email, password);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  return before;
}

/** Enters the newest code on the challenge page; returns the captured code post (POST /login/verify/code). */
async function enterCode(page, phone, before) {
  const code = await readLatestCode(page, phone.slice(-8), { after: before });
  await page.getByLabel("Verification code").fill(code);
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/login/verify/code"),
    (async () => {
      await page.getByRole("button", { name: "Verify" }).click();
      await expectUrl(page, "/");
    })(),
  ]);
  const headers = await request.allHeaders();
  return { code, captured: { url: request.url(), contentType: headers["content-type"], body: request.postDataBuffer()?.toString("utf8") ?? "" } };
}

/** Posts a captured code form again, as the page's script does; returns the status, the JSON and any cookies set. */
async function replayCode(captured, { cookie, origin = new URL(baseURL()).origin, body = captured.body } = {}) {
  const res = await fetch(captured.url, {
    method: "POST",
    redirect: "manual",
    headers: { accept: "application/json", "content-type": captured.contentType, origin, ...(cookie ? { cookie } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, setCookie: res.headers.getSetCookie(), contentType: res.headers.get("content-type") };
}

/** Records the sign-in form's post (POST /login/password, URL-encoded, as the page's script sends it) while `run` executes. */
async function captureSignInPost(page, run) {
  const [request] = await Promise.all([page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/login/password"), run()]);
  const headers = await request.allHeaders();
  return { url: request.url(), contentType: headers["content-type"], body: request.postDataBuffer()?.toString("utf8") ?? "" };
}

/** A URL-encoded form body with one field's value replaced. */
function withFormField(body, name, value) {
  const form = new URLSearchParams(body);
  assert.ok(form.has(name), `the captured form has a "${name}" field`);
  form.set(name, value);
  return form.toString();
}

/** Posts a captured sign-in form again, as the page's script does (replayCode), in the shape assertRefused / assertAccepted read. */
async function replaySignIn(captured, options) {
  return { ...(await replayCode(captured, options)), actionRedirect: null };
}

/** The labels on My account's "Recent security activity" card. */
async function activity(page) {
  await page.goto("/account");
  const card = page.locator("section").filter({ has: page.getByRole("heading", { name: "Recent security activity" }) });
  await expectVisible(card);
  return (await card.getByRole("listitem").allInnerTexts()).map((t) => t.split("\n")[0].trim());
}

const count = (list, label) => list.filter((l) => l === label).length;

// ---------------------------------------------------------------- A. headers

/** The CSP as { directive: [sources] }. */
function parseCsp(value) {
  return Object.fromEntries(
    value
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

/** Checks one page response's security headers; returns the script nonce. */
function checkSecurityHeaders(headers, what) {
  const csp = headers.get("content-security-policy");
  assert.ok(csp, `${what}: a Content-Security-Policy header`);
  const policy = parseCsp(csp);
  const scriptSrc = policy["script-src"] ?? policy["default-src"];
  assert.ok(scriptSrc, `${what}: the CSP governs scripts (${csp})`);
  assert.ok(!scriptSrc.includes("'unsafe-inline'"), `${what}: script-src without 'unsafe-inline' (${csp})`);
  assert.ok(!scriptSrc.includes("'unsafe-eval'"), `${what}: script-src without 'unsafe-eval' in production (${csp})`);
  assert.ok(!scriptSrc.some((s) => s === "*" || /^https?:$/.test(s)), `${what}: script-src allows no host wildcard (${csp})`);
  const nonces = scriptSrc.filter((s) => /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(s));
  assert.equal(nonces.length, 1, `${what}: script-src carries one nonce (${csp})`);
  assert.deepEqual(policy["frame-ancestors"], ["'none'"], `${what}: frame-ancestors 'none'`);
  assert.deepEqual(policy["object-src"], ["'none'"], `${what}: object-src 'none'`);
  assert.ok(policy["base-uri"], `${what}: base-uri is restricted`);

  const hsts = headers.get("strict-transport-security") ?? "";
  const maxAge = Number(hsts.match(/max-age=(\d+)/)?.[1]);
  assert.ok(maxAge >= 31_536_000, `${what}: HSTS with max-age of a year or more (got ${JSON.stringify(hsts)})`);
  assert.ok(
    ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"].includes(headers.get("referrer-policy")),
    `${what}: a Referrer-Policy that keeps paths on this site (got ${headers.get("referrer-policy")})`,
  );
  assert.equal(headers.get("x-content-type-options"), "nosniff", `${what}: X-Content-Type-Options`);
  assert.equal(headers.get("x-powered-by"), null, `${what}: no X-Powered-By`);
  return nonces[0].slice("'nonce-".length, -1);
}

/** Every <script> tag in the HTML, with its nonce attribute. */
function scriptTags(html) {
  return [...html.matchAll(/<script\b([^>]*)>/gi)].map((m) => ({ tag: m[0].slice(0, 120), nonce: m[1].match(/\bnonce="([^"]*)"/)?.[1] ?? null }));
}

test("Headers: CSP with a per-request nonce (no unsafe-inline), frame-ancestors 'none', HSTS, Referrer-Policy, nosniff, secure cookies", async ({
  page,
  context,
}) => {
  // Signed out: the sign-in page, read raw.
  const first = await get("/login");
  assert.equal(first.status, 200);
  const nonce = checkSecurityHeaders(first.headers, "GET /login");
  const scripts = scriptTags(first.text);
  assert.ok(scripts.length > 0, "the page has scripts");
  for (const s of scripts) assert.equal(s.nonce, nonce, `every <script> carries the header's nonce: ${s.tag}`);
  const second = await get("/login");
  assert.notEqual(checkSecurityHeaders(second.headers, "GET /login again"), nonce, "a new nonce for every response");

  // Signed in, in the browser: the app's own page loads under that policy with no CSP violation
  // (a refused script would show up as a console error and fail the test).
  const user = newUser();
  await signUp(page, user);
  const response = await page.goto("/account");
  const headers = new Headers(await response.allHeaders());
  const pageNonce = checkSecurityHeaders(headers, "GET /account (signed in)");
  const inPage = await page.evaluate(() => [...document.scripts].map((s) => ({ src: s.src || "(inline)", nonce: s.nonce })));
  assert.ok(inPage.length > 0);
  // Scripts the server rendered carry the nonce; Next may add more later (allowed by 'strict-dynamic').
  const rendered = scriptTags(await response.text());
  for (const s of rendered) assert.equal(s.nonce, pageNonce, `server-rendered <script> with the nonce: ${s.tag}`);
  assert.ok(inPage.filter((s) => s.nonce === pageNonce).length >= rendered.length, "the browser sees the same nonce on the page's scripts");
  await expectVisible(page.getByRole("heading", { level: 1, name: "My account" }));
  // The page is interactive, so its scripts ran: the avatar menu opens.
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await expectVisible(page.getByRole("menu"));

  // Cookies (ASVS 5.0 3.3.1-3.3.4): HttpOnly, Secure, SameSite=Lax and a __Secure-/__Host- prefix in production.
  const session = (await context.cookies()).find((c) => /authjs\.session-token$/.test(c.name));
  assert.ok(session, "a session cookie");
  assert.match(session.name, /^__(Secure|Host)-/, "the session cookie has a __Secure- or __Host- prefix");
  assert.equal(session.httpOnly, true, "HttpOnly");
  assert.equal(session.secure, true, "Secure");
  assert.equal(session.sameSite, "Lax", "SameSite=Lax");

  // The health endpoint (outside the proxy) still gets the static headers.
  const health = await get("/api/health");
  assert.equal(health.headers.get("x-content-type-options"), "nosniff");
  assert.ok(health.headers.get("strict-transport-security"));
});

// ---------------------------------------------------------------- B1. forged origin

test("Attack: a server action posted with Origin https://evil.example or Origin null is refused; from the app's origin it works", async ({
  page,
  context,
  shot,
}) => {
  const user = newUser();
  await signUp(page, user);
  const p1 = `${user.password} one`;
  const p2 = `${user.password} two`;
  const captured = await captureChangePassword(page, user.password, p1);
  const cookie = await cookieHeader(context);
  const body = withField(withField(captured.body, "currentPassword", p1), "newPassword", p2);

  for (const [origin, label] of [
    [EVIL, "Origin: https://evil.example"],
    [null, "Origin: null"],
    ["http://127.0.0.1.evil.example", "Origin: a look-alike host"],
  ]) {
    assertRefused(await replay(captured, { cookie, origin, body }), label, { successMarker: SUCCESS });
    assertRefused(await replay(captured, { cookie, origin, body, headers: { "x-middleware-subrequest": SUBREQUEST_VALUES.at(-1) } }), `${label} + x-middleware-subrequest`, {
      successMarker: SUCCESS,
    });
  }
  // Refused even when the status were ignored: nothing changed, the password is still p1.
  const events = await activity(page);
  assert.equal(count(events, "Password changed"), 1, `one password change so far (activity: ${events.join(" | ")})`);

  // The allowed twin: the very same request from the app's own origin changes the password.
  assertAccepted(await replay(captured, { cookie, body }), "the same request with the app's Origin", SUCCESS);
  await signOut(page);
  await signIn(page, { ...user, password: p2 });
  await shot("signed in with the password the allowed replay set");
});

// ---------------------------------------------------------------- B2. x-middleware-subrequest

test("Attack: x-middleware-subrequest reaches nothing it would not reach without it (signed out, pending MFA, replayed actions)", async ({
  page,
  context,
}) => {
  const browser = context.browser();
  // Signed out: every protected page redirects to sign-in, with or without the header.
  for (const path of ["/", "/account", "/account/mfa-setup", "/org/settings"]) {
    const plain = await get(path);
    assertRedirectTo(plain, "/login", `signed-out GET ${path}`);
    for (const value of SUBREQUEST_VALUES) {
      const res = await get(path, { headers: { "x-middleware-subrequest": value } });
      assert.equal(res.status, plain.status, `signed-out GET ${path} with x-middleware-subrequest: ${value}`);
      assert.equal(res.location, plain.location, `signed-out GET ${path} with x-middleware-subrequest: ${value}`);
      assert.doesNotMatch(res.text, /My account|Welcome back|Organisation settings/);
    }
  }

  // A user with SMS MFA; the confirm-password step of My account is the action replayed below.
  const user = newUser();
  await signUp(page, user);
  const { phone, confirmPassword } = await enableSmsMfa(page, user.password);
  const full = await cookieHeader(context);
  assertAccepted(await replay(confirmPassword, { cookie: full }), "confirm password, signed in", '"status":"ok"');

  // A second browser at the code challenge: a pending session.
  const other = await browser.newContext({ baseURL: baseURL(), locale: "en-US" });
  try {
    const pendingPage = await other.newPage();
    await signInToChallenge(pendingPage, user.email, user.password, phone);
    const pending = await cookieHeader(other);
    for (const path of ["/", "/account", "/org/settings"]) {
      const plain = await get(path, { cookie: pending });
      assertRedirectTo(plain, "/login/verify", `pending GET ${path}`);
      for (const value of SUBREQUEST_VALUES) {
        const res = await get(path, { cookie: pending, headers: { "x-middleware-subrequest": value } });
        assert.equal(`${res.status} ${res.location}`, `${plain.status} ${plain.location}`, `pending GET ${path} with x-middleware-subrequest: ${value}`);
        assert.doesNotMatch(res.text, /My account|Welcome back/);
      }
    }
    // Replayed actions with the header: pending cookie, no cookie, and a forged origin with the full cookie.
    for (const value of SUBREQUEST_VALUES) {
      const h = { "x-middleware-subrequest": value };
      assertRefused(await replay(confirmPassword, { cookie: pending, headers: h }), `confirm password, pending, ${value}`, { successMarker: '"status":"ok"' });
      assertRefused(await replay(confirmPassword, { headers: h }), `confirm password, no cookie, ${value}`, { successMarker: '"status":"ok"' });
      assertRefused(await replay(confirmPassword, { cookie: full, origin: EVIL, headers: h }), `confirm password, forged origin, ${value}`, {
        successMarker: '"status":"ok"',
      });
    }
  } finally {
    await other.close();
  }
});

// ---------------------------------------------------------------- B3. oversized body

test("Attack: a 2 MB body to the sign-in form is refused before any password is checked", async ({ page, context, shot }) => {
  const user = newUser();
  await signUp(page, user);
  await context.clearCookies();

  // The sign-in form as the browser's script posts it (an unknown email, so nothing is recorded for the user).
  await visit(page, "/login");
  const captured = await captureSignInPost(page, async () => {
    await submitSignIn(page, `nobody.${Date.now()}@example.com`, "not-the-password");
    await expectVisible(page.getByRole("alert").filter({ hasText: "The email or password is not right." }));
  });
  // The user's email with a wrong password: six of these, if checked, would throttle the account.
  const wrong = withFormField(withFormField(captured.body, "email", user.email), "password", "not-the-password");
  const huge = `${wrong}&padding=${"a".repeat(2 * 1024 * 1024)}`;
  assert.ok(Buffer.byteLength(huge) > 2 * 1024 * 1024);
  for (let i = 0; i < 6; i += 1) {
    const t0 = Date.now();
    const res = await replaySignIn(captured, { body: huge });
    const ms = Date.now() - t0;
    assert.ok(res.status >= 400, `a 2 MB body is refused (got ${res.status} after ${ms} ms)`);
    assert.doesNotMatch(res.text, /email or password|Too many failed sign-ins/, "the action never ran");
    assertRefused(res, "2 MB sign-in body");
    if (i === 0) console.log(`    (2 MB body refused with ${res.status} in ${ms} ms)`);
  }

  // Nothing was checked or counted: the right password works at once, with no throttling message, and the
  // activity shows no failed sign-in.
  await visit(page, "/login");
  await submitSignIn(page, user.email, user.password);
  await expectUrl(page, "/");
  assert.equal(await page.getByText(/Too many failed sign-ins/).count(), 0);
  const events = await activity(page);
  assert.equal(count(events, "Sign-in failed: wrong password"), 0, `no failed sign-in recorded (activity: ${events.join(" | ")})`);
  await shot("activity without failed sign-ins");

  // The allowed twin: the same body without the padding is checked (and fails as a wrong password).
  const twin = await replaySignIn(captured, { body: wrong });
  assertAccepted(twin, "the same sign-in without the padding", '"formError":"The email or password is not right."');
  assert.equal(count(await activity(page), "Sign-in failed: wrong password"), 1, "…and that one is recorded");
});

// ---------------------------------------------------------------- B4. enumeration

test("Attack: an unknown email and a wrong password get the same status and the same body", async ({ page, context }) => {
  const user = newUser();
  await signUp(page, user);
  await context.clearCookies();
  await visit(page, "/login");
  const probe = `nobody.${Date.now()}@example.com`;
  const captured = await captureSignInPost(page, async () => {
    await submitSignIn(page, probe, "not-the-password");
    await expectVisible(page.getByRole("alert").filter({ hasText: "The email or password is not right." }));
  });

  // Same length as the real address, so no length prefix in the payload differs either.
  const unknown = `${"x".repeat(user.email.length - "@example.com".length)}@example.com`;
  const answers = [];
  for (const email of [user.email, unknown]) {
    const res = await replaySignIn(captured, { body: withFormField(captured.body, "email", email) });
    answers.push({
      email,
      status: res.status,
      contentType: res.contentType,
      redirect: res.actionRedirect,
      cookies: res.setCookie.map((c) => c.split("=")[0]).sort(),
      // The form echoes the email back so it stays filled in: that is the caller's own input.
      body: res.text.split(email).join("<email>"),
    });
  }
  const [wrongPassword, unknownEmail] = answers;
  assert.equal(wrongPassword.status, 200);
  assert.ok(wrongPassword.body.includes("The email or password is not right."), wrongPassword.body.slice(0, 500));
  assert.equal(unknownEmail.status, wrongPassword.status, "same status");
  assert.equal(unknownEmail.contentType, wrongPassword.contentType, "same content type");
  assert.equal(unknownEmail.redirect, wrongPassword.redirect, "same redirect (none)");
  assert.deepEqual(unknownEmail.cookies, wrongPassword.cookies, "same cookies set");
  assert.equal(unknownEmail.body, wrongPassword.body, "same body");
});

test("Attack: 30 wrong passwords posted at once reach bcrypt at most 5 times; the rest and then the right password are told to wait", async ({ page, context }) => {
  const user = newUser();
  await signUp(page, user);
  await context.clearCookies();
  await visit(page, "/login");
  const captured = await captureSignInPost(page, async () => {
    await submitSignIn(page, user.email, "not-the-password-0");
    await expectVisible(page.getByRole("alert").filter({ hasText: "The email or password is not right." }));
  });
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  // The same browser (its device id cookie) sends 30 more at once; one failure is already counted.
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => replaySignIn(captured, { cookie, body: withFormField(captured.body, "password", `not-the-password-${i + 1}`) })),
  );
  const wrong = answers.filter((a) => a.text.includes("The email or password is not right.")).length;
  const waiting = answers.filter((a) => a.text.includes("Too many failed sign-ins")).length;
  console.log(`    (30 at once: ${wrong} checked and wrong, ${waiting} told to wait)`);
  assert.ok(wrong <= 4, `at most 4 more passwords checked, got ${wrong}`);
  assert.equal(wrong + waiting, 30, "every answer is one of the two");
  const right = await replaySignIn(captured, { cookie, body: withFormField(captured.body, "password", user.password) });
  assert.ok(right.text.includes("Too many failed sign-ins"), "the right password waits too");
  assert.ok(!right.setCookie.some((c) => /authjs\.session-token=[^;]+/.test(c) && !/authjs\.session-token=;/.test(c)), "no session");
});

// ---------------------------------------------------------------- B5. replayed cookies

test("Attack: the pending-MFA cookie replayed after the code was accepted is refused; a signed-out cookie replayed is refused", async ({
  page,
  context,
}) => {
  const { user, phone } = await signedOutUserWithSms(page);

  const before = await signInToChallenge(page, user.email, user.password, phone);
  const pending = await cookieHeader(context);
  assertRedirectTo(await get("/account", { cookie: pending }), "/login/verify", "pending cookie before the code");
  assert.equal((await get("/login/verify", { cookie: pending })).status, 200, "the pending cookie opens the challenge");

  const { code, captured: verify } = await enterCode(page, phone, before);
  const full = await cookieHeader(context);
  // The verified session's cookie (set by the code step itself) has the same attributes as the password step's.
  const sessionCookie = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  assert.ok(sessionCookie, "a session cookie after the code");
  assert.equal(sessionCookie.name, "__Secure-authjs.session-token", "the __Secure- prefix in production");
  assert.deepEqual([sessionCookie.httpOnly, sessionCookie.secure, sessionCookie.sameSite, sessionCookie.path], [true, true, "Lax", "/"], "HttpOnly, Secure, SameSite=Lax, path /");
  assert.notEqual(full, pending, "a new session cookie after the code");

  // The pre-MFA cookie is dead everywhere: not the app, not even the challenge.
  for (const path of ["/", "/account", "/login/verify"]) assertRedirectTo(await get(path, { cookie: pending }), "/login", `old pending cookie, GET ${path}`);
  // Its code post, replayed with the code that worked, gives no session: it is sent to sign in.
  assert.equal(new URLSearchParams(verify.body).get("code"), code, "the captured post carries the code");
  const again = await replayCode(verify, { cookie: pending });
  assert.equal(again.status, 200, `the replayed code post is answered (${again.status})`);
  assert.deepEqual(JSON.parse(again.text), { status: "redirect", to: "/login" }, "the replayed code post is sent to sign in");
  assert.deepEqual(again.setCookie, [], "the replayed code post sets no cookie");
  // From another site, or with the full cookie, the same post is refused too.
  assert.equal((await replayCode(verify, { cookie: pending, origin: "https://evil.example" })).status, 403, "the code post from another origin");
  assert.deepEqual(JSON.parse((await replayCode(verify, { cookie: full })).text), { status: "redirect", to: "/" }, "the code post once signed in");

  // Signed in; then signed out: that cookie is dead too, for pages and for actions.
  const account = await get("/account", { cookie: full });
  assert.equal(account.status, 200, "the new cookie opens My account");
  const p1 = `${user.password} one`;
  const change = await captureChangePassword(page, user.password, p1);
  const beforeSignOut = await cookieHeader(context);
  await signOut(page);
  for (const path of ["/", "/account", "/org/settings"]) assertRedirectTo(await get(path, { cookie: beforeSignOut }), "/login", `signed-out cookie, GET ${path}`);
  const body = withField(withField(change.body, "currentPassword", p1), "newPassword", `${user.password} two`);
  assertRefused(await replay(change, { cookie: beforeSignOut, body }), "change password with the signed-out cookie", { successMarker: SUCCESS });

  // Nothing changed: p1 is still the password (the sign-in reaches the code step).
  await signInToChallenge(page, user.email, p1, phone);
});

// ---------------------------------------------------------------- B6. the pending table

test("Attack: while pending (password done, no code yet) every page and action refuses; /api/health stays public", async ({
  page,
  context,
  shot,
}) => {
  const browser = context.browser();
  const user = newUser();
  await signUp(page, user);

  // Captured while fully signed in: sign out all other sessions (needs another session to show up) …
  const extra = await browser.newContext({ baseURL: baseURL(), locale: "en-US" });
  await signIn(await extra.newPage(), user);
  await extra.close();
  await page.goto("/account");
  const signOutOthers = await captureAction(page, async () => {
    await page.getByRole("button", { name: "Sign out all other sessions" }).click();
    await expectHidden(page.getByRole("button", { name: "Sign out all other sessions" }));
  });
  // … change password …
  const p1 = `${user.password} one`;
  const changePassword = await captureChangePassword(page, user.password, p1);
  // … rename the organisation …
  await page.goto("/org/settings");
  const renamed = `Renamed ${Date.now()}`;
  await page.getByLabel("Organisation name").fill(renamed);
  const rename = await captureAction(page, async () => {
    await page.getByRole("button", { name: "Save name" }).click();
    await expectVisible(page.getByText("Organisation name saved."));
  });
  // … and the MFA registration's confirm-password step.
  const { phone, confirmPassword } = await enableSmsMfa(page, p1);
  const full = await cookieHeader(context);

  // A second browser signs in with the password only.
  const other = await browser.newContext({ baseURL: baseURL(), locale: "en-US" });
  try {
    const pendingPage = await other.newPage();
    await signInToChallenge(pendingPage, user.email, p1, phone);
    await shot("pending at the challenge", pendingPage);
    const pending = await cookieHeader(other);

    // Pages: all go to the challenge (and the headers of B2 change nothing).
    const table = [];
    for (const path of ["/", "/account", "/account/mfa-setup", "/org/settings", "/org/settings?tab=members", "/signup", "/login"]) {
      const res = await get(path, { cookie: pending });
      const tricked = await get(path, { cookie: pending, headers: { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" } });
      table.push(`${path} → ${res.status} ${res.location}`);
      assertRedirectTo(res, "/login/verify", `pending GET ${path}`);
      assertRedirectTo(tricked, "/login/verify", `pending GET ${path} with x-middleware-subrequest`);
    }
    // The challenge itself and the public health check answer.
    assert.equal((await get("/login/verify", { cookie: pending })).status, 200, "pending GET /login/verify");
    const health = await get("/api/health", { cookie: pending });
    assert.equal(health.status, 200, "GET /api/health is public");
    assert.deepEqual(JSON.parse(health.text), { ok: true }, "…and says nothing about the user");

    // Actions captured from the full session, sent with the pending cookie.
    const actions = [
      ["change password", changePassword, withField(withField(changePassword.body, "currentPassword", p1), "newPassword", `${user.password} two`), SUCCESS],
      ["sign out all other sessions", signOutOthers, signOutOthers.body, null],
      ["rename the organisation", rename, withField(rename.body, "name", "Taken over"), SUCCESS],
      ["confirm password (MFA step-up)", confirmPassword, confirmPassword.body, '"status":"ok"'],
    ];
    for (const [name, captured, body, marker] of actions) {
      const res = await replay(captured, { cookie: pending, body });
      table.push(`${name} → ${res.status} ${res.actionRedirect ?? ""}`);
      assertRefused(res, `pending: ${name}`, { successMarker: marker ?? undefined });
    }
    console.log(`    ${table.join("\n    ")}`);

    // No effect: the first browser is still signed in, the password and the organisation name are unchanged.
    const events = await activity(page);
    assert.equal(count(events, "Password changed"), 1, `one password change (activity: ${events.join(" | ")})`);
    assert.equal(count(events, "Signed out all other sessions"), 1, "one sign-out of the others");
    await page.goto("/org/settings");
    assert.equal(await page.getByLabel("Organisation name").inputValue(), renamed, "the organisation name is unchanged");
    await checkA11y(page, "organisation settings after the replays");

    // The pending browser can still finish with its code: the refusals ended nothing.
    const code = await readLatestCode(page, phone.slice(-8));
    await pendingPage.getByLabel("Verification code").fill(code);
    await pendingPage.getByRole("button", { name: "Verify" }).click();
    await expectUrl(pendingPage, "/");

    // The allowed twins: the same requests with the full session's cookie work.
    assertAccepted(await replay(rename, { cookie: full, body: withField(rename.body, "name", `${renamed} again`) }), "rename, signed in", SUCCESS);
    assertAccepted(await replay(confirmPassword, { cookie: full }), "confirm password, signed in", '"status":"ok"');
    assertAccepted(await replay(signOutOthers, { cookie: full }), "sign out others, signed in");
    assertRedirectTo(await get("/account", { cookie: await cookieHeader(other) }), "/login", "the other browser was signed out by the allowed twin");
  } finally {
    await other.close();
  }
});

// ---------------------------------------------------------------- C. without JavaScript

test("Without JavaScript: the password step and the code challenge work as plain forms (a wrong code is explained, the right one signs in)", async ({
  page,
  context,
  shot,
}) => {
  const { user, phone } = await signedOutUserWithSms(page);

  const noJs = await context.browser().newContext({ baseURL: baseURL(), locale: "en-US", javaScriptEnabled: false });
  try {
    const plain = await noJs.newPage();
    const before = await outboxCount(page, phone.slice(-8));
    await plain.goto("/login");
    await submitSignIn(plain, user.email, user.password);
    await expectVisible(plain.getByRole("heading", { level: 1, name: "Check your phone" }));
    await expectUrl(plain, "/login/verify");
    await shot("challenge without JavaScript", plain);

    const code = await readLatestCode(page, phone.slice(-8), { after: before });
    await plain.getByLabel("Verification code").fill(wrongCode(code));
    await plain.getByRole("button", { name: "Verify" }).click();
    // The browser posted the form itself and followed the 303 back to the challenge, which says why.
    await expectVisible(plain.getByText(/That code is not right\..* 4 tries left\./));
    assert.equal(new URL(plain.url()).searchParams.get("error"), "code_wrong");
    await shot("wrong code without JavaScript", plain);

    await plain.getByLabel("Verification code").fill(code);
    await plain.getByRole("button", { name: "Verify" }).click();
    await expectUrl(plain, "/");
    await expectVisible(plain.getByRole("heading", { level: 1, name: /^Welcome back/ }));
    await shot("signed in without JavaScript", plain);
  } finally {
    await noJs.close();
  }
});
