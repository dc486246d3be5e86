// After `next build`: the standalone server needs the static assets and the migrations next to it.
import fs from "node:fs";

const out = ".next/standalone";
if (fs.existsSync(out)) {
  fs.cpSync(".next/static", `${out}/.next/static`, { recursive: true });
  if (fs.existsSync("public")) fs.cpSync("public", `${out}/public`, { recursive: true });
  fs.cpSync("db/migrations", `${out}/db/migrations`, { recursive: true });
}
