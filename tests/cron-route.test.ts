import "./helpers/mock-next";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { emailOutbox } from "@/db/schema";
import { appLink } from "@/lib/email/links";
import { queueEmail } from "@/lib/email/outbox";
import { cronVerdict } from "@/lib/jobs/cron-auth";
import { PERIODIC_JOBS } from "@/lib/jobs/periodic";
import { getTestDb, type TestDb } from "./helpers/db";
import { request } from "./helpers/next-mocks";

const { GET } = await import("@/app/api/cron/route");

const SECRET = "cron-secret-0123456789abcdefghijklmnopqrstuv";
let t: TestDb;

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const call = (authorization?: string) => GET(new Request("http://localhost/api/cron", { headers: authorization === undefined ? {} : { authorization } }));

describe("GET /api/cron", () => {
  it("does not exist while CRON_SECRET is unset or empty", async () => {
    vi.stubEnv("CRON_SECRET", "");
    expect((await call(`Bearer ${SECRET}`)).status).toBe(404);
    vi.stubEnv("CRON_SECRET", "   ");
    expect((await call("Bearer    ")).status).toBe(404);
  });

  it("answers 401 without the secret, with a wrong one, or with it in another form, and runs nothing", async () => {
    vi.stubEnv("CRON_SECRET", SECRET);
    vi.stubEnv("EMAIL_PROVIDER", "");
    const id = await queueEmail(t.db, { to: "cron-refused@example.com", message: { template: "password_reset", name: "Ada", link: appLink("/reset-password", { token: "x" }), minutes: 30 } });
    for (const authorization of [undefined, "", SECRET, `Bearer ${SECRET.slice(0, -1)}`, `Bearer ${SECRET}x`, `bearer ${SECRET}`, `Basic ${SECRET}`, `Bearer  ${SECRET}`]) {
      const response = await call(authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="cron"');
    }
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row.status).toBe("pending");
    await t.db.delete(emailOutbox);
  });

  it("with the secret, runs every periodic job: due email is sent", async () => {
    vi.stubEnv("CRON_SECRET", SECRET);
    vi.stubEnv("EMAIL_PROVIDER", "");
    const id = await queueEmail(t.db, { to: "cron@example.com", message: { template: "password_reset", name: "Ada", link: appLink("/reset-password", { token: "y" }), minutes: 30 } });
    // Queued a moment ago by the database's clock; the route uses the server's.
    await t.db.update(emailOutbox).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(emailOutbox.id, id));

    const response = await call(`Bearer ${SECRET}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      jobs: PERIODIC_JOBS.map((job) => ({ name: job.name, ok: true, ms: expect.any(Number) })),
    });
    expect(PERIODIC_JOBS.at(-1)?.name).toBe("email");
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row).toMatchObject({ status: "sent", provider: "outbox", sealedProps: null });
  });
});

describe("cronVerdict", () => {
  it("compares the whole header, whatever its length", () => {
    expect(cronVerdict(`Bearer ${SECRET}`, SECRET)).toBe("allowed");
    expect(cronVerdict(`Bearer ${SECRET}`, ` ${SECRET} `)).toBe("allowed");
    expect(cronVerdict(`Bearer ${"x".repeat(10_000)}`, SECRET)).toBe("refused");
    expect(cronVerdict(null, SECRET)).toBe("refused");
    expect(cronVerdict(`Bearer ${SECRET}`, undefined)).toBe("disabled");
  });
});
