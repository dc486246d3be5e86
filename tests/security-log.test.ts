import "./helpers/mock-next";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/connect";
import { auditEvents, memberships, organisations, users } from "@/db/schema";
import { auditRetentionDays, deleteExpiredEvents } from "@/lib/audit/retention";
import { csvField, csvLine, listOrgEvents, parseSecurityLogQuery } from "@/lib/audit/security-log";
import { createSession } from "@/lib/auth/sessions";
import { PERIODIC_JOBS } from "@/lib/jobs/periodic";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, uniqueEmail } from "./helpers/fixtures";
import { outcome, request } from "./helpers/next-mocks";

const logPage = (await import("@/app/(app)/org/settings/security-log/page")).default;
const { GET: exportRoute } = await import("@/app/(app)/org/settings/security-log/export/route");

/**
 * The organisation's security log (ASVS 5.0 16.x: security events recorded and available to those who answer
 * for them; 8.2: tenant-scoped on the server): admins read and export every audited event of their own
 * organisation, members read only their own (My account), keyset pages stay stable while events arrive, and
 * the CSV export streams in batches with formula characters neutralised (OWASP CSV injection).
 */

let t: TestDb;
const T0 = new Date("2026-06-01T12:00:00Z");
const MINUTE = 60_000;

type Person = { id: string; email: string; name: string; token: string };
const A = { orgId: "", admin: {} as Person, member: {} as Person };
const B = { orgId: "", admin: {} as Person };
const C = { orgId: "", admin: {} as Person };

async function person(orgId: string, role: "admin" | "member", name: string, withMfa = true): Promise<Person> {
  const prefix = name.split(" ")[0].toLowerCase().replace(/[^a-z]/g, "") || "someone";
  const { user, org: own } = await makeUser(t.db, { role, phone: withMfa ? `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}` : undefined, email: uniqueEmail(prefix) });
  await t.db.update(users).set({ name }).where(eq(users.id, user.id));
  await t.db.update(memberships).set({ organisationId: orgId }).where(eq(memberships.userId, user.id));
  await t.db.delete(organisations).where(eq(organisations.id, own.id));
  const { token } = await createSession(t.db, { userId: user.id, mfaState: withMfa ? "verified" : "not_required", handoff: false });
  return { id: user.id, email: user.email, name, token };
}

/** An event as lib/audit/events.ts writes it, at a chosen moment. */
function event(orgId: string, action: string, who: Person, at: Date, extra: Partial<typeof auditEvents.$inferInsert> = {}) {
  return { organisationId: orgId, action, userId: who.id, actorId: who.id, ip: "203.0.113.7", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0 Safari/537.36", createdAt: at, ...extra };
}

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
  A.orgId = (await t.db.insert(organisations).values({ name: "Org A" }).returning())[0].id;
  B.orgId = (await t.db.insert(organisations).values({ name: "Org B" }).returning())[0].id;
  C.orgId = (await t.db.insert(organisations).values({ name: "Org C", mfaRequired: true }).returning())[0].id;
  A.admin = await person(A.orgId, "admin", "Ada Admin");
  A.member = await person(A.orgId, "member", "Max Member");
  B.admin = await person(B.orgId, "admin", "Bob Other");
  C.admin = await person(C.orgId, "admin", "Cy Held", false);
  await t.db.insert(auditEvents).values([
    event(A.orgId, "sign_in.succeeded", A.member, new Date(T0.getTime() - 3 * 86_400_000)),
    event(A.orgId, "mfa.factor_added", A.member, new Date(T0.getTime() - 2 * 86_400_000), { detail: { method: "totp" } }),
    event(A.orgId, "org.member_role_changed", A.admin, new Date(T0.getTime() - 86_400_000), { userId: A.member.id, detail: { from: "member", to: "admin" } }),
    event(A.orgId, "sign_in.failed_password", A.admin, T0),
    event(B.orgId, "sign_in.succeeded", B.admin, T0, { ip: "198.51.100.99" }),
  ]);
});
afterAll(async () => {
  await t.close();
});

const exportUrl = (query = "") => new Request(`http://localhost/org/settings/security-log/export${query}`);
/** The text and props a rendered server component tree carries (strings only), to search for what it shows. */
function pageText(node: unknown): string {
  const seen = new WeakSet<object>();
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string" || typeof value === "number") out.push(String(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      const props = (value as { props?: Record<string, unknown> }).props;
      for (const v of Object.values(props ?? (value as Record<string, unknown>))) walk(v);
    }
  };
  walk(node);
  return out.join(" ");
}

/** The security log page as the signed-in browser gets it: its text, or where it was sent. */
async function pageEvents(params: Record<string, string> = {}) {
  const result = await outcome(() => logPage({ searchParams: Promise.resolve(params) }));
  if ("redirect" in result) return result;
  return { text: pageText(result.value) };
}

describe("who may read the log", () => {
  it("an admin reads their organisation's events, newest first", async () => {
    request.sessionToken = A.admin.token;
    const page = await listOrgEvents(t.db, A.orgId, {});
    expect(page.events.map((e) => e.action)).toEqual(["sign_in.failed_password", "org.member_role_changed", "mfa.factor_added", "sign_in.succeeded"]);
    expect(page.events[1]).toMatchObject({
      label: "Role changed",
      actor: { name: "Ada Admin" },
      subject: { name: "Max Member" },
      browser: "Chrome on macOS",
      ip: "203.0.113.7",
      detail: "from: member · to: admin",
    });
    const rendered = await pageEvents();
    expect(rendered).toHaveProperty("text");
    expect((rendered as { text: string }).text).toContain("Max Member");
  });

  it("an admin of another organisation sees only their own, even when they name A's member in the filter", async () => {
    request.sessionToken = B.admin.token;
    const rendered = (await pageEvents({ member: A.member.id })) as { text: string };
    expect(rendered.text).not.toContain("Max Member");
    expect(rendered.text).toContain("No events match these filters.");
    const all = (await pageEvents()) as { text: string };
    expect(all.text).toContain("198.51.100.99");
    expect(all.text).not.toContain("203.0.113.7");
    const csv = await (await exportRoute(exportUrl(`?member=${A.member.id}`))).text();
    expect(csv.trim().split("\r\n")).toHaveLength(1);
  });

  it("a member, a signed-out request and an admin held at setup get neither the page nor the export", async () => {
    for (const [token, page, status] of [
      [A.member.token, "/", 403],
      [null, "/login", 401],
      [C.admin.token, "/account/mfa-setup", 403],
    ] as const) {
      request.sessionToken = token;
      expect(await pageEvents()).toEqual({ redirect: page });
      const response = await exportRoute(exportUrl());
      expect(response.status).toBe(status);
      expect(await response.text()).not.toContain("203.0.113.7");
    }
  });
});

describe("filters", () => {
  it("by member: events they did or that were done to them", async () => {
    const page = await listOrgEvents(t.db, A.orgId, { member: A.member.id });
    expect(page.events.map((e) => e.action)).toEqual(["org.member_role_changed", "mfa.factor_added", "sign_in.succeeded"]);
  });

  it("by kind, and by a date range (whole UTC days, both ends included)", async () => {
    expect((await listOrgEvents(t.db, A.orgId, { kind: "sign_in" })).events.map((e) => e.action)).toEqual(["sign_in.failed_password", "sign_in.succeeded"]);
    expect((await listOrgEvents(t.db, A.orgId, { kind: "mfa" })).events.map((e) => e.action)).toEqual(["mfa.factor_added"]);
    expect((await listOrgEvents(t.db, A.orgId, { kind: "organisation" })).events.map((e) => e.action)).toEqual(["org.member_role_changed"]);
    expect((await listOrgEvents(t.db, A.orgId, { from: "2026-05-30", to: "2026-05-31" })).events.map((e) => e.action)).toEqual([
      "org.member_role_changed",
      "mfa.factor_added",
    ]);
    expect((await listOrgEvents(t.db, A.orgId, { from: "2026-06-01" })).events.map((e) => e.action)).toEqual(["sign_in.failed_password"]);
    expect((await listOrgEvents(t.db, A.orgId, { to: "2026-05-29" })).events.map((e) => e.action)).toEqual(["sign_in.succeeded"]);
  });

  it("refuses a bad filter next to its field, lists nothing, and the export answers 400", async () => {
    const bad: [Record<string, string>, string, string][] = [
      [{ member: "1 or 1=1" }, "member", "Choose a member from the list."],
      [{ kind: "everything" }, "kind", "Choose a kind of event from the list."],
      [{ from: "2026-02-30" }, "from", "Enter the first day as a date, like 2026-01-31."],
      [{ from: "2026-06-02", to: "2026-06-01" }, "to", "The last day cannot be before the first day."],
      [{ before: "bm90IGEgY3Vyc29y" }, "before", "This page link is not valid. Start from the newest events."],
    ];
    request.sessionToken = A.admin.token;
    for (const [params, field, message] of bad) {
      const parsed = parseSecurityLogQuery(params);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]).toMatchObject({ path: [field], message });
      const rendered = (await pageEvents(params)) as { text: string };
      expect(rendered.text).toContain(message);
      expect(rendered.text).not.toContain("203.0.113.7");
      expect((await exportRoute(exportUrl(`?${new URLSearchParams(params)}`))).status).toBe(400);
    }
  });
});

describe("keyset pagination", () => {
  it("pages of 50 stay stable while new events arrive, with ties on the time (down to the microsecond) broken by id", async () => {
    const [o] = await t.db.insert(organisations).values({ name: "Busy Org" }).returning();
    const admin = await person(o.id, "admin", "Pam Pager");
    // 130 events: groups of 10 share one instant, and instants 1 µs apart share one millisecond.
    await t.db.execute(sql`
      insert into audit_events (organisation_id, action, user_id, actor_id, created_at)
      select ${o.id}::uuid, 'sign_in.succeeded', ${admin.id}::uuid, ${admin.id}::uuid,
        '2026-06-01T00:00:00Z'::timestamptz + make_interval(secs => (g / 10) * 0.000001)
      from generate_series(1, 130) g`);
    const all = (await listOrgEvents(t.db, o.id, {}, 1000)).events.map((e) => e.id);
    expect(all).toHaveLength(130);
    expect(new Set(all).size).toBe(130);

    const first = await listOrgEvents(t.db, o.id, {});
    expect(first.events.map((e) => e.id)).toEqual(all.slice(0, 50));
    expect(first.newer).toBeNull();
    // Thirty events arrive while the admin reads page one.
    await t.db.execute(sql`
      insert into audit_events (organisation_id, action, user_id, actor_id, created_at)
      select ${o.id}::uuid, 'session.signed_out', ${admin.id}::uuid, ${admin.id}::uuid, now() from generate_series(1, 30)`);
    const query = parseSecurityLogQuery({ before: first.older ?? "" });
    if (!query.success) throw new Error("cursor did not parse");
    const second = await listOrgEvents(t.db, o.id, query.data);
    expect(second.events.map((e) => e.id)).toEqual(all.slice(50, 100));
    const third = await listOrgEvents(t.db, o.id, (parseSecurityLogQuery({ before: second.older ?? "" }) as { data: object }).data);
    expect(third.events.map((e) => e.id)).toEqual(all.slice(100, 130));
    expect(third.older).toBeNull();
    // Back: "Newer" from page three is page two again, not shifted by the thirty new events.
    const back = await listOrgEvents(t.db, o.id, (parseSecurityLogQuery({ after: third.newer ?? "" }) as { data: object }).data);
    expect(back.events.map((e) => e.id)).toEqual(all.slice(50, 100));
    // And the first page, read again, starts with the new events.
    expect((await listOrgEvents(t.db, o.id, {})).events.slice(0, 30).every((e) => e.action === "session.signed_out")).toBe(true);
  });
});

describe("CSV", () => {
  it("quotes every field, doubles quotes, keeps commas and line breaks inside, and neutralises formula characters", () => {
    expect(csvField("plain")).toBe('"plain"');
    expect(csvField(null)).toBe('""');
    expect(csvField('a,b "c"\nd')).toBe('"a,b ""c""\nd"');
    for (const danger of ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(csvField(danger)).toBe(`"'${danger}"`);
    expect(csvField("=HYPERLINK(\"http://evil\")")).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField("a=b")).toBe('"a=b"');
    expect(csvLine(["x", "y"])).toBe('"x","y"\r\n');
  });

  it("exports the current filter with UTC times, actor, subject, action, browser and IP, names that look like formulas neutralised", async () => {
    const [o] = await t.db.insert(organisations).values({ name: "CSV Org" }).returning();
    const admin = await person(o.id, "admin", "Ann Export");
    const evil = await person(o.id, "member", "=HYPERLINK(\"http://evil.example\",\"x\")");
    await t.db.insert(auditEvents).values([
      event(o.id, "org.renamed", admin, new Date("2026-06-02T08:30:00.123Z"), { detail: { from: "CSV Org", to: "+cmd, \"quoted\"\nline" } }),
      event(o.id, "sign_in.succeeded", evil, new Date("2026-06-02T09:00:00Z"), { ip: "2001:db8::1" }),
    ]);
    request.sessionToken = admin.token;
    const response = await exportRoute(exportUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="security-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const csv = await response.text();
    const [head, exportedLine, ...lines] = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(head).toBe('"Time (UTC)","Action","Event code","Actor","Actor email","Subject","Subject email","Browser","IP address","Details"');
    // The newest event is the export itself, audited before the first row was read.
    expect(exportedLine).toMatch(/^"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z","Security log exported","org\.security_log_exported","Ann Export",/);
    expect(lines[0]).toBe(
      `"2026-06-02T09:00:00.000000Z","Signed in","sign_in.succeeded","'=HYPERLINK(""http://evil.example"",""x"")","${evil.email}","'=HYPERLINK(""http://evil.example"",""x"")","${evil.email}","Chrome on macOS","2001:db8::1",""`,
    );
    expect(lines[1]).toBe(
      `"2026-06-02T08:30:00.123000Z","Organisation renamed","org.renamed","Ann Export","${admin.email}","Ann Export","${admin.email}","Chrome on macOS","203.0.113.7","from: CSV Org · to: +cmd, ""quoted""\nline"`,
    );
    expect(lines[2]).toBe("");
    // The export itself is in the log.
    const [exported] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.id), eq(auditEvents.action, "org.security_log_exported")));
    expect(exported).toMatchObject({ userId: admin.id, detail: { member: null, kind: null, from: null, to: null } });
    // Filtered: only what the page shows for the same filter.
    const filtered = await (await exportRoute(exportUrl(`?member=${evil.id}`))).text();
    expect(filtered.trim().split("\r\n")).toHaveLength(2);
    expect(filtered).toContain("sign_in.succeeded");
  });

  it("streams 100,000 rows in batches of 1,000, reading the next batch only when the client asks for it", { timeout: 180_000 }, async () => {
    const [o] = await t.db.insert(organisations).values({ name: "Big Org" }).returning();
    const admin = await person(o.id, "admin", "Bea Big");
    await t.db.execute(sql`
      insert into audit_events (organisation_id, action, user_id, actor_id, ip, user_agent, created_at)
      select ${o.id}::uuid, 'sign_in.succeeded', ${admin.id}::uuid, ${admin.id}::uuid, '192.0.2.' || (g % 250), 'Firefox/128.0 (Windows NT 10.0)',
        '2026-01-01T00:00:00Z'::timestamptz + make_interval(secs => g)
      from generate_series(1, 100500) g`);
    const [{ n }] = await t.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.organisationId, o.id));
    expect(Number(n)).toBe(100_500);

    // Count the reads the route makes: every batch is one select on the database.
    let selects = 0;
    request.db = new Proxy(t.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === "select" && typeof value === "function")
          return (...args: unknown[]) => {
            selects += 1;
            return value.apply(target, args);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Db;
    request.sessionToken = admin.token;
    try {
      const response = await exportRoute(exportUrl());
      // From here on every select is a batch (the session lookup came before).
      selects = 0;
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
      const header = decoder.decode((await reader.read()).value);
      expect(header.startsWith("\uFEFF\"Time (UTC)\"")).toBe(true);
      const first = decoder.decode((await reader.read()).value);
      expect(first.split("\r\n").filter(Boolean)).toHaveLength(1000);
      // Lazy: with one batch delivered, at most the next one has been read (the stream's one-chunk buffer).
      expect(selects).toBeLessThanOrEqual(2);
      let rows = 1000;
      let chunks = 1;
      let biggest = 1000;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const lines = decoder.decode(value).split("\r\n").filter(Boolean).length;
        rows += lines;
        chunks += 1;
        biggest = Math.max(biggest, lines);
      }
      // The newest 100,000 of the 100,500 events and the export's own event.
      expect(rows).toBe(100_000);
      expect(chunks).toBe(100);
      expect(biggest).toBe(1000);
      expect(selects).toBe(100);
    } finally {
      request.db = t.db;
    }
  });
});

describe("retention", () => {
  it("deletes events older than AUDIT_RETENTION_DAYS (default 365) in batches, and keeps the rest", async () => {
    expect(auditRetentionDays({})).toBe(365);
    expect(auditRetentionDays({ AUDIT_RETENTION_DAYS: "30" })).toBe(30);
    expect(auditRetentionDays({ AUDIT_RETENTION_DAYS: "-5" })).toBe(365);
    expect(auditRetentionDays({ AUDIT_RETENTION_DAYS: "lots" })).toBe(365);
    expect(PERIODIC_JOBS.map((j) => j.name)).toContain("audit-retention");

    const [o] = await t.db.insert(organisations).values({ name: "Old Org" }).returning();
    const admin = await person(o.id, "admin", "Olga Old");
    // After every other event of this file (they are from 2026) by less than the retention period.
    const now = new Date("2026-08-01T00:00:00Z");
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    await t.db.insert(auditEvents).values([
      ...Array.from({ length: 7 }, (_, i) => event(o.id, "sign_in.succeeded", admin, daysAgo(400 + i))),
      event(o.id, "sign_in.succeeded", admin, new Date(daysAgo(365).getTime() - MINUTE)),
      event(o.id, "sign_in.succeeded", admin, new Date(daysAgo(365).getTime() + MINUTE)),
      event(o.id, "password.changed", admin, daysAgo(10)),
    ]);
    const before = await t.db.select({ n: count() }).from(auditEvents);
    expect(await deleteExpiredEvents(t.db, now, { batchSize: 3 })).toBeGreaterThanOrEqual(8);
    const left = await t.db.select({ at: auditEvents.createdAt }).from(auditEvents).where(eq(auditEvents.organisationId, o.id));
    expect(left.map((r) => r.at.getTime()).sort()).toEqual([daysAgo(365).getTime() + MINUTE, daysAgo(10).getTime()]);
    // Nothing newer than the cut-off went, in any organisation.
    const after = await t.db.select({ n: count() }).from(auditEvents).where(sql`${auditEvents.createdAt} >= ${daysAgo(365).toISOString()}::timestamptz`);
    expect(Number(after[0].n)).toBeGreaterThan(0);
    expect(Number(before[0].n)).toBeGreaterThan(Number((await t.db.select({ n: count() }).from(auditEvents))[0].n));
    // Run again (a second instance, or late): nothing more to do.
    expect(await deleteExpiredEvents(t.db, now, { batchSize: 3 })).toBe(0);
  });
});
