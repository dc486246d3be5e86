// The summary table (printed) and the results section of docs/performance.md (rewritten between markers;
// the method and analysis around them are written by hand and kept).
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./server.mjs";
import { round } from "./stats.mjs";

const START = "<!-- bench:results:start (written by `npm run bench`; edits inside are overwritten) -->";
const END = "<!-- bench:results:end -->";
const DOC = path.join(ROOT, "docs", "performance.md");

const ms = (n) => `${round(n, n < 10 ? 2 : 1)} ms`;
const kb = (n) => `${round(n / 1024, 1)} kB`;
const mark = (ok) => (ok ? "met" : "**missed**");

export function rows(results) {
  const out = [];
  const { f1, f1b, f2, f3, f4, f5, f6, f7, f8 } = results;
  if (f1)
    for (const [label, r] of [
      ["no MFA", f1],
      ["SMS MFA: opens the challenge, texts the code", f1.mfa],
    ]) {
      out.push([
        "1",
        `Password step, sign-ins/s at concurrency 4 (${label})`,
        `${round(r.perSecond, 2)}/s (p50 ${ms(r.p50)})`,
        `bcrypt ceiling ${round(f1.ceiling.perSecond, 2)} compares/s (cost ${results.info.cost}, 4 in flight)`,
        `${round(r.ratio, 3)} (CPU: bcrypt is ${round(f1.ceiling.cpuMsPerCompare / r.serverCpuMsPerSignIn, 3)} of a sign-in's)`,
        "≥ 0.95",
        mark(r.ratio >= 0.95),
      ]);
      out.push([
        "1",
        `Password step (${label}): CPU beyond bcrypt per sign-in`,
        `server ${ms(r.overheadCpuMs)}; Postgres ${ms(r.postgresCpuMsPerSignIn)}`,
        `bcrypt compare ${ms(f1.ceiling.cpuMsPerCompare)} CPU`,
        "—",
        "server ≤ 10 ms",
        mark(r.overheadCpuMs <= 10),
      ]);
    }
  if (f1b)
    out.push([
      "1b",
      "A refused (throttled) password attempt, p50 (p99)",
      `${ms(f1b.refused.p50)} (p99 ${ms(f1b.refused.p99)}; CPU ${ms(f1b.refused.cpuMs)})`,
      `bare route ${ms(f1b.bare.p50)} (p99 ${ms(f1b.bare.p99)}; CPU ${ms(f1b.bare.cpuMs)})`,
      `${round(f1b.ratio, 2)}×`,
      "no bcrypt: ≤ 3× p50",
      mark(f1b.ratio <= 3),
    ]);
  if (f2)
    out.push([
      "2",
      `Code verification p50 (p99; throughput at concurrency ${f2.concurrency})`,
      `${ms(f2.code.p50)} (p99 ${ms(f2.code.p99)}; ${round(f2.code.perSecond, 1)}/s)`,
      `bare route ${ms(f2.bare.p50)} (p99 ${ms(f2.bare.p99)}; ${round(f2.bare.perSecond, 1)}/s)`,
      `${round(f2.ratio, 2)}× (throughput ${round(f2.code.perSecond / f2.bare.perSecond, 3)})`,
      "≤ 1.35× p50",
      mark(f2.ratio <= 1.35),
    ]);
  if (f2?.page)
    out.push([
      "2b",
      "The challenge page between the steps (the form's client navigation to /login/verify), p50 (p99)",
      `${ms(f2.page.p50)} (p99 ${ms(f2.page.p99)}; as a full load ${ms(f2.page.fullLoadP50)})`,
      `bare route ${ms(f2.bare.p50)} (p99 ${ms(f2.bare.p99)})`,
      `${round(f2.pageRatio, 2)}×`,
      "≤ 2× p50",
      mark(f2.pageRatio <= 2),
    ]);
  if (f3)
    out.push([
      "3",
      "The gate on a signed-in request (session check), p50",
      `matched ${ms(f3.gated.p50)}`,
      `excluded path ${ms(f3.ungated.p50)}`,
      `+${ms(f3.addedP50)} (paired ${ms(f3.pairedDiffP50)})`,
      "≤ +1 ms",
      mark(f3.addedP50 <= 1),
    ]);
  if (f4)
    for (const r of f4.routes)
      out.push([
        "4",
        `JavaScript, ${r.label} (${r.path}), gzip`,
        `${kb(r.gzip)} in ${r.files} files`,
        `empty page ${kb(f4.baseline.gzip)} in ${f4.baseline.files} files`,
        `${round(r.ratio, 2)}×`,
        "≤ 1.3×",
        mark(r.ratio <= 1.3),
      ]);
  if (f5) {
    out.push(["5", "Embedded start, new DATA_DIR (median)", `${round(f5.freshMs / 1000, 2)} s`, "—", "—", "≤ 3 s", mark(f5.freshMs <= 3000)]);
    out.push(["5", "Embedded start, existing DATA_DIR (median)", `${round(f5.existingMs / 1000, 2)} s`, "—", "—", "≤ 1 s", mark(f5.existingMs <= 1000)]);
  }
  if (f6)
    out.push([
      "6",
      `Two instances, ${f6.count} MFA sign-ins at concurrency ${f6.concurrency}`,
      `${f6.succeeded}/${f6.count} succeeded (${round(f6.perSecond, 1)}/s); ${f6.replays.refused}/${f6.replays.tried} replays refused; ${f6.race.singleWinner}/${f6.race.tried} races won once; one user's sends: ${f6.limit.sentCount} of ${f6.limit.sends.length} delivered`,
      "—",
      "—",
      "all succeed, no code twice, limit across both",
      mark(f6.ok),
    ]);
  if (f7)
    out.push([
      "7",
      "A passkey as the second factor (assertion verified), p50 (p99)",
      `${ms(f7.passkey.p50)} (p99 ${ms(f7.passkey.p99)})`,
      `texted code ${ms(f7.code.p50)} (p99 ${ms(f7.code.p99)})`,
      `${round(f7.ratio, 2)}×`,
      "≤ 1.5× p50",
      mark(f7.ratio <= 1.5),
    ]);
  if (f8) {
    out.push([
      "8",
      "Whole sign-in with SMS MFA (password step, challenge page, code), sign-ins/s at concurrency 4",
      `${round(f8.perSecond, 2)}/s (p50 ${ms(f8.p50)}: password ${ms(f8.steps.password.p50)}, page ${ms(f8.steps.page.p50)}, code ${ms(f8.steps.code.p50)})`,
      `bcrypt ceiling ${round(f8.ceiling.perSecond, 2)} compares/s`,
      `${round(f8.ratio, 3)}`,
      "≥ 0.90",
      mark(f8.ratio >= 0.9),
    ]);
    out.push([
      "8",
      "Whole sign-in with SMS MFA: CPU beyond bcrypt per sign-in",
      `server ${ms(f8.overheadCpuMs)}; Postgres ${ms(f8.postgresCpuMs)}`,
      `bcrypt compare ${ms(f8.ceiling.cpuMsPerCompare)} CPU`,
      "—",
      "server ≤ 20 ms, Postgres ≤ 5 ms",
      mark(f8.overheadCpuMs <= 20 && f8.postgresCpuMs <= 5),
    ]);
  }
  return out;
}

function markdownTable(rowsIn) {
  const head = ["#", "figure", "measured", "baseline (same run)", "ratio", "target", "result"];
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rowsIn.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function details(results) {
  const { info, f1, f2, f3, f4, f5, f6 } = results;
  const lines = [];
  lines.push(
    `Run ${info.date} on ${info.nproc} × ${info.cpu} (nproc ${info.nproc}), ${info.memoryGb} GB RAM, ${info.os}; Node ${info.node}, Next ${info.next}, PostgreSQL ${info.postgres} on ${info.pgUrl}; commit ${info.commit}${info.dirty ? " with uncommitted changes" : ""}; bcrypt cost ${info.cost}. Load average (1, 5, 15 min) ${info.loadBefore.join(" ")} before, ${info.loadAfter?.join(" ")} after. Whole run: ${round(results.totalMs / 1000, 1)} s${info.built ? " (including the build)" : ""}.`,
  );
  lines.push("");
  if (f1)
    lines.push(
      `- **1** ${f1.signIns} sign-ins in ${round(f1.elapsedMs / 1000, 1)} s (p50 ${ms(f1.p50)}, p99 ${ms(f1.p99)}); bcrypt: ${f1.ceiling.compares} compares in ${round(f1.ceiling.elapsedMs / 1000, 1)} s in a separate process with ${f1.ceiling.threadpool} libuv threads, in ${f1.ceiling.phases} alternating phases. CPU time: ${ms(f1.serverCpuMsPerSignIn)} of the server per sign-in, ${ms(f1.ceiling.cpuMsPerCompare)} per bcrypt compare (so ${round(f1.ceiling.cpuMsPerCompare / f1.serverCpuMsPerSignIn, 3)} of a sign-in's CPU is bcrypt).${f1.mfa ? ` Users with SMS MFA, in phases of their own: ${f1.mfa.signIns} password steps (p50 ${ms(f1.mfa.p50)}, p99 ${ms(f1.mfa.p99)}), ${ms(f1.mfa.serverCpuMsPerSignIn)} of server CPU each; Postgres ${ms(f1.postgresCpuMsPerSignIn)} per sign-in without MFA, ${ms(f1.mfa.postgresCpuMsPerSignIn)} with.` : ""}${f1.noJs ? ` The same sign-in posted without JavaScript (answered with a 303): ${round(f1.noJs.perSecond, 2)}/s = ${round(f1.noJs.ratio, 3)} of the ceiling, ${ms(f1.noJs.serverCpuMsPerSignIn)} CPU per sign-in, p50 ${ms(f1.noJs.p50)}.` : ""}`,
    );
  if (f2)
    lines.push(
      `- **2** ${f2.samples} rounds one at a time (browser submission, no-JavaScript submission, bare route), then at concurrency ${f2.concurrency}: ${f2.samples} browser submissions, ${Math.ceil(f2.samples / 2)} without JavaScript, ${f2.samples} bare requests. The same form posted without JavaScript (answered with a 303): p50 ${ms(f2.noJs.p50)}, p99 ${ms(f2.noJs.p99)} (${round(f2.noJs.p50 / f2.bare.p50, 2)}× the bare route), ${round(f2.noJs.perSecond, 1)}/s. Server CPU per request: browser submission ${ms(f2.code.cpuMs)}, without JavaScript ${ms(f2.noJs.cpuMs)}, bare route ${ms(f2.bare.cpuMs)}. The page the browser loads next (GET / with the new cookie, a request of its own): p50 ${ms(f2.homeP50)}.`,
    );
  if (f3)
    lines.push(
      `- **3** ${f3.pairs} alternating pairs of the DAL's session check (${f3.ungated.path} left out, ${f3.gated.path} matched). Excluded path p50 ${ms(f3.ungated.p50)} (p99 ${ms(f3.ungated.p99)}), matched path p50 ${ms(f3.gated.p50)} (p99 ${ms(f3.gated.p99)}); median of the pairwise differences ${ms(f3.pairedDiffP50)}. Server CPU per request: ${ms(f3.ungated.cpuMs)} excluded, ${ms(f3.gated.cpuMs)} matched. On a request that checks no session (${f3.noSession.ungated.path} against ${f3.noSession.gated.path}, ${Math.ceil(f3.pairs / 2)} pairs), where the gate's lookup has nobody to hand it to: +${ms(f3.noSession.addedP50)} at p50 (${ms(f3.noSession.ungated.p50)} → ${ms(f3.noSession.gated.p50)}; paired ${ms(f3.noSession.pairedDiffP50)}). For scale: GET /account (a whole signed-in page) p50 ${ms(f3.accountPageP50)}.`,
    );
  if (f4) {
    const all = [f4.baseline, ...f4.routes];
    lines.push(
      `- **4** on top of the empty page: ${f4.routes.map((r) => `${r.label} +${kb(r.gzip - f4.baseline.gzip)} (${r.extra.length} file${r.extra.length === 1 ? "" : "s"}: ${r.extra.map((f) => kb(f.gzip)).join(", ") || "none"}${r.missing.length ? `; ${r.missing.length} of the empty page's files not loaded` : ""})`).join("; ")}. The empty page's largest files: ${f4.baseline.largest.map((f) => `${f.src.split("/").pop()} ${kb(f.gzip)}`).join(", ")}. Raw (uncompressed) JavaScript: ${all.map((r) => `${r.label} ${kb(r.raw)}`).join(", ")}. HTML (gzip, with the inline RSC payload): ${all.map((r) => `${r.label} ${kb(r.htmlGzip)}`).join(", ")}.${f4.orgSettings ? "" : " /org/settings does not exist in this build."}`,
    );
  }
  if (f5)
    lines.push(
      `- **5** new: ${f5.fresh.map((v) => `${round(v / 1000, 2)} s`).join(", ")}; existing: ${f5.existing.map((v) => `${round(v / 1000, 2)} s`).join(", ")}${f5.viaNpmExistingMs ? `; through \`npm start\` (existing): ${round(f5.viaNpmExistingMs / 1000, 2)} s` : ""}. Medians from the server's output, new / existing: Next listening at ${ms(f5.breakdown.fresh.listening)} / ${ms(f5.breakdown.existing.listening)}, database open (created or opened, migrated, demo data checked) at ${ms(f5.breakdown.fresh.database)} / ${ms(f5.breakdown.existing.database)}, first answer at ${ms(f5.breakdown.fresh.answered)} / ${ms(f5.breakdown.existing.answered)}.`,
    );
  if (f6) {
    lines.push(
      `- **6** seeded 1,000 users with SMS MFA in ${round(f6.seedMs / 1000, 2)} s; ${f6.succeeded} sign-ins in ${round(f6.elapsedMs / 1000, 1)} s, p50 per whole sign-in (password step on one instance, challenge page and code on the other, My account back on the first) ${ms(f6.p50)}. Database afterwards: ${f6.db.verified_sessions} verified sessions, ${f6.db.mfa_sign_ins} MFA sign-in events. Sends for one user, alternating instances: ${f6.limit.sends.map((s) => `${s.n}. ${s.via}: ${s.sent ? "sent" : `refused${s.pageSaysNotSent ? " (its challenge page says the code could not be sent)" : ""}${s.refusedMessage ? ' ("You have asked for too many codes")' : ""}`}`).join("; ")} (counter sms:user = ${f6.limit.counter}).`,
    );
    if (f6.failureCount) lines.push(`  Failures (${f6.failureCount}): ${f6.failures.join("; ")}`);
  }
  if (results.f8) {
    const f8 = results.f8;
    lines.push(
      `- **8** ${f8.flows} whole sign-ins in ${round(f8.elapsedMs / 1000, 1)} s at concurrency ${f8.concurrency} (p50 ${ms(f8.p50)}, p99 ${ms(f8.p99)}); per step p50 (p99): password ${ms(f8.steps.password.p50)} (${ms(f8.steps.password.p99)}), challenge page ${ms(f8.steps.page.p50)} (${ms(f8.steps.page.p99)}), code ${ms(f8.steps.code.p50)} (${ms(f8.steps.code.p99)}); bcrypt ${f8.ceiling.compares} compares in alternating phases. CPU per sign-in: server ${ms(f8.serverCpuMs)} (one bcrypt compare ${ms(f8.ceiling.cpuMsPerCompare)}), Postgres ${ms(f8.postgresCpuMs)}.`,
    );
  }
  if (results.f7)
    lines.push(
      `- **7** ${results.f7.samples} interleaved pairs, one at a time: a passkey user's assertion (ES256, verified with @simplewebauthn/server, its counter moved) and an SMS user's code, each posted to POST /login/verify/code from its own pending sign-in. The prompt's challenge is written to the sign-in's row beforehand, so both sides time the verification request alone.`,
    );
  return lines.join("\n");
}

export function writeDoc(results, { write }) {
  const table = markdownTable(rows(results));
  if (!write) return { table, doc: null };
  const section = `${START}\n\n${table}\n\n${details(results)}\n\n${END}`;
  let text = fs.existsSync(DOC) ? fs.readFileSync(DOC, "utf8") : `# Performance\n\nRun \`npm run bench\`; see bench/run.mjs.\n\n## Results\n\n${START}\n${END}\n`;
  const a = text.indexOf(START.slice(0, 30));
  const b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + section + text.slice(b + END.length) : `${text.trimEnd()}\n\n## Results\n\n${section}\n`;
  fs.mkdirSync(path.dirname(DOC), { recursive: true });
  fs.writeFileSync(DOC, text);
  return { table, doc: DOC };
}
