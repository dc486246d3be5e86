import type { PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/connect";
import { auditEvents, emailOutbox, emailTokens, mfaFactors, otpChallenges, rateLimits, sessions, smsMessages, users } from "@/db/schema";
import { verifyEmail } from "@/lib/auth/email-verification";
import { signUpSchema } from "@/lib/auth/schemas";
import { findActiveSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { signUp } from "@/lib/auth/sign-up";
import { confirmPassword } from "@/lib/auth/reauth";
import { findOpenChallenge } from "@/lib/mfa/challenge";
import { signInWithCode } from "@/lib/mfa/sign-in";
import { checkEnrollmentCode, completeSmsEnrollment, startSmsEnrollment } from "@/lib/mfa/sms/enrollment";
import { createSmsSender } from "@/lib/sms";
import { getTestDb, type TestDb } from "./helpers/db";
import { linkToken } from "./helpers/emails";
import { codeInBody } from "./helpers/fixtures";
import { type SnsStandIn, startSnsStandIn } from "./helpers/sns-stand-in";

/**
 * A whole life through the domain (sign-up, SMS registration, a wrong password, sign-in with a wrong and then
 * the right code) with the production SMS path: the SNS sender against a local stand-in, which records
 * deliveries in sms_messages. (The dev outbox stores message bodies by design, so it is not used here.)
 * Afterwards no row and no log line may hold a code, a password, a session token or the phone number.
 */

const PASSWORD = "CorrectHorse-Battery-9";
const WRONG_PASSWORD = "WrongHorse-Battery-7";
const PHONE = "+31612345678";
const PHONE_FORMS = [PHONE, PHONE.slice(1), "0612345678", "612345678"];
const ENV_KEYS = ["SMS_PROVIDER", "AWS_ENDPOINT_URL_SNS", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

let t: TestDb;
let standIn: SnsStandIn;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const logged: string[] = [];
const secrets = { codes: [] as string[], tokens: [] as string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * Every text value of every row, as stored. Ids and hex digests are left out: they are random hex, in
 * which any six digits turn up by chance now and then, and they cannot carry a readable code anyway.
 */
async function textValues(db: Db, table: PgTable) {
  const rows = (await db.select().from(table)) as Record<string, unknown>[];
  const values: { column: string; text: string }[] = [];
  const walk = (column: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (value instanceof Date) {
      values.push({ column, text: value.toISOString() });
    } else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(`${column}.${k}`, v);
    } else {
      const text = String(value);
      if (!UUID.test(text) && !HEX_DIGEST.test(text)) values.push({ column, text });
    }
  };
  for (const row of rows) for (const [column, value] of Object.entries(row)) walk(column, value);
  return { rows, values };
}

function findIn(values: { column: string; text: string }[], needles: string[]) {
  return values.filter((v) => needles.some((n) => v.text.includes(n))).map((v) => v.column);
}

beforeAll(async () => {
  t = await getTestDb();
  standIn = await startSnsStandIn();
  Object.assign(process.env, {
    SMS_PROVIDER: "sns",
    AWS_ENDPOINT_URL_SNS: standIn.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }

  const db = t.db;
  const sms = createSmsSender(db);
  const info = { ip: "203.0.113.50", userAgent: "Mozilla/5.0 test" };
  const ctx = { sms, host: "accounts.example.com", info };
  const lastCode = () => {
    const body = standIn.published.at(-1)?.message;
    if (!body) throw new Error("nothing was published");
    return codeInBody(body);
  };

  // Sign-up, the address proven by its link, then the first sign-in.
  const signedUp = await signUp(db, signUpSchema.parse({ name: "Sam Secret", email: "sam@example.com", password: PASSWORD, organisation: "Secret Co" }), info);
  if (!signedUp.ok) throw new Error("sign-up failed");
  const verifyToken = await linkToken(db, "sam@example.com", "verify_email");
  secrets.tokens.push(verifyToken);
  if (!(await verifyEmail(db, verifyToken, info)).ok) throw new Error("verification failed");
  const first = await signInWithPassword(db, ctx, { email: "sam@example.com", password: PASSWORD }, info);
  if (!first.ok) throw new Error("first sign-in failed");
  secrets.tokens.push(first.token);
  const signedIn = { token: first.token };
  const claimed = (await findActiveSession(db, first.token))?.session;
  if (!claimed) throw new Error("no session");
  const current = await findActiveSession(db, signedIn.token);
  if (!current) throw new Error("no session");

  // Registration of the phone number (the help article's steps).
  if (!(await confirmPassword(db, { userId: claimed.userId, sessionId: claimed.id, password: PASSWORD })).ok) throw new Error("password step failed");
  const actor = async () => {
    const s = await findActiveSession(db, signedIn.token);
    if (!s) throw new Error("no session");
    return { userId: s.user.id, sessionId: s.session.id, organisationId: s.organisation?.id ?? null, reauthenticatedAt: s.session.reauthenticatedAt };
  };
  const started = await startSmsEnrollment(db, ctx, await actor(), { phone: PHONE });
  if (!started.ok || started.delivery.status !== "sent") throw new Error("enrolment SMS failed");
  const enrollCode = lastCode();
  secrets.codes.push(enrollCode);
  if (!(await checkEnrollmentCode(db, await actor(), { challengeId: started.challengeId, code: enrollCode })).ok)
    throw new Error("enrolment code refused");
  if (!(await completeSmsEnrollment(db, await actor(), { challengeId: started.challengeId, info })).ok) throw new Error("save failed");

  // A wrong password, then a sign-in with a wrong code and the right one.
  if ((await signInWithPassword(db, ctx, { email: "sam@example.com", password: WRONG_PASSWORD }, info)).ok) throw new Error("wrong password accepted");
  const pending = await signInWithPassword(db, ctx, { email: "SAM@example.com", password: PASSWORD }, info);
  if (!pending.ok || pending.mfaState !== "pending") throw new Error("expected a pending sign-in");
  secrets.tokens.push(pending.token);
  const pendingSession = await findActiveSession(db, pending.token);
  const challenge = pendingSession && (await findOpenChallenge(db, pendingSession.session.id, "login"));
  if (!pendingSession || !challenge) throw new Error("no login challenge");
  const loginCode = lastCode();
  secrets.codes.push(loginCode);
  const wrongCode = loginCode === "000000" ? "111111" : "000000";
  // As the code form's route does it: from the cookie's token (lib/mfa/login.ts signInWithCode).
  const wrong = await signInWithCode(db, pending.token, { challengeId: challenge.id, code: wrongCode, info });
  if (wrong.ok) throw new Error("wrong code accepted");
  const done = await signInWithCode(db, pending.token, { challengeId: challenge.id, code: loginCode, info });
  if (!done.ok) throw new Error(`right code refused: ${done.error}`);
  secrets.tokens.push(done.token);
  if (!(await findActiveSession(db, done.token))) throw new Error("the verified session is not live after MFA");
});

afterAll(async () => {
  vi.restoreAllMocks();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await standIn?.close();
  await t?.close();
});

describe("after a full sign-up, SMS registration and MFA sign-in", () => {
  it("went through the provider: two codes to the number, delivery rows with the masked number only", async () => {
    expect(standIn.published.map((p) => p.phoneNumber)).toEqual([PHONE, PHONE]);
    expect(secrets.codes).toHaveLength(2);
    const { rows } = await textValues(t.db, smsMessages);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatchObject({ provider: "sns", status: "sent", to: null, body: null, toMasked: "•••• 5678" });
  });

  it("left events for each step", async () => {
    const { rows } = await textValues(t.db, auditEvents);
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(["user.signed_up", "mfa.enabled", "sign_in.failed_password", "sign_in.failed_code", "sign_in.succeeded"]),
    );
  });

  for (const [name, table] of [
    ["audit_events", auditEvents],
    ["sessions", sessions],
    ["otp_challenges", otpChallenges],
    ["sms_messages", smsMessages],
    ["rate_limits", rateLimits],
    ["mfa_factors", mfaFactors],
    ["users", users],
    ["email_tokens", emailTokens],
    ["email_outbox", emailOutbox],
  ] as const) {
    it(`stores no code, password or session token in ${name}`, async () => {
      const { values } = await textValues(t.db, table);
      expect(values.length).toBeGreaterThan(0);
      expect(findIn(values, secrets.codes)).toEqual([]);
      expect(findIn(values, [PASSWORD, WRONG_PASSWORD])).toEqual([]);
      expect(findIn(values, secrets.tokens)).toEqual([]);
    });
  }

  for (const [name, table] of [
    ["audit_events", auditEvents],
    ["sessions", sessions],
    ["sms_messages", smsMessages],
  ] as const) {
    it(`stores no full phone number in ${name}`, async () => {
      const { values } = await textValues(t.db, table);
      expect(findIn(values, PHONE_FORMS)).toEqual([]);
    });
  }

  it("keeps the full number in otp_challenges only in the destination column", async () => {
    const { values } = await textValues(t.db, otpChallenges);
    expect([...new Set(findIn(values, PHONE_FORMS))]).toEqual(["phone"]);
  });

  it("shows at most the last four digits of the number in audit details", async () => {
    const { rows } = await textValues(t.db, auditEvents);
    const enabled = rows.find((r) => r.action === "mfa.enabled");
    expect(enabled?.detail).toMatchObject({ phoneLast4: "5678" });
  });

  it("would notice a code written into a text or JSON column (the scan is not blind)", async () => {
    const seen = await t.db
      .transaction(async (tx) => {
        await tx.insert(auditEvents).values({ action: "sign_in.failed_code", detail: { note: `typed ${secrets.codes[1]}` } });
        const { values } = await textValues(tx, auditEvents);
        throw Object.assign(new Error("rollback"), { columns: findIn(values, secrets.codes) });
      })
      .catch((error: { columns?: string[] }) => error.columns);
    expect(seen).toEqual(["detail.note"]);
    expect(findIn((await textValues(t.db, auditEvents)).values, secrets.codes)).toEqual([]);
  });

  it("logged no code, password, token or phone number", () => {
    const all = logged.join("\n");
    for (const needle of [...secrets.codes, PASSWORD, WRONG_PASSWORD, ...secrets.tokens, ...PHONE_FORMS]) expect(all).not.toContain(needle);
  });
});
