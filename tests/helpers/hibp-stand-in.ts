import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type HibpMode = "ok" | "http503" | "hang";

export function sha1Hex(password: string): string {
  return crypto.createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();
}

/**
 * A local Pwned Passwords range API: `GET /range/{5 hex}` answers a `SUFFIX:COUNT` line for each password it
 * was given (with its count; 0 is how the real API pads), plus random padding lines with a count of 0.
 */
export async function startHibpStandIn(seen: Record<string, number>, initialMode: HibpMode = "ok") {
  let mode = initialMode;
  const requests: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const hashes = Object.entries(seen).map(([password, count]) => ({ hash: sha1Hex(password), count }));
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk));
    req.on("end", () => {
      requests.push({ url: req.url ?? "", headers: req.headers, body });
      if (mode === "hang") return;
      if (mode === "http503") return res.writeHead(503).end("unavailable");
      const prefix = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? "")?.[1];
      if (!prefix) return res.writeHead(400).end("bad prefix");
      const lines = hashes.filter((h) => h.hash.startsWith(prefix)).map((h) => `${h.hash.slice(5)}:${h.count}`);
      for (let i = 0; i < 5; i++) lines.push(`${crypto.randomBytes(18).toString("hex").slice(0, 35).toUpperCase()}:0`);
      res.writeHead(200, { "content-type": "text/plain" }).end(lines.join("\r\n"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** Set PASSWORD_BREACH_CHECK_URL to this. */
    url: `http://127.0.0.1:${port}/range/`,
    requests,
    setMode(next: HibpMode) {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
