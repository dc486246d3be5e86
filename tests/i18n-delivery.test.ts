import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailOutbox, users } from "@/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { deliverDueEmails } from "@/lib/email/sender";
import type { EmailSender, OutgoingEmail } from "@/lib/email/types";
import { startSmsChallenge } from "@/lib/mfa/sms/delivery";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser, recordingSms, uniqueEmail } from "./helpers/fixtures";
import { formData as form, outcome, request } from "./helpers/next-mocks";
import "./helpers/mock-next";

const { signUpAction } = await import("@/app/(auth)/signup/actions");
const { setLanguageAction } = await import("@/app/(app)/account/language-actions");

let t: TestDb;
const sent: OutgoingEmail[] = [];
const sender: EmailSender = {
  provider: "ses",
  async send(email) {
    sent.push(email);
    return { ok: true, messageId: `m-${sent.length}` };
  },
};
const PASSWORD = "a long enough secret";
const withLanguage = (value: string | null) => {
  if (value === null) request.headers.delete("accept-language");
  else request.headers.set("accept-language", value);
};

beforeAll(async () => {
  t = await getTestDb();
  request.db = t.db;
});
afterAll(async () => {
  withLanguage(null);
  await t?.close();
});

describe("a Dutch-speaking browser", () => {
  it("signs up in Dutch: the form's refusals, and the confirmation email (its row remembers the language)", async () => {
    withLanguage("nl-NL,nl;q=0.9,en;q=0.8");
    request.sessionToken = null;
    const refused = await outcome(() => signUpAction({ status: "idle" }, form({ name: "", email: "x", password: "short", organisation: "Org" })));
    expect(refused).toMatchObject({ value: { status: "error", fieldErrors: { name: "Voer je naam in.", password: "Gebruik minstens 8 tekens." } } });

    const email = uniqueEmail("nl");
    await outcome(() => signUpAction({ status: "idle" }, form({ name: "Daan", email, password: PASSWORD, organisation: "Voorbeeld BV" })));
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, email));
    expect(row.locale).toBe("nl");

    await deliverDueEmails(t.db, new Date(), { sender });
    const mail = sent.find((m) => m.to === email)!;
    expect(mail.subject).toBe("Bevestig je e-mailadres voor Feedback Accounts");
    expect(mail.text).toContain("Hoi Daan,");
    expect(mail.text).toContain("De link werkt 24 uur en maar één keer.");
    expect(mail.html).toContain('lang="nl"');
  });

  it("leaves English untouched for a browser that asks for none", async () => {
    withLanguage(null);
    const email = uniqueEmail("en");
    await outcome(() => signUpAction({ status: "idle" }, form({ name: "Ada", email, password: PASSWORD, organisation: "Example" })));
    await deliverDueEmails(t.db, new Date(), { sender });
    const mail = sent.find((m) => m.to === email)!;
    expect(mail.subject).toBe("Confirm your email address for Feedback Accounts");
    expect(mail.text).toContain("The link works for 24 hours and only once.");
  });
});

describe("an account whose language is Dutch", () => {
  it("gets its text messages in Dutch whatever the browser says, the origin-bound line last and unchanged", async () => {
    withLanguage("en-US");
    const { user } = await makeUser(t.db, { phone: "+31612345678" });
    await t.db.update(users).set({ locale: "nl" }).where(eq(users.id, user.id));
    const { session } = await createSession(t.db, { userId: user.id, mfaState: "pending", handoff: false });
    const sms = recordingSms();
    await startSmsChallenge(t.db, { sms: sms.sender, host: "app.example.com" }, { userId: user.id, sessionId: session.id, purpose: "login", phone: "+31612345678" });
    const body = sms.sent.at(-1)!.body;
    expect(body).toMatch(/^Feedback Accounts: je verificatiecode is (\d{6})\. Hij is 10 minuten geldig\.\n\n@app\.example\.com #\1$/);
  });

  it("is chosen on My account, audited, and read back by every page from then on; its email is Dutch even from an English browser", async () => {
    withLanguage("en-US");
    const { user } = await makeUser(t.db, {});
    const { token } = await createSession(t.db, { userId: user.id, mfaState: "verified", handoff: false });
    request.sessionToken = token;
    const saved = await outcome(() => setLanguageAction({ status: "idle" }, form({ locale: "nl" })));
    expect(saved).toEqual({ value: { status: "success", message: "Opgeslagen. Pagina's, e-mails en sms'jes zijn nu in het Nederlands." } });
    const [row] = await t.db.select({ locale: users.locale }).from(users).where(eq(users.id, user.id));
    expect(row.locale).toBe("nl");
    expect(await outcome(() => setLanguageAction({ status: "idle" }, form({ locale: "fr" })))).toEqual({ value: { status: "error", message: "Kies English of Nederlands." } });

    const { queueEmail } = await import("@/lib/email/outbox");
    await queueEmail(t.db, { userId: user.id, to: user.email, message: { template: "email_code", name: "Test User", code: "123456", minutes: 10 } });
    await deliverDueEmails(t.db, new Date(), { sender });
    const mail = sent.find((m) => m.to === user.email)!;
    expect(mail.subject).toBe("Je verificatiecode voor Feedback Accounts");
    expect(mail.text).toContain("Hij werkt 10 minuten en maar één keer.");
    request.sessionToken = null;
  });
});
