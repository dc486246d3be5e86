// A small HTTP client for the benchmarks: keep-alive sockets, a cookie jar per simulated browser, timings,
// and server-action calls encoded the way React's client encodes them.
import crypto from "node:crypto";
import http from "node:http";

export function createAgent(maxSockets = 64) {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

const defaultAgent = createAgent();

/**
 * One request. Resolves { status, headers, body (string), ms } where ms runs from sending the request to the
 * last byte of the answer. Redirects are not followed.
 */
export function request(url, options = {}) {
  // A kept-alive socket the server closed as idle just as the request went out answers ECONNRESET before the
  // server read anything: sent again once on a fresh socket (Node's documented keep-alive race, `reusedSocket`).
  return send(url, options).catch((error) => {
    if (error.reusedSocket && error.code === "ECONNRESET") return send(url, options);
    throw error;
  });
}

function send(url, { method = "GET", headers = {}, body, agent = defaultAgent, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          ms: Number(process.hrtime.bigint() - start) / 1e6,
        }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    req.on("error", (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    if (body) req.write(body);
    req.end();
  });
}

/**
 * A returning user's own browser: a jar holding the device id cookie (both names: `__Host-device` over HTTPS,
 * `device` over HTTP) derived from the email, which bench/lib/pg.mjs seedUsers records as known. A sign-in
 * from an unknown browser also queues a "new browser" email; real users mostly sign in from their own.
 */
export function browserJar(email) {
  const id = crypto.createHash("sha256").update(email, "utf8").digest("base64url").slice(0, 43);
  return new Jar({ device: id, "__Host-device": id });
}

/** The cookies one simulated browser holds. */
export class Jar {
  constructor(cookies = {}) {
    this.cookies = { ...cookies };
  }
  clone() {
    return new Jar(this.cookies);
  }
  /** Takes in the Set-Cookie headers of a response; returns the names that were set to a value. */
  absorb(res) {
    const set = [];
    for (const line of res.headers["set-cookie"] ?? []) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (!value || expired) delete this.cookies[name];
      else {
        this.cookies[name] = value;
        set.push(name);
      }
    }
    return set;
  }
  header() {
    return Object.entries(this.cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
  }
  /** The next-auth session cookie (`__Secure-authjs.session-token` in production). */
  sessionCookie() {
    const name = Object.keys(this.cookies).find((k) => /authjs\.session-token/.test(k));
    return name ? this.cookies[name] : undefined;
  }
}

export function get(base, path, { jar, agent, headers = {} } = {}) {
  const h = { ...headers };
  if (jar && Object.keys(jar.cookies).length) h.cookie = jar.header();
  return request(`${base}${path}`, { agent, headers: h });
}

function multipart(fields) {
  const boundary = `----bench${crypto.randomBytes(8).toString("hex")}`;
  let body = "";
  for (const [name, value] of fields) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body: Buffer.from(body, "utf8"), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Calls a server action bound with useActionState(action, initialState) from a <form>, as the browser does
 * when JavaScript runs: POST to the page with `Next-Action: <id>`, the arguments [prevState, formData]
 * encoded by React's encodeReply (the FormData becomes fields "_1_<name>", the root "0" refers to it as "$K1").
 * The response is the RSC stream; on a redirect Next sets `x-action-redirect` and streams the target page.
 */
export async function callAction(base, pagePath, actionId, fields, { jar, agent, prevState = { status: "idle" } } = {}) {
  // The root field "0" must come last: the server decodes the stream as it arrives and resolves "$K1" from the
  // "_1_…" fields it has already seen.
  const parts = [...Object.entries(fields).map(([k, v]) => [`_1_${k}`, v]), ["0", JSON.stringify([prevState, "$K1"])]];
  const { body, contentType } = multipart(parts);
  const headers = {
    accept: "text/x-component",
    "next-action": actionId,
    origin: base,
    "content-type": contentType,
    "content-length": String(body.length),
  };
  if (jar && Object.keys(jar.cookies).length) headers.cookie = jar.header();
  const res = await request(`${base}${pagePath}`, { method: "POST", headers, body, agent });
  const setNames = jar ? jar.absorb(res) : [];
  const redirect = res.headers["x-action-redirect"]?.split(";")[0] ?? null;
  return { ...res, redirect, sessionCookieSet: setNames.some((n) => /authjs\.session-token/.test(n)) };
}

const unescapeHtml = (v) => v.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The <form> bound to the server action `actionId` (its inner HTML), or null. */
function formFor(html, actionId) {
  const forms = [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)].map((m) => m[1]);
  return forms.find((f) => f.includes(`&quot;id&quot;:&quot;${actionId}&quot;`)) ?? null;
}

function inputsOf(form, keep) {
  const fields = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    if (!/type="hidden"/.test(m[0])) continue;
    const name = m[0].match(/name="([^"]*)"/)?.[1];
    if (name !== undefined && keep(unescapeHtml(name))) fields[unescapeHtml(name)] = unescapeHtml(m[0].match(/value="([^"]*)"/)?.[1] ?? "");
  }
  return fields;
}

/** The form's own hidden fields (challengeId, method, callbackUrl, …) of the form bound to `actionId`: what the browser submits besides what the user types. */
export function formFields(html, actionId) {
  const form = formFor(html, actionId);
  return form ? inputsOf(form, (name) => !name.startsWith("$ACTION_")) : null;
}

/** The hidden fields of the plain <form> that posts to `path` (the challenge page's code form), or null. */
export function routeFormFields(html, path) {
  const form = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].find((m) => m[1].includes(`action="${path}"`));
  return form ? inputsOf(form[2], () => true) : null;
}

/**
 * Posts form fields URL-encoded to a route handler the way the page's script does (`Accept: application/json`,
 * `Origin`), or with `json: false` the way a browser without JavaScript does (then a 303 comes back).
 */
export async function postForm(base, path, fields, { jar, agent, json = true } = {}) {
  const body = Buffer.from(new URLSearchParams(fields).toString(), "utf8");
  const headers = {
    accept: json ? "application/json" : "text/html",
    origin: base,
    "content-type": "application/x-www-form-urlencoded;charset=UTF-8",
    "content-length": String(body.length),
  };
  if (jar && Object.keys(jar.cookies).length) headers.cookie = jar.header();
  const res = await request(`${base}${path}`, { method: "POST", headers, body, agent });
  const setNames = jar ? jar.absorb(res) : [];
  let outcome = null;
  if (json && /application\/json/.test(res.headers["content-type"] ?? "")) outcome = JSON.parse(res.body);
  return { ...res, outcome, redirect: res.headers.location ?? outcome?.to ?? null, sessionCookieSet: setNames.some((n) => /authjs\.session-token/.test(n)) };
}

export const PASSWORD_ROUTE = "/login/password";

/**
 * The router state the sign-in page's script sends when it moves to the code page (a client navigation):
 * Next renders only what differs from /login, the page itself, as an RSC payload. Captured from Chromium
 * against this build (Next 16): the headers `rsc`, `next-router-state-tree` (this) and `next-url`.
 */
const LOGIN_ROUTER_TREE = encodeURIComponent(
  JSON.stringify(["", { children: ["(auth)", { children: ["login", { children: ["__PAGE__", {}, null, null, 0] }, null, null, 0] }, null, null, 0] }, null, null, 16]),
);
const rscPaths = new Map();

/**
 * The code page as the browser with JavaScript reaches it from the sign-in form: a client navigation. Next
 * wants the `_rsc` query its client derives from these headers; the first call learns it from the redirect
 * Next answers without it. Resolves the response; `challenge` holds the code form's props read from the payload.
 */
export async function navigateToVerify(base, { jar, agent } = {}) {
  const headers = { rsc: "1", "next-router-state-tree": LOGIN_ROUTER_TREE, "next-url": "/login" };
  let path = rscPaths.get(base);
  if (!path) {
    const first = await get(base, "/login/verify", { jar, agent, headers });
    path = first.headers.location?.startsWith("/login/verify?_rsc=") ? first.headers.location : "/login/verify";
    rscPaths.set(base, path);
  }
  const res = await get(base, path, { jar, agent, headers });
  const challengeId = /"challengeId":"([0-9a-f-]{36})"/.exec(res.body)?.[1] ?? null;
  const method = /"method":"(sms|totp|backup|passkey)"/.exec(res.body)?.[1] ?? null;
  return { ...res, challenge: challengeId ? { challengeId, method, callbackUrl: "/" } : null };
}

/**
 * The sign-in form's password step as the page's script posts it: URL-encoded to POST /login/password, JSON
 * back ({ status: "signed_in", to } or the error state the form shows). `to` is where the browser goes next.
 */
export async function signInPassword(base, fields, { jar, agent } = {}) {
  const res = await postForm(base, PASSWORD_ROUTE, { callbackUrl: "/", ...fields }, { jar, agent });
  return { ...res, to: res.outcome?.status === "signed_in" ? res.outcome.to : null };
}

/**
 * The hidden `$ACTION_…` fields React renders into a <form> whose action is a server action, so the form
 * works before (or without) JavaScript: those of the form bound to `actionId`.
 */
export function noJsActionFields(html, actionId) {
  const form = formFor(html, actionId);
  return form ? inputsOf(form, (name) => name.startsWith("$ACTION_")) : null;
}

/**
 * Submits a server-action form the way a browser without JavaScript does: a multipart POST of the form's
 * fields (the hidden `$ACTION_…` ones included) to the page, no Next-Action header. A redirect comes back
 * as a plain 303 with Location; nothing of the next page is rendered.
 */
export async function submitNoJs(base, pagePath, actionFields, fields, { jar, agent } = {}) {
  const { body, contentType } = multipart([...Object.entries(actionFields), ...Object.entries(fields)]);
  const headers = { accept: "text/html", origin: base, "content-type": contentType, "content-length": String(body.length) };
  if (jar && Object.keys(jar.cookies).length) headers.cookie = jar.header();
  const res = await request(`${base}${pagePath}`, { method: "POST", headers, body, agent });
  const setNames = jar ? jar.absorb(res) : [];
  return { ...res, redirect: res.headers.location ?? null, sessionCookieSet: setNames.some((n) => /authjs\.session-token/.test(n)) };
}

/**
 * Every distinct /_next/static/…js URL a page's HTML names: script tags and preload links, and the chunk
 * lists of client components inside the inline RSC payload (which the browser loads while hydrating).
 * `<script nomodule>` (the legacy polyfills) is left out: browsers with module support never download it.
 * Checked against Chromium's network log: the same files.
 */
export function scriptUrls(html) {
  const urls = new Set();
  for (const m of html.matchAll(/\/_next\/static\/[A-Za-z0-9_\-.~/]+?\.js(?![A-Za-z0-9_\-.])/g)) urls.add(m[0]);
  for (const m of html.matchAll(/<script\b[^>]*\bnomodule\b[^>]*>/gi)) {
    const src = m[0].match(/src="([^"?]+)/)?.[1];
    if (src) urls.delete(src);
  }
  return [...urls];
}

/** Server action ids by export name, read from the page's client chunks (`createServerReference)("id",…,"name")`). */
export async function findActionIds(base, html, { jar, agent } = {}) {
  const ids = {};
  for (const src of scriptUrls(html)) {
    const res = await get(base, src, { jar, agent });
    for (const m of res.body.matchAll(/createServerReference\)\("([0-9a-f]+)",[^)]*?"(\w+)"\)/g)) ids[m[2]] = m[1];
  }
  return ids;
}
