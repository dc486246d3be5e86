/** Runs once when a server process starts (Node.js runtime only; never during `next build`). */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServer } = await import("@/lib/server/startup");
  await startServer();
}
