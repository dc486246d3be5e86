// `npm start`: runs the standalone server. It changes into its own folder, so the embedded database
// folder is pinned to the project's .data unless DATA_DIR says otherwise.
import { spawn } from "node:child_process";
import path from "node:path";

process.env.DATA_DIR = path.resolve(process.env.DATA_DIR ?? ".data");
const child = spawn(process.execPath, [".next/standalone/server.js"], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
