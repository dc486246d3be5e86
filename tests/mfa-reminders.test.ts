import "./helpers/mock-next";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, emailOutbox, memberships, mfaReminders, organisations, users } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { decrypt } from "@/lib/crypto/encryption";
import { sealedPropsContext } from "@/lib/email/outbox";
import { PERIODIC_JOBS } from "@/lib/jobs/periodic";
import { ORG_ERRORS } from "@/lib/org/errors";
import { queueScheduledReminders, remindMembers } from "@/lib/org/mfa-reminders";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, uniqueEmail } from "./helpers/fixtures";
import { formData as fd, request } from "./helpers/next-mocks";

const org = await import("@/app/(app)/org/settings/actions");

/**
 * Reminders to set up MFA before an organisation's deadline: 7, 3 and 1 days before and on the day, by the
 * periodic job, and when an admin presses Remind. At most one per member per UTC day, whoever sends it and
 * however many app instances run the job (the mfa_reminders primary key, written with ON CONFLICT DO NOTHING
 * in the transaction that queues the email).
 */

let t: TestDb;
const idle = { status: "idle" } as const;
const DAY = 86_400_000;
const DEADLINE = new Date("2026-12-14T00:00:00Z");

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterEach(() => {
  vi.useRealTimers();
  delete process.env.LIMIT_MFA_REMINDERS_PER_ORG_HOUR;
});
afterAll(async () => {
  await t.close();
});

/** An organisation requiring MFA from `deadline`, its admin (with MFA), `without` members without it and one member with it. */
async function freshOrg(options: { deadline?: Date | null; required?: boolean; without?: number; name?: string } = {}) {
  const [o] = await t.db
    .insert(organisations)
    .values({ name: options.name ?? "Reminder Org", mfaRequired: options.required ?? true, mfaEnforcedFrom: options.deadline === undefined ? DEADLINE : options.deadline })
    .returning();
  const person = async (role: "admin" | "member", name: string, withMfa: boolean) => {
    const { user, org: own } = await makeUser(t.db, { role, phone: withMfa ? `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}` : undefined, email: uniqueEmail(name.toLowerCase()) });
    await t.db.update(users).set({ name }).where(eq(users.id, user.id));
    await t.db.update(memberships).set({ organisationId: o.id }).where(eq(memberships.userId, user.id));
    await t.db.delete(organisations).where(eq(organisations.id, own.id));
    return { id: user.id, email: user.email, name };
  };
  const admin = await person("admin", "Ada", true);
  const { token, session } = await createSession(t.db, { userId: admin.id, mfaState: "verified", handoff: false });
  const without = [];
  for (let i = 0; i < (options.without ?? 3); i++) without.push(await person("member", `Member${i}`, false));
  const covered = await person("member", "Cora", true);
  return { orgId: o.id, admin: { ...admin, token, sessionId: session.id }, without, covered, actor: { userId: admin.id, sessionId: session.id, organisationId: o.id } };
}
type Org = Awaited<ReturnType<typeof freshOrg>>;

const outboxFor = (userIds: string[]) =>
  userIds.length === 0 ? Promise.resolve([]) : t.db.select().from(emailOutbox).where(and(inArray(emailOutbox.userId, userIds), eq(emailOutbox.template, "mfa_reminder")));
const everyone = (o: Org) => [o.admin.id, o.covered.id, ...o.without.map((m) => m.id)];

describe("the scheduled reminders", () => {
  it("is on the list of periodic jobs", () => {
    expect(PERIODIC_JOBS.map((j) => j.name)).toContain("mfa-reminders");
  });

  it("send exactly one email per member without MFA on 7, 3 and 1 days before and on the day, with two instances running at once", async () => {
    const o = await freshOrg();
    const other = await freshOrg({ required: false, deadline: null, name: "No Requirement" });
    const sentOn: Record<string, number> = {};
    for (let d = -9; d <= 2; d++) {
      const day = new Date(DEADLINE.getTime() + d * DAY + 9 * 3_600_000);
      const before = (await outboxFor(everyone(o))).length;
      // Two instances run the job at the same moment, then one runs again later that day.
      await Promise.all([queueScheduledReminders(t.db, day), queueScheduledReminders(t.db, day)]);
      await queueScheduledReminders(t.db, new Date(day.getTime() + 6 * 3_600_000));
      sentOn[String(-d)] = (await outboxFor(everyone(o))).length - before;
    }
    expect(sentOn).toEqual({ "9": 0, "8": 0, "7": 3, "6": 0, "5": 0, "4": 0, "3": 3, "2": 0, "1": 3, "0": 3, "-1": 0, "-2": 0 });
    const rows = await outboxFor(o.without.map((m) => m.id));
    for (const m of o.without) expect(rows.filter((r) => r.userId === m.id)).toHaveLength(4);
    expect(await outboxFor([o.admin.id, o.covered.id, ...everyone(other)])).toEqual([]);
  });

  it("queues the mfa_reminder message with the name, the organisation, the deadline and a sealed link to the setup", async () => {
    const o = await freshOrg({ without: 1, name: "Acme, Inc." });
    expect(await queueScheduledReminders(t.db, new Date(DEADLINE.getTime() - 3 * DAY))).toBeGreaterThanOrEqual(1);
    const [row] = await outboxFor([o.without[0].id]);
    expect(row).toMatchObject({
      template: "mfa_reminder",
      toAddress: o.without[0].email,
      status: "pending",
      props: { name: "Member0", organisation: "Acme, Inc.", deadline: "2026-12-14" },
    });
    expect(row.props).not.toHaveProperty("link");
    expect(JSON.parse(decrypt(row.sealedProps as string, sealedPropsContext(row.id)))).toEqual({ link: "http://localhost:3000/account/mfa-setup" });
  });

  it("stops reminding a member once they set MFA up", async () => {
    const o = await freshOrg({ without: 2 });
    await queueScheduledReminders(t.db, new Date(DEADLINE.getTime() - 7 * DAY));
    await t.db.update(users).set({ mfaEnabled: true }).where(eq(users.id, o.without[0].id));
    await queueScheduledReminders(t.db, new Date(DEADLINE.getTime() - 3 * DAY));
    expect(await outboxFor([o.without[0].id])).toHaveLength(1);
    expect(await outboxFor([o.without[1].id])).toHaveLength(2);
  });
});

describe("Remind and Remind all", () => {
  it("Remind emails one member; a second press, or the schedule, the same day sends nothing more", async () => {
    const o = await freshOrg({ deadline: new Date(Date.now() + 3 * DAY) });
    request.sessionToken = o.admin.token;
    const target = o.without[0];
    expect(await org.remindMembersAction(idle, fd({ userId: target.id }))).toEqual({ status: "success", message: "Reminder sent." });
    expect(await org.remindMembersAction(idle, fd({ userId: target.id }))).toEqual({
      status: "success",
      message: "They were already reminded today. They get at most one reminder a day.",
    });
    await queueScheduledReminders(t.db, new Date());
    expect(await outboxFor([target.id])).toHaveLength(1);
    const [mark] = await t.db.select().from(mfaReminders).where(eq(mfaReminders.userId, target.id));
    expect(mark).toMatchObject({ kind: "admin", organisationId: o.orgId });
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, o.orgId), eq(auditEvents.action, "org.mfa_reminders_sent")));
    expect(event).toMatchObject({ userId: target.id, actorId: o.admin.id, detail: { sent: 1, alreadyToday: 0, scope: "member" } });
  });

  it("Remind all emails everyone without MFA once, and says who was reminded already", async () => {
    const o = await freshOrg({ without: 3 });
    request.sessionToken = o.admin.token;
    await org.remindMembersAction(idle, fd({ userId: o.without[0].id }));
    expect(await org.remindMembersAction(idle, fd({}))).toEqual({ status: "success", message: "Reminder sent to 2 members. 1 already reminded today." });
    expect(await org.remindMembersAction(idle, fd({}))).toEqual({ status: "success", message: "Everyone without MFA was already reminded today." });
    for (const m of o.without) expect(await outboxFor([m.id])).toHaveLength(1);
    expect(await outboxFor([o.admin.id, o.covered.id])).toEqual([]);
  });

  it("20 parallel presses of Remind for one member queue exactly one email", async () => {
    const o = await freshOrg({ without: 1 });
    request.sessionToken = o.admin.token;
    const results = await Promise.all(Array.from({ length: 20 }, () => org.remindMembersAction(idle, fd({ userId: o.without[0].id }))));
    expect(results.filter((r) => r.status === "success" && r.message === "Reminder sent.")).toHaveLength(1);
    expect(await outboxFor([o.without[0].id])).toHaveLength(1);
  });

  it("20 parallel presses of Remind all take the organisation's hourly budget exactly: 5 go through, 15 are refused, one email per member", async () => {
    process.env.LIMIT_MFA_REMINDERS_PER_ORG_HOUR = "5";
    const o = await freshOrg({ without: 4 });
    request.sessionToken = o.admin.token;
    const results = await Promise.all(Array.from({ length: 20 }, () => org.remindMembersAction(idle, fd({}))));
    expect(results.filter((r) => r.status === "success")).toHaveLength(5);
    const refused = results.filter((r) => r.status === "error");
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r).toEqual({ status: "error", message: expect.stringMatching(/^You have sent many reminders this hour\. Try again in \d+ minutes\.$/) });
    for (const m of o.without) expect(await outboxFor([m.id])).toHaveLength(1);
  });

  it("refuses where nothing is required, for a member who has MFA, and for someone outside the organisation (like an unknown id)", async () => {
    const none = await freshOrg({ required: false, deadline: null });
    request.sessionToken = none.admin.token;
    expect(await org.remindMembersAction(idle, fd({ userId: none.without[0].id }))).toEqual({ status: "error", message: ORG_ERRORS.mfa_not_required });

    const o = await freshOrg();
    const elsewhere = await freshOrg();
    request.sessionToken = o.admin.token;
    expect(await org.remindMembersAction(idle, fd({ userId: o.covered.id }))).toEqual({ status: "error", message: ORG_ERRORS.already_set_up });
    const foreign = await org.remindMembersAction(idle, fd({ userId: elsewhere.without[0].id }));
    expect(foreign).toEqual({ status: "error", message: ORG_ERRORS.not_found });
    expect(await org.remindMembersAction(idle, fd({ userId: crypto.randomUUID() }))).toEqual(foreign);
    expect(await org.remindMembersAction(idle, fd({ userId: "1 or 1=1" }))).toEqual(foreign);
    expect(await outboxFor([...everyone(none), ...everyone(o), ...everyone(elsewhere)])).toEqual([]);
  });

  it("a member cannot remind anyone (the DAL sends them home) and nothing is queued", async () => {
    const o = await freshOrg({ without: 2 });
    const { token } = await createSession(t.db, { userId: o.without[0].id, mfaState: "not_required", handoff: false });
    request.sessionToken = token;
    await expect(org.remindMembersAction(idle, fd({}))).rejects.toThrow("NEXT_REDIRECT /");
    // The domain says the same to a forged actor.
    expect(await remindMembers(t.db, { ...o.actor, userId: o.without[0].id }, {})).toEqual({ ok: false, error: "forbidden" });
    expect(await outboxFor(everyone(o))).toEqual([]);
  });
});
