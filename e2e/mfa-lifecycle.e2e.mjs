// Requiring MFA as a lifecycle: the admin gives a 7-day grace period, members without MFA see a banner on every
// page and keep working, the admin reminds them, then brings the deadline forward to now and they are held at
// setup at once. And the organisation's security log: filters, pages, the CSV export. A screenshot per step.
import fs from "node:fs";
import {
  assert,
  baseURL,
  checkA11y,
  DESKTOP,
  expectAttribute,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  newUser,
  openAvatarMenu,
  outboxCount,
  passStepUp,
  PHONE,
  readLatestCode,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
} from "./lib.mjs";

const REQUIRE = { name: "Require multi-factor authentication for all users" };
const SETUP = "/account/mfa-setup";
const DAY_MS = 86_400_000;
const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
/** "14 December 2026": 00:00 UTC `days` days from today, as the page words a deadline. */
function dayIn(days) {
  const now = new Date();
  return dayFormat.format(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + days * DAY_MS));
}

/** A second person in their own browser (fresh cookies), with console errors reported like the main page's. */
async function secondBrowser(t, viewport = DESKTOP) {
  const context = await t.context.browser().newContext({ baseURL: baseURL(), viewport, locale: "en-US" });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => t.problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()))
      t.problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  return { context, page };
}

async function openOrgSettings(page) {
  const menu = await openAvatarMenu(page);
  await menu.getByRole("menuitem", { name: "Organisation settings" }).click();
  await expectUrl(page, "/org/settings");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Organisation settings" }));
}

/** Invites `email` as a member; the first admin change passes the step-up dialog (password only: no factor yet). */
async function invite(page, admin, email) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption("member");
  await page.getByRole("button", { name: "Send invitation", exact: true }).click();
  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  await expectVisible(stepUp);
  await passStepUp(page, stepUp, admin);
  await expectHidden(stepUp);
  await expectText(page.getByRole("status").filter({ hasText: "Invitation sent to" }), `Invitation sent to ${email}.`);
  return page.getByLabel("Invitation link").inputValue();
}

async function acceptInvitation(page, link, person, orgName) {
  await visit(page, link, "invitation page");
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Choose a password").fill(person.password);
  await page.getByRole("button", { name: `Join ${orgName}` }).click();
}

/** The registration on the setup page: password → Netherlands + number → code from the outbox → Save → backup codes. */
async function registerPhoneAtSetup(page, person, national) {
  await expectVisible(page.getByRole("heading", { level: 1, name: "Set up multi-factor authentication" }));
  await page.getByLabel("Current password").fill(person.password);
  await page.getByRole("button", { name: "Continue" }).click();
  const field = page.getByPlaceholder("Please enter your phone number");
  await expectVisible(field);
  await page.getByRole("button", { name: /^Country:/ }).click();
  await page.getByRole("combobox", { name: "Search countries" }).pressSequentially("Netherlands");
  await page.getByRole("option", { name: /^Netherlands/ }).click();
  await field.pressSequentially(national);
  const last4 = national.slice(-4);
  const before = await outboxCount(page, last4);
  await page.getByRole("button", { name: "Send code" }).click();
  const codeField = page.getByLabel("Verification code");
  await expectVisible(codeField);
  await codeField.fill(await readLatestCode(page, last4, { after: before }));
  await expectVisible(page.getByRole("status").filter({ hasText: "Code confirmed" }));
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("checkbox", { name: "I have saved these codes" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
}

const banner = (page) => page.getByRole("region", { name: "Multi-factor authentication deadline" });

test("Grace period: a 7-day deadline shows members a banner while they work; moving it to now holds them at setup at once", async (t) => {
  const { page, shot } = t;
  const admin = newUser();
  const member = newUser({ name: "Milan Jansen", initials: "MJ" });
  await signUp(page, admin);
  await openOrgSettings(page);
  const link = await invite(page, admin, member.email);

  const second = await secondBrowser(t);
  try {
    const m = second.page;
    await acceptInvitation(m, link, member, admin.organisation);
    await expectUrl(m, "/");

    // The admin requires MFA in 7 days (within 10 minutes of the proof above: no second step-up).
    await page.reload();
    await page.getByRole("switch", REQUIRE).click();
    const dialog = page.getByRole("dialog", { name: "Require multi-factor authentication?" });
    await expectVisible(dialog);
    await dialog.getByRole("radio", { name: /In 7 days/ }).check();
    const deadline = dayIn(7);
    await expectText(dialog, `Until ${deadline} they see a reminder on every page`);
    await checkA11y(page, "require dialog with a grace period");
    await shot("require dialog: in 7 days");
    await dialog.getByRole("button", { name: `Require from ${deadline}` }).click();
    await expectHidden(dialog);
    await expectText(page.getByRole("status").filter({ hasText: "is required from" }), `Multi-factor authentication is required from ${deadline}.`);
    await expectAttribute(page.getByRole("switch", REQUIRE), "aria-checked", "true");
    await expectText(page.locator("#require-mfa-help"), `Required from ${deadline}.`);
    // The adoption bar and who is still without MFA, with Remind and Remind all.
    await expectVisible(page.getByText("0 of 2 members use multi-factor authentication"));
    const waiting = page.getByRole("region", { name: /Still without multi-factor authentication/ });
    await expectText(waiting.getByRole("heading"), "Still without multi-factor authentication (2)");
    await expectVisible(waiting.getByRole("button", { name: `Remind ${member.name}` }));
    await expectVisible(waiting.getByRole("button", { name: "Remind all" }));
    // The admin has no factor either: the banner is theirs too, and they keep working.
    await expectText(banner(page), `requires multi-factor authentication from ${deadline}`);
    await checkA11y(page, "settings during the grace period");
    await shot("settings: deadline, adoption bar, members without MFA");

    await waiting.getByRole("button", { name: `Remind ${member.name}` }).click();
    await expectVisible(waiting.getByText("Reminded today"));
    await shot("member reminded");

    // The member sees the banner on every page and keeps working.
    await m.reload();
    await expectText(banner(m), `${admin.organisation} requires multi-factor authentication from ${deadline}`);
    await expectText(banner(m), "(in 7 days)");
    await checkA11y(m, "home with the banner");
    await shot("member: banner on the home page", m);
    await visit(m, "/account", "My account during the grace period");
    await expectVisible(m.getByRole("heading", { level: 1, name: "My account" }));
    await expectVisible(banner(m));
    await shot("member: works in My account with the banner", m);
    // The banner's button leads to the setup, which they may leave again ("Not now").
    await banner(m).getByRole("link", { name: "Set it up now" }).click();
    await expectUrl(m, SETUP);
    await expectText(m.getByText(/requires multi-factor authentication from/), deadline);
    await expectHidden(banner(m));
    await shot("member: setup during the grace period", m);
    await m.getByRole("link", { name: "Not now" }).click();
    await expectUrl(m, "/account");

    // At phone width the banner stacks and stays readable.
    await m.setViewportSize(PHONE);
    await m.reload();
    await expectVisible(banner(m));
    const overflow = await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 390px`);
    await shot("member: banner at phone width", m);
    await m.setViewportSize(DESKTOP);

    // The admin brings the deadline forward to now.
    await page.getByRole("button", { name: "Change date" }).click();
    const change = page.getByRole("dialog", { name: "Change when multi-factor authentication is required" });
    await expectVisible(change);
    await change.getByRole("radio", { name: /^Now/ }).check();
    await checkA11y(page, "change date dialog");
    await shot("change the deadline to now");
    await change.getByRole("button", { name: "Require now" }).click();
    // The admin has no factor: the requirement now holds them too, and setup brings them back here.
    await expectUrl(page, (u) => u.pathname === SETUP);
    await shot("admin held at setup after moving the deadline to now");
    await registerPhoneAtSetup(page, admin, "612345681");
    await expectUrl(page, "/org/settings");
    await expectHidden(banner(page));
    await expectText(page.locator("#require-mfa-help"), "Members without it are sent to set it up before they can do anything else.");
    await shot("requirement in force");

    // The member's very next page: held at setup, no banner, no way around it.
    await m.reload();
    await expectUrl(m, (u) => u.pathname === SETUP);
    await expectText(m.getByText(/requires multi-factor authentication for everyone/), admin.organisation);
    assert.equal(await m.getByRole("link", { name: "Not now" }).count(), 0, "no way to leave the setup");
    await checkA11y(m, "member held at setup");
    await shot("member held at setup once the deadline is now", m);
    await m.goto("/");
    await expectUrl(m, (u) => u.pathname === SETUP);
  } finally {
    await second.context.close();
  }
});

test("Security log: the admin filters by member and kind, pages back, and exports the filter as CSV", async (t) => {
  const { page, shot } = t;
  const admin = newUser();
  const member = newUser({ name: "Noor el Amrani", initials: "NA" });
  await signUp(page, admin);
  await openOrgSettings(page);
  const link = await invite(page, admin, member.email);

  const second = await secondBrowser(t);
  try {
    const m = second.page;
    await acceptInvitation(m, link, member, admin.organisation);
    await expectUrl(m, "/");
    await signOut(m);
    // A wrong password, then the right one: two more events of the member.
    await visit(m, "/login", "sign-in");
    await submitSignIn(m, member.email, "not the password at all");
    await expectVisible(m.getByRole("alert").filter({ hasText: /email or password/ }));
    await shot("member: a wrong password", m);
    await visit(m, "/login", "sign-in again");
    await submitSignIn(m, member.email, member.password);
    await expectUrl(m, "/");
  } finally {
    await second.context.close();
  }

  await page.getByRole("link", { name: "Security log" }).click();
  await expectUrl(page, "/org/settings/security-log");
  await expectVisible(page.getByRole("heading", { level: 2, name: "Security log" }));
  const table = page.getByRole("table", { name: "Security events" });
  await expectVisible(table);
  await expectText(table, "Sign-in failed: wrong password");
  await expectText(table, "Invitation created");
  await checkA11y(page, "security log");
  await shot("security log: every event, newest first");

  // Filter: the member's sign-ins only.
  await page.getByLabel("Member").selectOption({ label: `${member.name} (${member.email})` });
  await page.getByLabel("Kind of event").selectOption({ label: "Sign-ins" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expectUrl(page, (u) => u.pathname === "/org/settings/security-log" && u.searchParams.get("kind") === "sign_in");
  const rows = table.getByRole("row");
  await expectText(table, "Sign-in failed: wrong password");
  const texts = (await rows.allInnerTexts()).slice(1);
  assert.ok(texts.length >= 2, `the member's sign-ins are listed: ${texts.join(" | ")}`);
  for (const row of texts) {
    assert.match(row, /Sign/, `only sign-ins: ${row}`);
    assert.ok(row.includes(member.email), `only the member's: ${row}`);
  }
  await checkA11y(page, "security log filtered");
  await shot("security log: the member's sign-ins");

  // A bad date range is answered next to the field and lists nothing.
  await page.getByLabel("From").fill("2026-12-31");
  await page.getByLabel("To").fill("2026-01-01");
  await page.getByRole("button", { name: "Apply" }).click();
  await expectVisible(page.getByText("The last day cannot be before the first day.").first());
  await expectHidden(table);
  await shot("security log: a bad date range");
  await page.getByLabel("From").fill("");
  await page.getByLabel("To").fill("");
  await page.getByRole("button", { name: "Apply" }).click();
  await expectVisible(table);

  // Export the filter as CSV.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  assert.match(download.suggestedFilename(), /^security-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
  const lines = csv.trim().split("\r\n");
  assert.equal(lines[0], '"Time (UTC)","Action","Event code","Actor","Actor email","Subject","Subject email","Browser","IP address","Details"');
  assert.ok(lines.length >= 3, `the member's sign-ins are exported:\n${csv}`);
  for (const line of lines.slice(1)) {
    assert.match(line, /^"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z","Sign/, `a UTC time and a sign-in: ${line}`);
    assert.ok(line.includes(member.email), `only the member's events: ${line}`);
  }

  // The log at phone width: a list instead of the table, nothing scrolls sideways.
  await page.setViewportSize(PHONE);
  await page.reload();
  await expectVisible(page.getByRole("list", { name: "Security events" }));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 390px`);
  await checkA11y(page, "security log at phone width");
  await shot("security log at phone width");
});

test("Re-enrolment after a reset: the admin hands over a temporary access code; the password alone does not reach the phone step", async (t) => {
  const { page, context, shot } = t;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL() });
  const admin = newUser();
  const member = newUser({ name: "Sam de Boer", initials: "SB" });
  await signUp(page, admin);
  await openOrgSettings(page);
  const link = await invite(page, admin, member.email);
  // Required now: the admin sets up their phone first, and the member on joining.
  await page.getByRole("switch", REQUIRE).click();
  await page.getByRole("dialog", { name: "Require multi-factor authentication?" }).getByRole("button", { name: "Require for everyone" }).click();
  await expectUrl(page, (u) => u.pathname === SETUP);
  await registerPhoneAtSetup(page, admin, "612345682");
  await expectUrl(page, "/org/settings");

  const second = await secondBrowser(t);
  try {
    const m = second.page;
    await acceptInvitation(m, link, member, admin.organisation);
    await expectUrl(m, (u) => u.pathname === SETUP);
    await registerPhoneAtSetup(m, member, "612345683");
    await expectUrl(m, "/");

    // The admin resets the member's MFA and chooses a temporary access code.
    await page.reload();
    const row = page.getByRole("row").filter({ hasText: member.email });
    await row.getByRole("button", { name: `Reset MFA for ${member.name}` }).click();
    const dialog = page.getByRole("dialog", { name: "Reset multi-factor authentication?" });
    await expectVisible(dialog);
    await dialog.getByRole("radio", { name: /A temporary access code from you/ }).check();
    await checkA11y(page, "reset dialog with the proof choice");
    await shot("reset: the admin chooses a temporary access code");
    await dialog.getByRole("button", { name: "Reset MFA" }).click();
    // Sudo mode: the admin's proof may have gone stale since the setup; then the dialog asks for it.
    const password = dialog.getByLabel("Current password");
    const code = dialog.getByTestId("access-code");
    await Promise.race([password.waitFor(), code.waitFor()]);
    if (await password.isVisible()) await passStepUp(page, dialog, admin, { sms: "5682" });
    await expectVisible(code);
    const accessCode = (await code.textContent()).trim();
    assert.match(accessCode, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await expectText(dialog, "Works once, until");
    await checkA11y(page, "access code shown once");
    await shot("reset: the access code, shown once");
    await dialog.getByRole("button", { name: "Done" }).click();
    await expectHidden(dialog);
    await expectText(page.getByRole("row").filter({ hasText: member.email }), "Off · reset by an admin");
    await shot("member list: reset, awaiting setup");

    // The member signs in again: their password, then the access code, and only then the phone number.
    await m.reload();
    await expectUrl(m, "/login");
    await submitSignIn(m, member.email, member.password);
    await expectUrl(m, (u) => u.pathname === SETUP);
    await m.getByLabel("Current password").fill(member.password);
    await m.getByRole("button", { name: "Continue" }).click();
    const field = m.getByLabel("Temporary access code");
    await expectVisible(field);
    assert.equal(await m.getByPlaceholder("Please enter your phone number").count(), 0, "no phone step before the proof");
    await field.fill("AAAA-BBBB-CCCC-DDDD");
    await m.getByRole("button", { name: "Verify" }).click();
    await expectText(m.getByText(/That access code is not right/), "4 tries left.");
    await checkA11y(m, "wrong access code");
    await shot("member: a wrong access code", m);
    await field.fill(accessCode.toLowerCase());
    await m.getByRole("button", { name: "Verify" }).click();
    await expectVisible(m.getByPlaceholder("Please enter your phone number"));
    await shot("member: access code accepted, on to the phone number", m);
  } finally {
    await second.context.close();
  }
});
