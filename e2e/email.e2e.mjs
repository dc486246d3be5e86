// Email in the browser: the development outbox queues one sample of every template, the server sends them after
// the response (as every flow's email is), and the outbox shows each one's subject, status, HTML (in a
// sandboxed frame whose links open in the page), plain text and links. Every template's HTML is photographed
// on its own at desktop and phone width, to be looked at.
import { assert, checkA11y, DESKTOP, eventually, expectUrl, expectVisible, latestEmail, outboxEmails, PHONE, SCREENSHOT_DIR, slug, test, visit } from "./lib.mjs";
import fs from "node:fs";
import path from "node:path";

const SAMPLES_TO = "samples@example.com";
/** 7 templates plus one security notice per kind (lib/email/samples.ts). */
const SAMPLE_COUNT = 7 + 12;

/** Queues the samples from the Email tab and waits until all of them were sent; returns them, newest first. */
async function queueSamples(page) {
  const before = (await outboxEmails(page)).filter((email) => email.to === SAMPLES_TO).length;
  await visit(page, "/dev/outbox?tab=email", "email tab");
  await page.getByRole("button", { name: "Queue sample emails" }).click();
  await expectVisible(page.getByRole("status").filter({ hasText: "One sample of every email was queued" }));
  await expectUrl(page, "/dev/outbox?tab=email&queued=samples");
  return eventually(
    async () => {
      const mine = (await outboxEmails(page)).filter((email) => email.to === SAMPLES_TO);
      assert.equal(mine.length, before + SAMPLE_COUNT, "every sample is listed");
      const fresh = mine.slice(0, SAMPLE_COUNT);
      const waiting = fresh.filter((email) => email.status !== "sent");
      assert.equal(waiting.length, 0, `still not sent: ${waiting.map((e) => `${e.template} (${e.status})`).join(", ")}`);
      return fresh;
    },
    { timeout: 45_000, interval: 500, message: "the samples were sent after the response" },
  );
}

test("Email outbox: every template is sent after the response and shown with its subject, HTML, plain text and links", async ({ page, shot }) => {
  const samples = await queueSamples(page);

  const templates = new Set(samples.map((email) => email.template));
  assert.deepEqual(
    [...templates].sort(),
    ["change_email", "email_code", "invitation", "mfa_reminder", "password_reset", "security_notice", "sign_up_attempt", "verify_email"],
  );
  for (const email of samples) {
    assert.ok(email.subject, `${email.template} has a subject`);
    assert.ok(email.text.length > 100, `${email.template} has a plain-text part`);
    if (email.template !== "email_code") {
      assert.ok(email.links.length > 0, `${email.template} has a link`);
      for (const link of email.links) {
        assert.ok(link.startsWith(process.env.E2E_BASE_URL), `${email.template}'s link ${link} is on APP_URL`);
        assert.ok(email.text.includes(link), `${email.template}'s plain text carries ${link}`);
      }
    } else assert.match(email.text, /\b482913\b/, "the code email shows its code in the plain text too");
  }
  const reset = samples.find((email) => email.template === "password_reset");
  assert.equal(reset.subject, "Reset your Feedback Accounts password");
  const notices = samples.filter((email) => email.template === "security_notice");
  assert.equal(new Set(notices.map((email) => email.subject)).size, 12, "every notice kind has its own subject");
  for (const notice of notices) assert.match(notice.text, /When: \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2} UTC/, `${notice.subject}: when, in UTC, written out`);

  // The page as a developer sees it, then each email as its recipient would.
  await page.reload();
  await checkA11y(page, "email tab with samples");
  await expectVisible(page.locator('nav[aria-label="Outbox"] a[aria-current="page"]', { hasText: "Email" }));
  await shot("outbox email tab");

  const frames = page.locator("li[data-email] iframe");
  const count = await frames.count();
  assert.ok(count >= SAMPLE_COUNT, `an HTML preview per email (${count})`);
  const dir = path.join(SCREENSHOT_DIR, "email-templates");
  fs.mkdirSync(dir, { recursive: true });
  const viewer = await page.context().newPage();
  try {
    for (let i = 0; i < SAMPLE_COUNT; i += 1) {
      const item = page.locator("li[data-email]").nth(i);
      const html = await item.locator("iframe").getAttribute("srcdoc");
      assert.ok(html, "the preview carries the email's HTML");
      assert.doesNotMatch(html, /<script/i, "no script in an email");
      assert.doesNotMatch(html, /<img[^>]+src="https?:/i, "no remote image in an email");
      const name = `${String(SAMPLE_COUNT - i).padStart(2, "0")}-${slug(await item.getAttribute("data-subject"))}`;
      for (const [label, viewport] of [
        ["desktop", { width: 760, height: DESKTOP.height }],
        ["phone", PHONE],
      ]) {
        await viewer.setViewportSize(viewport);
        await viewer.setContent(html, { waitUntil: "load" });
        await viewer.screenshot({ path: path.join(dir, `${name}-${label}.png`), fullPage: true });
      }
    }
  } finally {
    await viewer.close();
  }
});

test("Email outbox: a link in an email's preview opens in the page itself", async ({ page }) => {
  const attempt = await latestEmail(page, SAMPLES_TO, { template: "sign_up_attempt" }).catch(async () => {
    await queueSamples(page);
    return latestEmail(page, SAMPLES_TO, { template: "sign_up_attempt" });
  });
  assert.ok(attempt.links.some((link) => link.endsWith("/login")), "the sign-up attempt email links to sign-in");

  await page.goto("/dev/outbox?tab=email");
  const item = page.locator('li[data-email][data-template="sign_up_attempt"]').first();
  // Only the newest email's preview is open; open this one as a developer would.
  const details = item.locator("details").first();
  if ((await details.getAttribute("open")) === null) await details.locator("summary").click();
  const preview = item.frameLocator("iframe");
  await preview.getByRole("link", { name: "Sign in" }).click();
  // The sandbox allows a click to navigate the top window, and <base target="_top"> sends it there.
  await expectUrl(page, "/login");
  await expectVisible(page.getByRole("heading", { level: 1 }));
});

test(
  "Email outbox at phone width: tabs, statuses and previews fit the screen",
  async ({ page, shot }) => {
    await latestEmail(page, SAMPLES_TO).catch(() => queueSamples(page));
    await visit(page, "/dev/outbox?tab=email", "phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await shot("outbox email tab phone");
    await page.getByRole("link", { name: /Text messages/ }).click();
    await expectUrl(page, "/dev/outbox?tab=sms");
    await expectVisible(page.getByRole("heading", { level: 2, name: "Text messages" }));
    await shot("outbox sms tab phone");
  },
  { viewport: PHONE },
);
