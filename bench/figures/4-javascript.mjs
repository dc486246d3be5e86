// Figure 4: gzip size of the JavaScript each route loads, against an empty page of the same build.
//
// The script URLs come from each page's server-rendered HTML (script src and preload links to
// /_next/static/…js), fetched with the cookie the page needs. Each file is gzipped here (zlib level 6,
// what servers and CDNs typically use) and the sizes summed. Chunks loaded later (dialogs opened with
// next/dynamic) are not counted: only what loading the page costs. The empty page is the app's 404 page
// (app/not-found.tsx inside the root layout, which has no client components): the framework runtime and a
// <Link>, the floor every page of this build pays.
import zlib from "node:zlib";
import { createAgent, get, scriptUrls } from "../lib/http.mjs";
import { check, round } from "../lib/stats.mjs";

export async function figure4(ctx) {
  const { server } = ctx;
  const agent = createAgent(4);
  const cache = new Map();
  async function sizeOf(src) {
    if (!cache.has(src)) {
      const res = await get(server.url, src, { agent });
      check(res.status === 200, `figure 4: ${src} answered ${res.status}`);
      const raw = Buffer.from(res.body, "utf8");
      cache.set(src, { raw: raw.length, gzip: zlib.gzipSync(raw, { level: 6 }).length });
    }
    return cache.get(src);
  }
  async function measure(label, path, jar, expectStatus = 200) {
    const res = await get(server.url, path, { jar, agent });
    check(res.status === expectStatus, `figure 4: GET ${path} answered ${res.status}, expected ${expectStatus}`);
    const urls = scriptUrls(res.body);
    let raw = 0;
    let gzip = 0;
    for (const src of urls) {
      const s = await sizeOf(src);
      raw += s.raw;
      gzip += s.gzip;
    }
    const sizes = await Promise.all(urls.map(async (src) => ({ src, ...(await sizeOf(src)) })));
    return { label, path, files: urls.length, raw, gzip, htmlGzip: zlib.gzipSync(Buffer.from(res.body)).length, sizes };
  }
  const baseline = await measure("empty page (404)", "/bench-no-such-page", ctx.signedIn, 404);
  const routes = [
    await measure("login", "/login", null),
    await measure("challenge", "/login/verify", ctx.pending),
    await measure("My account", "/account", ctx.signedIn),
  ];
  const org = await get(server.url, "/org/settings", { jar: ctx.signedIn, agent });
  if (org.status === 200) routes.push(await measure("organisation settings", "/org/settings", ctx.signedIn));
  agent.destroy();
  const inBaseline = new Set(baseline.sizes.map((f) => f.src));
  for (const r of routes) {
    r.ratio = r.gzip / baseline.gzip;
    // What the route loads on top of the empty page.
    r.extra = r.sizes.filter((f) => !inBaseline.has(f.src)).map((f) => ({ src: f.src, gzip: f.gzip }));
    r.missing = baseline.sizes.filter((f) => !r.sizes.some((x) => x.src === f.src)).map((f) => ({ src: f.src, gzip: f.gzip }));
  }
  baseline.largest = [...baseline.sizes].sort((a, b) => b.gzip - a.gzip).slice(0, 3).map((f) => ({ src: f.src, gzip: f.gzip }));
  const worst = routes.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return { baseline, routes, orgSettings: org.status === 200, summary: `worst ${worst.label} ${round(worst.gzip / 1024, 1)} kB vs ${round(baseline.gzip / 1024, 1)} kB` };
}
