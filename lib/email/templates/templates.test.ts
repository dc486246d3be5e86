import { afterEach, describe, expect, it } from "vitest";
import { encrypt } from "@/lib/crypto/encryption";
import { linksIn } from "../dev-outbox";
import type { EmailMessage, NoticeKind } from "../messages";
import { sealedPropsContext } from "../outbox";
import { NOTICE_KINDS, sampleMessages } from "../samples";
import { formatDate, formatDateTime } from "./format";
import { renderEmail, renderMessage, TEMPLATES } from "./index";
import { NOTICES } from "./security-notice";

const NOW = new Date("2026-11-30T14:05:09Z");
const samples = sampleMessages(NOW);
const savedAppName = process.env.APP_NAME;

afterEach(() => {
  if (savedAppName === undefined) delete process.env.APP_NAME;
  else process.env.APP_NAME = savedAppName;
});

/** The links a message carries, by prop name. */
function linksOf(message: EmailMessage): string[] {
  return Object.entries(message)
    .filter(([key, value]) => /link$/i.test(key) && typeof value === "string")
    .map(([, value]) => value as string);
}

describe("every template", () => {
  it("has a sample, and every notice kind has words and a sample", () => {
    expect(new Set(samples.map((m) => m.template))).toEqual(new Set(Object.keys(TEMPLATES)));
    expect(new Set(NOTICE_KINDS)).toEqual(new Set(Object.keys(NOTICES)));
    const kinds = samples.flatMap((m) => (m.template === "security_notice" ? [m.kind] : []));
    expect(kinds.sort()).toEqual([...NOTICE_KINDS].sort());
  });

  it.each(samples.map((m) => [m.template === "security_notice" ? `security_notice/${m.kind}` : m.template, m] as const))(
    "%s renders a subject, HTML and plain text carrying its links, with no script and no remote image",
    async (_name, message) => {
      const { subject, html, text } = await renderMessage(message);

      expect(subject.length).toBeGreaterThan(10);
      expect(subject).not.toMatch(/[\r\n]/);
      expect(html).toMatch(/^<!DOCTYPE html/);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<img[^>]+src="http/i);
      expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
      expect(text).not.toMatch(/<[a-z][^>]*>/i);
      for (const link of linksOf(message)) {
        expect(linksIn(html)).toContain(link);
        expect(text).toContain(link);
      }
      // Every email says who it is for and why it came.
      if ("name" in message) expect(text).toContain(`Hi ${message.name},`);
      expect(text).toMatch(/You received this (email|security notice) because/);
      expect(text).toContain("Feedback Accounts");
    },
  );
});

describe("what each says", () => {
  it("the code email shows the code in both parts, never in the subject", async () => {
    const { subject, html, text } = await renderMessage({ template: "email_code", name: "Ada", code: "004217", minutes: 10 });
    expect(html).toContain("004217");
    expect(text).toContain("004217");
    expect(subject).toBe("Your Feedback Accounts verification code");
    expect(text).toContain("It works for 10 minutes and only once.");
  });

  it("says for how long a link works, in words", async () => {
    expect((await renderMessage({ template: "verify_email", name: "Ada", link: "https://a.test/v?t=1", hours: 24 })).text).toContain("works for 24 hours");
    expect((await renderMessage({ template: "password_reset", name: "Ada", link: "https://a.test/r?t=1", minutes: 1 })).text).toContain("works for 1 minute ");
  });

  it("an invitation names who invited, to which organisation, the role and when it expires", async () => {
    const { subject, text } = await renderMessage({
      template: "invitation",
      organisation: "Acme Feedback",
      inviter: "Anna de Vries",
      role: "admin",
      link: "https://a.test/invite/t",
      expiresAt: "2026-12-07T09:30:00Z",
    });
    expect(subject).toBe("Anna de Vries invited you to join Acme Feedback on Feedback Accounts");
    expect(text).toContain("Anna de Vries invited you to join Acme Feedback as an admin.");
    expect(text).toContain("The invitation expires on 7 December 2026 at 09:30 UTC.");
  });

  it.each(NOTICE_KINDS.filter((kind) => !NOTICES[kind].byAdmin))("the %s notice says when, from which browser and IP, and what to do if it was not them", async (kind: NoticeKind) => {
    const message = samples.find((m) => m.template === "security_notice" && m.kind === kind)!;
    const { text } = await renderMessage(message);
    expect(text).toContain("When: 30 November 2026 at 14:05 UTC");
    expect(text).toContain("Browser: Firefox on Windows");
    expect(text).toContain("IP address: 203.0.113.24");
    expect(text).toContain("If this was not you");
    expect(text).toMatch(/Secure my account https?:\/\/\S+\/login/);
  });

  it.each(NOTICE_KINDS.filter((kind) => NOTICES[kind].byAdmin))("the %s notice, an admin's change, says when but not the admin's browser or address", async (kind: NoticeKind) => {
    const message = samples.find((m) => m.template === "security_notice" && m.kind === kind)!;
    const { text } = await renderMessage(message);
    expect(text).toContain("When: 30 November 2026 at 14:05 UTC");
    expect(text).not.toContain("203.0.113.24");
    expect(text).not.toContain("Firefox on Windows");
    expect(text).toContain("Acme Feedback");
  });

  it("names the factor in the recipient's language when it is sent, and keeps a name the user gave it as written", async () => {
    const dutch = (detail: Record<string, unknown>) =>
      renderMessage({ template: "security_notice", name: "Ada", kind: "factor_added", at: NOW.toISOString(), origin: { browser: null, ip: null }, detail, actionLink: "https://a.test/login" }, "Feedback Accounts", "nl");
    expect((await dutch({ method: "sms", phoneLast4: "5678" })).text).toContain("Sms naar •••• 5678 is als tweede inlogstap aan je account toegevoegd.");
    expect((await dutch({ method: "totp" })).text).toContain("Authenticator-app is als tweede inlogstap");
    expect((await dutch({ method: "passkey", factor: "Werklaptop" })).text).toContain("Werklaptop is als tweede inlogstap");
  });

  it("names the factor, the codes left and the new address where the notice needs them", async () => {
    const notice = (kind: NoticeKind, detail: Record<string, unknown>) =>
      renderMessage({ template: "security_notice", name: "Ada", kind, at: NOW.toISOString(), origin: { browser: null, ip: null }, detail, actionLink: "https://a.test/login" });
    expect((await notice("factor_added", { method: "sms", phoneLast4: "5678" })).text).toContain("Text message to •••• 5678 was added to your account");
    expect((await notice("factor_removed", { method: "totp" })).text).toContain("Authenticator app was removed");
    expect((await notice("factor_added", { method: "passkey", factor: "Work laptop" })).text).toContain("Work laptop was added to your account");
    expect((await notice("backup_code_used", { remaining: 1 })).text).toContain("You have 1 backup code left.");
    expect((await notice("backup_code_used", { remaining: 0 })).text).toContain("You have no backup codes left");
    expect((await notice("email_changed", { newAddress: "new@example.com" })).text).toContain("was changed to new@example.com");
    const unknown = (await notice("password_changed", {})).text;
    expect(unknown).toContain("Browser: Unknown browser");
    expect(unknown).toContain("IP address: Unknown");
  });

  it("escapes names in the HTML and keeps them on one line, cut when very long", async () => {
    const { subject, html } = await renderMessage({
      template: "invitation",
      organisation: `<script>alert(1)</script>\r\nBcc: x@evil.test ${"O".repeat(300)}`,
      inviter: "Eve <b>",
      role: "member",
      link: "https://a.test/invite/t",
      expiresAt: NOW.toISOString(),
    });
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("Eve <b>");
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.length).toBeLessThan(150);
    expect(subject).toContain("…");
  });

  it("takes the product name from APP_NAME", async () => {
    process.env.APP_NAME = "Acme Accounts";
    const { subject, text } = await renderMessage({ template: "verify_email", name: "Ada", link: "https://a.test/v", hours: 24 });
    expect(subject).toBe("Confirm your email address for Acme Accounts");
    expect(text).toContain("Acme Accounts");
  });

  it("writes dates and times out in UTC", () => {
    expect(formatDateTime("2026-11-30T14:05:59Z")).toBe("30 November 2026 at 14:05 UTC");
    expect(formatDateTime("2026-01-01T00:30:00+02:00")).toBe("31 December 2025 at 22:30 UTC");
    expect(formatDate("2027-03-05T23:59:00Z")).toBe("5 March 2027");
    expect(formatDateTime("not a date")).toBe("an unknown time");
  });
});

describe("renderEmail (an outbox row)", () => {
  it("opens the sealed props with the row's id and renders them", async () => {
    const id = crypto.randomUUID();
    const link = "https://a.test/reset-password?token=sealed-token";
    const row = { id, template: "password_reset", props: { name: "Ada", minutes: 30 }, sealedProps: encrypt(JSON.stringify({ link }), sealedPropsContext(id)) };
    const { text } = await renderEmail(row);
    expect(text).toContain(link);
  });

  it("refuses sealed props bound to another row, and a template this build does not have", async () => {
    const link = "https://a.test/reset-password?token=sealed-token";
    const sealed = encrypt(JSON.stringify({ link }), sealedPropsContext(crypto.randomUUID()));
    await expect(renderEmail({ id: crypto.randomUUID(), template: "password_reset", props: { name: "Ada", minutes: 30 }, sealedProps: sealed })).rejects.toMatchObject({ name: "DecryptionError" });
    await expect(renderEmail({ id: crypto.randomUUID(), template: "newsletter", props: {}, sealedProps: null })).rejects.toMatchObject({ name: "UnknownTemplateError" });
  });
});
