// Child process for figure 1: the ceiling of bcrypt compares per second on this machine.
//
// Started with fork() by figure 1 as `bcrypt-ceiling.mjs <cost> <concurrency>`. It hashes once, then for each
// message { ms } runs `concurrency` bcrypt.compare calls in flight for that long and answers
// { compares, elapsedMs }. The async API runs on the libuv threadpool (UV_THREADPOOL_SIZE threads, default 4),
// exactly like the app's verifyPassword. Standalone: `node bench/bcrypt-ceiling.mjs 12 4 8` prints one run.
import bcrypt from "bcrypt";

const [cost = 12, concurrency = 4, seconds] = process.argv.slice(2).map(Number);
const password = "bench-password-1";
const hash = await bcrypt.hash(password, cost);

async function run(ms) {
  let compares = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if (!(await bcrypt.compare(password, hash))) throw new Error("bcrypt.compare returned false");
        compares++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { compares, elapsedMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, threadpool: Number(process.env.UV_THREADPOOL_SIZE) || 4 };
}

if (process.send) {
  process.on("message", async (msg) => {
    if (msg?.ms) process.send(await run(msg.ms));
    else process.exit(0);
  });
  process.send({ ready: true });
} else {
  const r = await run((seconds || 8) * 1000);
  console.log(JSON.stringify({ ...r, perSecond: (r.compares * 1000) / r.elapsedMs }));
}
