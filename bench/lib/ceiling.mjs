// The bcrypt ceiling: bcrypt compares per second at the benchmark's cost and concurrency, in a process of its
// own (bench/bcrypt-ceiling.mjs) with the same `bcrypt` package and thread pool as the server. Figures run it
// in phases alternating with their own, so a change in what else the machine does affects both alike.
import { fork } from "node:child_process";
import path from "node:path";
import { ROOT } from "./server.mjs";

/** Starts the ceiling process; `run(ms)` resolves { compares, elapsedMs, cpuMs, threadpool } for one phase. */
export function startCeiling(cost, concurrency) {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE; // the server runs with the default (4) too
  const child = fork(path.join(ROOT, "bench", "bcrypt-ceiling.mjs"), [String(cost), String(concurrency)], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let waiting = null;
  child.on("message", (msg) => waiting?.resolve(msg));
  child.on("exit", (code) => waiting?.reject(new Error(`bench/bcrypt-ceiling.mjs exited with ${code}`)));
  const next = () => new Promise((resolve, reject) => (waiting = { resolve, reject }));
  const ready = next();
  return {
    ready,
    async run(ms) {
      const answer = next();
      child.send({ ms });
      return answer;
    },
    stop: () => child.kill(),
  };
}

