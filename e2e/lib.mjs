// Helpers for the browser suite: a tiny test registry, Chromium via playwright-core, screenshots,
// axe-core checks, polling assertions and the flows every test needs (sign up, sign in, outbox codes).
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.join(here, "screenshots");
const AXE_SOURCE = fs.readFileSync(path.join(here, "..", "node_modules", "axe-core", "axe.min.js"), "utf8");

export { assert };

/** Set by run.mjs before the test files load. */
export function baseURL() {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error("E2E_BASE_URL is not set: run the suite with `npm run test:e2e`");
  return url;
}

/** A TCP port on 127.0.0.1 that nothing listens on now, for a second server a test starts itself. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- registry

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** @type {{ name: string, fn: (t: TestContext) => Promise<void>, viewport: {width:number,height:number}, file?: string }[]} */
export const tests = [];

/**
 * Registers a test. It runs in a fresh browser context (no cookies) with `t.page` open.
 * @param {string} name
 * @param {(t: TestContext) => Promise<void>} fn
 * @param {{ viewport?: {width:number,height:number}, locale?: string }} [options] locale: the browser's language (Accept-Language, navigator.language); en-US unless given
 */
export function test(name, fn, options = {}) {
  tests.push({ name, fn, viewport: options.viewport ?? DESKTOP, locale: options.locale ?? "en-US", file: process.env.E2E_CURRENT_FILE });
}

// ---------------------------------------------------------------- browser

/** The flags Debian's Chromium needs in a container (no sandbox, no GPU, no background network). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // The app is opened at localhost (a passkey's RP ID must be a domain); the server listens on 127.0.0.1 only.
  "--host-resolver-rules=MAP localhost 127.0.0.1",
];

export function launchBrowser() {
  // playwright-core gives every launch a fresh temporary user-data dir.
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export function slug(text) {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);
}

/**
 * @typedef {object} TestContext
 * @property {import('playwright-core').Page} page
 * @property {import('playwright-core').BrowserContext} context
 * @property {(name: string, page?: import('playwright-core').Page) => Promise<string>} shot
 *   saves e2e/screenshots/<test>/<NN>-<name>.png (full page; the viewport while a modal dialog is open)
 * @property {string[]} problems  console errors, page errors and failed soft checks seen so far
 * @property {(promise: Promise<unknown> | (() => Promise<unknown>), what: string) => Promise<boolean>} soft
 *   runs an assertion that fails the test at its end instead of stopping it, so the steps after it still run
 */

/** A fresh context and page for one test; collects console errors and uncaught page errors. */
export async function createTestContext(browser, testCase) {
  const context = await browser.newContext({
    baseURL: baseURL(),
    viewport: testCase.viewport,
    locale: testCase.locale ?? "en-US",
    // A phone-width run is a touch device too, so it also exercises tap paths.
    ...(testCase.viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  const problems = [];
  const watch = (page) => {
    page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const text = msg.text();
      // An expected 4xx on purpose (e.g. a signed-out fetch) shows up as a bare resource error; keep CSP and script errors.
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
      problems.push(`console error on ${page.url()}: ${text}`);
    });
  };
  context.on("page", watch);
  const page = await context.newPage();
  const dir = path.join(SCREENSHOT_DIR, slug(testCase.name));
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  // shot("name") or shot("name", otherPage); shot(page, "name") works too.
  const shot = async (name, target = page) => {
    if (typeof name !== "string") [name, target] = [target, name];
    n += 1;
    const file = path.join(dir, `${String(n).padStart(2, "0")}-${slug(name)}.png`);
    // Full page, except while a modal dialog is open: its backdrop covers only the viewport, so show that.
    const modal = await target.evaluate(() => Boolean(document.querySelector("dialog:modal")));
    await target.screenshot({ path: file, fullPage: !modal });
    return file;
  };
  const soft = async (assertion, what) => {
    try {
      await (typeof assertion === "function" ? assertion() : assertion);
      return true;
    } catch (error) {
      problems.push(`${what}: ${error.message.split("\n")[0]}`);
      return false;
    }
  };
  return { page, context, shot, problems, soft };
}

// ---------------------------------------------------------------- polling assertions

/** Retries `fn` until it stops throwing (or returns without throwing) or the timeout passes. */
export async function eventually(fn, { timeout = 10_000, interval = 100, message } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      if (message) last.message = `${message}: ${last.message}`;
      throw last;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits for the page URL to match: a path ("/account"), a path with query, or a predicate on URL. */
export async function expectUrl(page, expected, timeout = 15_000) {
  const matches = (u) => {
    const url = new URL(u);
    if (typeof expected === "function") return expected(url);
    return expected.includes("?") ? url.pathname + url.search === expected : url.pathname === expected;
  };
  await page.waitForURL(matches, { timeout }).catch(() => {
    throw new Error(`expected URL ${expected}, got ${page.url()}`);
  });
}

export async function expectVisible(locator, timeout) {
  await locator.waitFor({ state: "visible", timeout });
}

export async function expectHidden(locator, timeout) {
  await locator.waitFor({ state: "hidden", timeout });
}

/** Waits until the locator's text matches the string (contains) or RegExp. */
export async function expectText(locator, expected, timeout = 10_000) {
  await eventually(
    async () => {
      const text = (await locator.textContent({ timeout: 1_000 })).replace(/\s+/g, " ").trim();
      if (expected instanceof RegExp) assert.match(text, expected);
      else assert.ok(text.includes(expected), `expected text ${JSON.stringify(expected)} in ${JSON.stringify(text)}`);
      return text;
    },
    { timeout },
  );
}

export async function expectAttribute(locator, name, value, timeout = 10_000) {
  await eventually(async () => assert.equal(await locator.getAttribute(name, { timeout: 1_000 }), value, `attribute ${name}`), { timeout });
}

/** Waits until the element has keyboard focus. */
export async function expectFocused(locator, timeout = 5_000) {
  await eventually(
    async () => {
      const focused = await locator.evaluate((el) => el === document.activeElement, undefined, { timeout: 1_000 });
      if (!focused) {
        const active = await locator.page().evaluate(() => {
          const el = document.activeElement;
          return el ? `<${el.tagName.toLowerCase()}> ${el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 40)}` : "nothing";
        });
        throw new Error(`expected focus on the element, but focus is on ${active}`);
      }
    },
    { timeout },
  );
}

// ---------------------------------------------------------------- accessibility

/**
 * Runs axe-core on the current page and fails on any serious or critical violation.
 * The app's CSP allows only nonce'd scripts, so a <script> tag added by the test (addScriptTag) would be
 * refused; page.evaluate runs over the DevTools protocol, which CSP does not govern.
 */
export async function checkA11y(page, label = "") {
  // After a client-side navigation Next streams the new <title> in a moment later; give it that moment.
  await page.waitForFunction(() => document.title.trim() !== "", undefined, { timeout: 3_000 }).catch(() => {});
  const loaded = await page.evaluate(() => typeof window.axe === "object");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // Colour transitions (buttons fading from their pending colour) would be measured mid-way: end them first.
    for (const animation of document.getAnimations()) animation.finish();
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      }));
  });
  if (violations.length === 0) return;
  const where = `${new URL(page.url()).pathname}${label ? ` (${label})` : ""}`;
  const lines = violations.flatMap((v) => [
    `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.map((n) => `      element: ${n.target}\n        ${String(n.summary).replace(/\n/g, "\n        ")}`),
  ]);
  throw new Error(`accessibility violations on ${where}:\n${lines.join("\n")}`);
}

/** Navigates and checks the page that arrived. */
export async function visit(page, url, label) {
  const response = await page.goto(url);
  await page.waitForLoadState("load");
  await checkA11y(page, label);
  return response;
}

// ---------------------------------------------------------------- people

let counter = 0;

/** A new person with a unique email; the name has a diacritic on purpose. */
export function newUser(overrides = {}) {
  counter += 1;
  const id = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: "Zoë van Dam",
    initials: "ZD",
    email: `zoe.${id}@example.com`,
    password: `correct horse ${id}`,
    organisation: `Dam Research ${id}`,
    ...overrides,
  };
}

export const DEMO_ADMIN = { name: "Anna de Vries", initials: "AV", email: "admin@acme.test", password: "demo-admin-pass", organisation: "Acme Feedback" };
export const DEMO_MEMBER = { name: "Milan Jansen", initials: "MJ", email: "member@acme.test", password: "demo-member-pass", organisation: "Acme Feedback" };

export async function fillSignUp(page, user) {
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByLabel("Organisation name").fill(user.organisation);
}

/**
 * Signs up through the form as a person does: "Check your inbox", the link from the email in the outbox,
 * then the first sign-in; waits for the home page.
 */
export async function signUp(page, user, shot) {
  await visit(page, "/signup", "sign-up form");
  await fillSignUp(page, user);
  if (shot) await shot("sign-up form filled");
  await page.getByRole("button", { name: "Create account" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your inbox" }));
  if (shot) await shot("sign-up check your inbox");
  await confirmEmail(page, user.email);
  await page.getByRole("link", { name: "Sign in" }).click();
  await expectUrl(page, "/login?notice=verified");
  await submitSignIn(page, user.email, user.password);
  await expectUrl(page, "/");
  await expectVisible(page.getByRole("heading", { level: 1, name: `Welcome back, ${user.name.split(" ")[0]}` }));
  await checkA11y(page, "home after sign-up");
}

/** Opens the newest confirmation link sent to `email` (from the dev outbox) in this page. */
export async function confirmEmail(page, email) {
  const message = await latestEmail(page, email, { template: "verify_email" });
  const link = message.links.find((href) => href.includes("/verify-email/"));
  assert.ok(link, "the confirmation email carries a /verify-email/ link");
  await page.goto(link);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Your email address is confirmed" }));
}

/** Fills the sign-in form (the page must be /login) and submits it. */
export async function submitSignIn(page, email, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Signs in from /login and waits until the browser left the sign-in page. */
export async function signIn(page, user, { expectPath = "/" } = {}) {
  if (new URL(page.url()).pathname !== "/login") await visit(page, "/login", "sign-in form");
  await submitSignIn(page, user.email, user.password);
  await expectUrl(page, expectPath);
  await checkA11y(page, `after sign-in at ${expectPath}`);
}

export function avatarButton(page) {
  return page.getByRole("button", { name: /^Account menu/ });
}

/** Opens the avatar menu with the mouse and returns the menu. */
export async function openAvatarMenu(page) {
  await avatarButton(page).click();
  const menu = page.getByRole("menu");
  await expectVisible(menu);
  return menu;
}

/** Signs out through the avatar menu and waits for the sign-in page with its notice. */
export async function signOut(page) {
  const menu = await openAvatarMenu(page);
  await menu.getByRole("menuitem", { name: "Sign out" }).click();
  await expectUrl(page, "/login?notice=signed_out");
  await expectText(page.getByRole("status").filter({ hasText: "signed out" }), "You have signed out.");
  await checkA11y(page, "signed out");
}

/** The Profile card's <dl> as { Name: ..., Email: ... }, read through the term/definition roles. */
export async function profileRows(page) {
  // The card is an unnamed <section> (no region role), so it is found by the heading it holds.
  const card = page.locator("section").filter({ has: page.getByRole("heading", { level: 2, name: "Profile", exact: true }) });
  const terms = await card.getByRole("term").allTextContents();
  // The value only: a row's buttons ("Change") and its status line (a pending change) are not part of it.
  const defs = await card.getByRole("definition").evaluateAll((els) =>
    els.map((el) => {
      const copy = el.cloneNode(true);
      for (const extra of copy.querySelectorAll("button, [role=status]")) extra.remove();
      return copy.textContent;
    }),
  );
  return Object.fromEntries(terms.map((t, i) => [t.trim(), (defs[i] ?? "").trim()]));
}

// ---------------------------------------------------------------- SMS outbox

/** One cookie-less context per browser for reading the outbox, so it never depends on the test's session. */
const outboxContexts = new WeakMap();
async function outboxContext(page) {
  const browser = page.context().browser();
  // The outbox of the server the page is on (a test may start a second server of its own).
  const url = page.url();
  const origin = url.startsWith("http") ? new URL(url).origin : baseURL();
  const key = `${origin}`;
  let byOrigin = outboxContexts.get(browser);
  if (!byOrigin) {
    byOrigin = new Map();
    outboxContexts.set(browser, byOrigin);
  }
  let context = byOrigin.get(key);
  if (!context) {
    context = await browser.newContext({ baseURL: origin });
    byOrigin.set(key, context);
  }
  return context;
}

/**
 * Every message in /dev/outbox (newest first). Read in a tab of its own, signed-out context; pass
 * `{ sameContext: true }` to read it in a new tab of the test's own context instead (as a developer would).
 */
export async function outboxMessages(page, { sameContext = false } = {}) {
  const context = sameContext ? page.context() : await outboxContext(page);
  const tab = await context.newPage();
  try {
    const response = await tab.goto("/dev/outbox?tab=sms");
    assert.equal(response?.status(), 200, "/dev/outbox must answer 200 (is ALLOW_DEV_OUTBOX=true set?)");
    await expectVisible(tab.getByRole("heading", { level: 2, name: "Text messages" }));
    const items = tab.getByRole("list", { name: "Messages" }).getByRole("listitem");
    const texts = (await items.count()) > 0 ? await items.allInnerTexts() : [];
    return texts.map((text) => {
      const to = text.match(/To\s+(\+\d+)/)?.[1] ?? "";
      const code = text.match(/your verification code is (\d{6})/)?.[1] ?? null;
      const origin = text.match(/^@(\S+) #(\d{6})\s*$/m);
      return { to, code, originHost: origin?.[1] ?? null, originCode: origin?.[2] ?? null, text };
    });
  } finally {
    await tab.close();
  }
}

/** How many outbox messages went to numbers ending in `last4` (all messages without it). */
export async function outboxCount(page, last4) {
  const all = await outboxMessages(page);
  return last4 ? all.filter((m) => m.to.endsWith(last4)).length : all.length;
}

/**
 * The newest 6-digit code in the outbox, for a number ending in `phoneLast4` when given. With `after`
 * (a count from outboxCount) it waits until a newer message for that number arrived.
 */
export async function readLatestCode(page, phoneLast4, { after, sameContext } = {}) {
  return eventually(
    async () => {
      const all = await outboxMessages(page, { sameContext });
      const mine = phoneLast4 ? all.filter((m) => m.to.endsWith(phoneLast4)) : all;
      if (after !== undefined && mine.length <= after) throw new Error(`no new SMS for …${phoneLast4} (still ${mine.length})`);
      const latest = mine[0];
      if (!latest?.code) throw new Error(`no verification code in the outbox for …${phoneLast4 ?? "any number"}`);
      // The origin-bound last line (`@host #code`) must carry the same code, and a bare host without port.
      assert.equal(latest.originCode, latest.code, `the @host #code line must repeat the code:\n${latest.text}`);
      assert.equal(latest.originHost, new URL(baseURL()).hostname, "the @host line names the app's host, without port");
      return latest.code;
    },
    { timeout: 5_000, interval: 250 },
  );
}

/**
 * The step-up before a sensitive change (ASVS 5.0 7.5.1), in `container` (a dialog, or the dialog part that
 * shows it): the current password, then, for a user with a factor, a code. `{ sms: "1234" }` reads the text
 * message sent to the number ending in those digits from the outbox; `{ code: () => app.code() }` types the
 * code given; `atCode` runs once the code is typed (a screenshot). Leaves the Verify (or Continue) click done.
 */
export async function passStepUp(page, container, user, { sms, code, atCode } = {}) {
  const before = sms ? await outboxCount(page, sms) : 0;
  await container.getByLabel("Current password").fill(user.password);
  await container.getByRole("button", { name: "Continue" }).click();
  if (!sms && !code) return;
  const field = container.getByLabel(sms ? "Verification code" : "Authenticator code");
  await expectVisible(field);
  await field.fill(sms ? await readLatestCode(page, sms, { after: before }) : await code());
  if (atCode) await atCode();
  await container.getByRole("button", { name: "Verify" }).click();
}

/** Turns on SMS MFA from My account with a Dutch mobile number (the help article's steps, without the checks mfa-sms.e2e makes). */
export async function registerPhone(page, user, national) {
  await visit(page, "/account", "my account");
  await page.getByRole("switch", { name: "Use multi-factor authentication" }).click();
  await page.getByRole("button", { name: "Register", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Register your phone number" });
  await dialog.getByLabel("Current password").fill(user.password);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.getByRole("button", { name: /^Country:/ }).click();
  await dialog.getByRole("combobox", { name: "Search countries" }).pressSequentially("Netherlands");
  await dialog.getByRole("option", { name: /^Netherlands/ }).click();
  await dialog.getByPlaceholder("Please enter your phone number").pressSequentially(national);
  const last4 = national.slice(-4);
  const before = await outboxCount(page, last4);
  await dialog.getByRole("button", { name: "Send code" }).click();
  await dialog.getByLabel("Verification code").fill(await readLatestCode(page, last4, { after: before }));
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("checkbox", { name: "I have saved these codes" }).check();
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expectHidden(dialog);
  return last4;
}

/** A six-digit code that is certainly not `code`. */
export function wrongCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

// ---------------------------------------------------------------- email outbox

/**
 * Every email in /dev/outbox (newest first), read like outboxMessages: { to, subject, status, template, text,
 * links }. `text` is the plain-text part and `links` the http(s) links of the HTML part, in order; both are
 * empty until the email was sent (status "sent"). Queued email is sent after the response, so read it with
 * latestEmail, which waits.
 */
export async function outboxEmails(page, { sameContext = false } = {}) {
  const context = sameContext ? page.context() : await outboxContext(page);
  const tab = await context.newPage();
  try {
    const response = await tab.goto("/dev/outbox?tab=email");
    assert.equal(response?.status(), 200, "/dev/outbox must answer 200 (are ALLOW_DEV_OUTBOX=true and EMAIL_PROVIDER=outbox set?)");
    await expectVisible(tab.getByRole("heading", { level: 2, name: "Emails" }));
    return await tab.locator("li[data-email]").evaluateAll((items) =>
      items.map((item) => ({
        to: item.getAttribute("data-to"),
        subject: item.getAttribute("data-subject"),
        status: item.getAttribute("data-status"),
        template: item.getAttribute("data-template"),
        text: item.querySelector("[data-email-text]")?.textContent ?? "",
        links: [...item.querySelectorAll("a[data-email-link]")].map((a) => a.getAttribute("href")),
      })),
    );
  } finally {
    await tab.close();
  }
}

/** How many emails went to `to` (any status). */
export async function emailCount(page, to) {
  return (await outboxEmails(page)).filter((email) => email.to === to).length;
}

/**
 * The newest sent email to `to` ({ subject, text, links, template }), waiting up to `timeout` for it to be sent.
 * With `after` (a count from emailCount), waits for a newer one than those; with `template`, only that kind.
 */
export async function latestEmail(page, to, { after, template, timeout = 10_000, sameContext } = {}) {
  return eventually(
    async () => {
      const mine = (await outboxEmails(page, { sameContext })).filter((email) => email.to === to && (!template || email.template === template));
      if (after !== undefined && mine.length <= after) throw new Error(`no new email to ${to} (still ${mine.length})`);
      const latest = mine[0];
      if (!latest) throw new Error(`no email to ${to} in the outbox`);
      if (latest.status !== "sent") throw new Error(`the newest email to ${to} is ${latest.status}, not sent yet`);
      return latest;
    },
    { timeout, interval: 250 },
  );
}

// ---------------------------------------------------------------- colours

/**
 * An element's computed background as { r, g, b, hue (0-360), saturation (0-1), css }. Chromium reports
 * Tailwind 4 colours as lab()/oklch(); a 1-pixel canvas turns any CSS colour into sRGB bytes.
 */
export async function backgroundColour(locator) {
  const { css, rgb } = await locator.evaluate((el) => {
    // A button that just turned on fades to its colour (CSS transition): read the end state.
    for (const animation of el.getAnimations()) animation.finish();
    const value = getComputedStyle(el).backgroundColor;
    const canvas = document.createElement("canvas");
    canvas.width = 1;
    canvas.height = 1;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = value;
    ctx.fillRect(0, 0, 1, 1);
    return { css: value, rgb: Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)) };
  });
  const [r, g, b] = rgb;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  let hue = 0;
  if (max !== min) {
    if (max === r) hue = (60 * ((g - b) / (max - min)) + 360) % 360;
    else if (max === g) hue = 60 * ((b - r) / (max - min)) + 120;
    else hue = 60 * ((r - g) / (max - min)) + 240;
  }
  return { r, g, b, hue, saturation: max === 0 ? 0 : (max - min) / max, css: `${css} = rgb(${r}, ${g}, ${b})` };
}
