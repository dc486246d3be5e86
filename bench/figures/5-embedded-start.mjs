// Figure 5: embedded start. Time from running the start command (`node scripts/start.mjs`, what `npm start`
// runs) to the first answered request (GET /api/health → 200, polled every 5 ms) with no DATABASE_URL, so
// the embedded PGlite database is used: on a new DATA_DIR (creates the database, applies the migrations,
// seeds the demo organisation with two bcrypt hashes) and on the existing one (opens it, finds nothing to do).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cleanEnv, ROOT, startServer } from "../lib/server.mjs";
import { median, round } from "../lib/stats.mjs";

export async function figure5(ctx) {
  const runs = ctx.runs;
  const dirs = [];
  // Where the time goes, from the server's own output: Next listening, then the database opened (migrated, seeded).
  const marks = { listening: /Ready in/, database: /\[db\] Embedded PGlite database/ };
  const phases = { fresh: [], existing: [] };
  const start = async (dataDir, args = [path.join(ROOT, "scripts", "start.mjs")], kind) => {
    const server = await startServer({ env: cleanEnv({ DATA_DIR: dataDir, ...ctx.secrets }), args, cwd: ROOT, name: "embedded server", marks });
    await server.stop();
    if (kind) phases[kind].push({ ...server.marks, answered: server.readyMs });
    return server.readyMs;
  };
  try {
    const fresh = [];
    for (let i = 0; i < runs; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-data-"));
      dirs.push(dir);
      fs.rmSync(dir, { recursive: true });
      fresh.push(await start(dir, undefined, "fresh"));
    }
    const existing = [];
    for (let i = 0; i < runs; i++) existing.push(await start(dirs[i % dirs.length], undefined, "existing"));
    // For reference: the same through npm (`npm start`), which adds npm's own start-up.
    // npm_execpath is set when the benchmark itself runs through `npm run bench`.
    const npmCli = process.env.npm_execpath?.endsWith(".js") ? process.env.npm_execpath : null;
    const viaNpm = npmCli ? await start(dirs[0], [npmCli, "start", "--silent"]).catch(() => null) : null;
    const breakdown = (list) => ({
      listening: median(list.map((p) => p.listening ?? Number.NaN)),
      database: median(list.map((p) => p.database ?? Number.NaN)),
      answered: median(list.map((p) => p.answered)),
    });
    const result = {
      runs,
      fresh,
      existing,
      freshMs: median(fresh),
      existingMs: median(existing),
      viaNpmExistingMs: viaNpm,
      breakdown: { fresh: breakdown(phases.fresh), existing: breakdown(phases.existing) },
    };
    result.summary = `new ${round(result.freshMs / 1000, 2)} s, existing ${round(result.existingMs / 1000, 2)} s`;
    return result;
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
