// Required MFA for an organisation: the admin requires it, members without it are held at setup
// until they register a phone, and an admin's reset sends a member back to setup. A screenshot per step.
import {
  assert,
  baseURL,
  checkA11y,
  DESKTOP,
  eventually,
  expectAttribute,
  expectFocused,
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
  signIn,
  signOut,
  signUp,
  test,
  visit,
} from "./lib.mjs";

const REQUIRE = { name: "Require multi-factor authentication for all users" };
const SETUP = "/account/mfa-setup";
const atSetup = (url) => url.pathname === SETUP;

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

/** Avatar → "Organisation settings" (shown to admins only). */
async function openOrgSettings(page) {
  const menu = await openAvatarMenu(page);
  await menu.getByRole("menuitem", { name: "Organisation settings" }).click();
  await expectUrl(page, "/org/settings");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Organisation settings" }));
  await checkA11y(page, "organisation settings");
}

/**
 * The step-up dialog an admin change opens when the admin's proof is not fresh (sudo mode): it shows with
 * focus in the password, then is passed (`proof`: the admin, and `sms` when they have a phone).
 */
async function passStepUpDialog(page, proof, shot, shotName) {
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await expectVisible(dialog);
  await expectFocused(dialog.getByLabel("Current password"));
  await expectText(dialog, "You will not be asked again for 10 minutes.");
  await checkA11y(page, "step-up dialog");
  if (shot) await shot(shotName);
  await passStepUp(page, dialog, proof.user, { sms: proof.sms, atCode: shot && (() => shot(`${shotName}: the code`)) });
  await expectHidden(dialog);
}

/**
 * Creates an invitation on the settings page and returns its link (read from the field the Copy button copies).
 * With `stepUp`, the admin's proof is not fresh: the step-up dialog comes first, and nothing is created before it is passed.
 */
async function invite(page, email, role, shot, { stepUp } = {}) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Send invitation", exact: true }).click();
  if (stepUp) {
    await expectVisible(page.getByRole("dialog", { name: "Confirm it is you" }));
    assert.equal(await page.getByRole("status").filter({ hasText: "Invitation sent to" }).count(), 0, "nothing is created before the step-up");
    await passStepUpDialog(page, stepUp, shot, "step-up before the invitation is created");
  }
  const created = page.getByRole("status").filter({ hasText: "Invitation sent to" });
  await expectText(created, `Invitation sent to ${email}.`);
  const linkField = page.getByLabel("Invitation link");
  const link = await linkField.inputValue();
  assert.match(link, /\/invite\/[\w-]{43}$/, "the link carries the token");
  await page.getByRole("button", { name: "Copy link" }).click();
  await expectVisible(page.getByRole("button", { name: "Copied" }));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, "Copy puts the link on the clipboard");
  await expectVisible(page.getByRole("list", { name: "Pending invitations" }).getByText(email));
  await checkA11y(page, "invitation created");
  if (shot) await shot("invitation link shown once");
  return link;
}

/** The invitee opens the link, sets name and password, and lands signed in. */
async function acceptInvitation(page, link, person, orgName, shot, { expectPath = "/" } = {}) {
  await visit(page, link, "invitation page");
  await expectVisible(page.getByRole("heading", { level: 1, name: `Join ${orgName}` }));
  await expectVisible(page.getByText(person.email, { exact: true }));
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Choose a password").fill(person.password);
  if (shot) await shot("invitation page filled", page);
  await page.getByRole("button", { name: `Join ${orgName}` }).click();
  await expectUrl(page, expectPath);
}

/**
 * Turns the requirement on from the settings page; returns the dialog's list of members without MFA. With
 * `stepUp`, the admin's proof is not fresh: confirming asks for it in the same dialog, then the change goes through.
 */
async function requireMfa(page, shot, { stepUp } = {}) {
  const toggle = page.getByRole("switch", REQUIRE);
  await expectAttribute(toggle, "aria-checked", "false");
  await toggle.click();
  const dialog = page.getByRole("dialog", { name: "Require multi-factor authentication?" });
  await expectVisible(dialog);
  const names = (await dialog.getByRole("listitem").allInnerTexts()).map((s) => s.replace(/\s+/g, " ").trim());
  await checkA11y(page, "require dialog");
  if (shot) await shot("require dialog lists members without MFA");
  await dialog.getByRole("button", { name: "Require for everyone" }).click();
  if (stepUp) {
    await expectFocused(dialog.getByLabel("Current password"));
    await expectText(dialog, "You are about to require multi-factor authentication for everyone.");
    if (shot) await shot("require dialog asks for the step-up");
    await passStepUp(page, dialog, stepUp.user, { sms: stepUp.sms });
  }
  return names;
}

/** The registration on the setup page: password → Netherlands + number → code from the outbox → Save. */
async function registerPhoneAtSetup(page, person, national, shot) {
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
  await checkA11y(page, "setup: code confirmed");
  if (shot) await shot("setup code confirmed", page);
  await page.getByRole("button", { name: "Save" }).click();
  // The first method comes with 10 backup codes, shown once: confirm they are saved, then Continue.
  await page.getByRole("checkbox", { name: "I have saved these codes" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
}

/** The member row's cells as text, found by the member's email. */
function memberRow(page, email) {
  return page.getByRole("row").filter({ hasText: email });
}

test("Required MFA: a member without MFA is held at setup, cannot open other pages, registers a phone and continues", async (t) => {
  const { page, context, shot } = t;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL() });
  const admin = newUser();
  const member = newUser({ name: "Milan Jansen", initials: "MJ" });
  await signUp(page, admin);
  await openOrgSettings(page);
  await expectVisible(page.getByText("0 of 1 member uses multi-factor authentication"));
  await shot("admin opens organisation settings");

  // Inviting changes who can get in: the admin proves it is them first (a new account: the password is the whole proof).
  const link = await invite(page, member.email, "member", shot, { stepUp: { user: admin } });

  const second = await secondBrowser(t);
  try {
    const m = second.page;
    await acceptInvitation(m, link, member, admin.organisation, shot);
    await expectVisible(m.getByRole("heading", { level: 1, name: "Welcome back, Milan" }));
    await shot("member joined and is signed in", m);
    // Not an admin: no settings link, and the server refuses the page itself.
    const menu = await openAvatarMenu(m);
    assert.equal(await menu.getByRole("menuitem", { name: "Organisation settings" }).count(), 0, "members see no settings link");
    await m.keyboard.press("Escape");
    await m.goto("/org/settings");
    await expectUrl(m, "/");
    await signOut(m);

    // The admin requires MFA; they have none either, so they set theirs up first and come back.
    await page.reload();
    await expectVisible(page.getByText("0 of 2 members use multi-factor authentication"));
    await expectText(memberRow(page, member.email), "Off");
    // Within 10 minutes of the proof: no second step-up.
    const withoutMfa = await requireMfa(page, shot);
    assert.equal(withoutMfa.length, 2, `both are listed: ${withoutMfa.join(" | ")}`);
    assert.ok(withoutMfa.some((s) => s.includes(member.email)) && withoutMfa.some((s) => s.includes("(you)")), withoutMfa.join(" | "));
    await expectUrl(page, atSetup);
    await expectText(page.getByText(/requires multi-factor authentication for everyone/), admin.organisation);
    await shot("admin sent to set up their own MFA");
    await registerPhoneAtSetup(page, admin, "612345691", shot);
    await expectUrl(page, "/org/settings");
    await expectAttribute(page.getByRole("switch", REQUIRE), "aria-checked", "true");
    await expectVisible(page.getByText("1 of 2 members use multi-factor authentication"));
    await checkA11y(page, "requirement on");
    await shot("requirement on, admin registered");

    // The member signs in and is held at setup.
    await signIn(m, member, { expectPath: SETUP });
    await expectText(m.getByText(/requires multi-factor authentication for everyone/), "Add a passkey, an authenticator app or your phone number to continue.");
    await shot("member sent to setup after sign-in", m);

    // Opening other pages directly sends them back.
    await m.goto("/org/settings");
    await expectUrl(m, atSetup);
    await shot("settings page refused, back at setup", m);
    await m.goto("/account");
    await expectUrl(m, (u) => atSetup(u) && u.searchParams.get("callbackUrl") === "/account");
    await checkA11y(m, "setup after trying My account");
    await shot("My account refused, back at setup", m);

    // Registering a phone lets them continue to where they were going.
    await registerPhoneAtSetup(m, member, "612345692", shot);
    await expectUrl(m, "/account");
    await expectVisible(m.getByRole("heading", { level: 1, name: "My account" }));
    await expectVisible(m.getByText("•••• 5692"));
    await shot("member continues to My account", m);

    await page.reload();
    await expectVisible(page.getByText("2 of 2 members use multi-factor authentication"));
    await expectText(memberRow(page, member.email), "SMS ending in 5692");
    assert.equal(await page.getByText("+31612345692").count(), 0, "no full number on the page");
    await checkA11y(page, "everyone covered");
    await shot("admin sees everyone covered");
  } finally {
    await second.context.close();
  }
});

test("Required MFA: the admin resets a member's MFA and the member is sent to setup again", async (t) => {
  const { page, context, shot } = t;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL() });
  const admin = newUser();
  const member = newUser({ name: "Sam de Boer", initials: "SB" });
  await signUp(page, admin);
  await openOrgSettings(page);
  const withoutMfa = await requireMfa(page, shot, { stepUp: { user: admin } });
  assert.equal(withoutMfa.length, 1);
  await expectUrl(page, atSetup);
  await registerPhoneAtSetup(page, admin, "612345693");
  await expectUrl(page, "/org/settings");
  // The admin has a phone now, so the proof is the password and a code texted to it. The invitation goes out
  // as it was asked for, an Admin; the next one, within the 10 minutes, needs no proof.
  const deputy = newUser({ name: "Dana Visser", initials: "DV" });
  await invite(page, deputy.email, "admin", shot, { stepUp: { user: admin, sms: "5693" } });
  await expectText(page.getByRole("list", { name: "Pending invitations" }).getByRole("listitem").filter({ hasText: deputy.email }), "Admin");
  const link = await invite(page, member.email, "member");

  const second = await secondBrowser(t);
  try {
    const m = second.page;
    // Joining an organisation that requires MFA lands on setup straight away.
    await acceptInvitation(m, link, member, admin.organisation, null, { expectPath: atSetup });
    await shot("new member lands on setup", m);
    await registerPhoneAtSetup(m, member, "612345694");
    await expectUrl(m, "/");
    await expectVisible(m.getByRole("heading", { level: 1, name: "Welcome back, Sam" }));
    await shot("member set up and continued", m);

    await page.reload();
    const row = memberRow(page, member.email);
    await expectText(row, "SMS ending in 5694");
    await shot("admin sees the member's MFA");
    await row.getByRole("button", { name: `Reset MFA for ${member.name}` }).click();
    const dialog = page.getByRole("dialog", { name: "Reset multi-factor authentication?" });
    await expectVisible(dialog);
    await expectText(dialog, "they set it up again when they next sign in");
    await checkA11y(page, "reset dialog");
    await shot("reset confirmation");
    await dialog.getByRole("button", { name: "Reset MFA" }).click();
    await expectHidden(dialog);
    await expectText(page.getByRole("status").filter({ hasText: "was reset" }), "Multi-factor authentication was reset and they were signed out.");
    await expectText(memberRow(page, member.email), "Off");
    await expectVisible(page.getByText("1 of 2 members use multi-factor authentication"));
    await checkA11y(page, "after reset");
    await shot("member's MFA reset");

    // The member's session ended; signing in again sends them to setup.
    await m.reload();
    await expectUrl(m, "/login");
    await shot("member signed out by the reset", m);
    await signIn(m, member, { expectPath: SETUP });
    await expectText(m.getByText(/requires multi-factor authentication for everyone/), admin.organisation);
    await shot("member sent to setup again", m);
  } finally {
    await second.context.close();
  }
});

test(
  "Organisation settings at phone width: keyboard use, bad input, role change, removal, revoked and altered links",
  async (t) => {
    const { page, context, shot } = t;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL() });
    const admin = newUser();
    await signUp(page, admin);
    await visit(page, "/org/settings", "settings at phone width");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 390px`);
    await shot("settings at phone width");

    // The switch by keyboard: Space opens the dialog with focus on its confirmation; confirming asks for the
    // step-up in the same dialog, focus in the password; a wrong one is refused there. Escape closes, nothing changes.
    const toggle = page.getByRole("switch", REQUIRE);
    await toggle.focus();
    await page.keyboard.press("Space");
    const dialog = page.getByRole("dialog", { name: "Require multi-factor authentication?" });
    await expectVisible(dialog);
    await expectFocused(dialog.getByRole("button", { name: "Require for everyone" }));
    await page.keyboard.press("Enter");
    const password = dialog.getByLabel("Current password");
    await expectFocused(password);
    await shot("require dialog asks for the step-up at phone width");
    await page.keyboard.type("wrong password here");
    await page.keyboard.press("Enter");
    await expectText(dialog.getByText("That password is not right."), "That password is not right.");
    await shot("wrong password in the require dialog");
    await page.keyboard.press("Escape");
    await expectHidden(dialog);
    await expectAttribute(toggle, "aria-checked", "false");

    // Bad input: a clear message at the field before any step-up, nothing created.
    const email = page.getByLabel("Email address");
    await email.fill("not-an-email");
    await email.press("Enter");
    await expectText(page.getByText("Enter a valid email address"), "like name@company.com");
    await expectAttribute(email, "aria-invalid", "true");
    assert.equal(await page.getByRole("dialog", { name: "Confirm it is you" }).count(), 0, "no step-up for input that is refused anyway");
    // A well-formed email: the step-up comes first (at phone width), then the answer. Who has an account is
    // nobody's business without it.
    await email.fill(admin.email.toUpperCase());
    await email.press("Enter");
    await passStepUpDialog(page, { user: admin }, shot, "step-up dialog at phone width");
    await expectVisible(page.getByText("This person is already a member of your organisation."));
    await expectVisible(page.getByText("No invitations waiting to be used."));
    await checkA11y(page, "invite errors");
    await shot("invite errors");

    // Renaming lets nobody in: no step-up (and none would be asked now anyway, within the 10 minutes).
    const name = page.getByLabel("Organisation name");
    await name.fill("   ");
    await name.press("Enter");
    await expectVisible(page.getByText("Enter the organisation's name."));
    await expectAttribute(name, "aria-invalid", "true");
    await shot("empty name refused");
    await name.fill("Renamed Research");
    await page.getByRole("button", { name: "Save name" }).click();
    await expectVisible(page.getByRole("status").filter({ hasText: "Organisation name saved." }));

    // A member joins from a phone; the admin makes them an admin, then removes them, all at phone width.
    const pat = newUser({ name: "Pat Verhoeven", initials: "PV" });
    const patLink = await invite(page, pat.email, "member");
    const { context: otherContext, page: other } = await secondBrowser(t, PHONE);
    try {
      await acceptInvitation(other, patLink, pat, "Renamed Research", shot);
      await page.reload();
      const row = memberRow(page, pat.email);
      await expectVisible(row);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `the members table scrolls sideways by ${wide}px at 390px`);
      await checkA11y(page, "members at phone width");
      await shot("members at phone width");

      const role = page.getByRole("combobox", { name: `Role for ${pat.name}` });
      await role.selectOption("admin");
      await row.getByRole("button", { name: "Save" }).click();
      await expectVisible(page.getByRole("status").filter({ hasText: "Role changed to Admin." }));
      await expectVisible(page.getByText("2 people · 2 admins"));

      await row.getByRole("button", { name: `Remove ${pat.name}` }).click();
      const remove = page.getByRole("dialog", { name: `Remove ${pat.name}?` });
      await expectVisible(remove);
      await eventually(async () => assert.ok(await remove.getByRole("button", { name: "Cancel" }).evaluate((el) => el === document.activeElement), "Cancel has focus"));
      await checkA11y(page, "remove dialog");
      await shot("remove confirmation at phone width");
      await remove.getByRole("button", { name: "Remove member" }).click();
      await expectHidden(remove);
      await expectVisible(page.getByRole("status").filter({ hasText: "Member removed." }));
      assert.equal(await memberRow(page, pat.email).count(), 0, "the row is gone");
      await shot("member removed");
      await other.reload();
      await expectUrl(other, "/login");

      // An invitation revoked: its link shows a clear message, as does an altered one.
      await email.fill("someone.new@example.com");
      await page.getByRole("button", { name: "Send invitation", exact: true }).click();
      const link = await page.getByLabel("Invitation link").inputValue();
      await page.getByRole("button", { name: "Revoke invitation for someone.new@example.com" }).click();
      await expectVisible(page.getByText("No invitations waiting to be used."));
      await shot("invitation revoked");

      await visit(other, link, "revoked invitation");
      await expectVisible(other.getByRole("heading", { level: 1, name: "This invitation was withdrawn" }));
      await shot("revoked link", other);
      await visit(other, `${link.slice(0, -1)}${link.endsWith("A") ? "B" : "A"}`, "altered invitation");
      await expectVisible(other.getByRole("heading", { level: 1, name: "This invitation link does not work" }));
      await shot("altered link", other);
      await visit(other, patLink, "used invitation");
      await expectVisible(other.getByRole("heading", { level: 1, name: "This invitation has been used" }));
    } finally {
      await otherContext.close();
    }
  },
  { viewport: PHONE },
);

test("Removed member: signed out at once, a clear home page without an organisation, rejoins by a new invitation; another starts their own organisation", async (t) => {
  const { page, context, shot } = t;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL() });
  const admin = newUser();
  const member = newUser({ name: "Milan Jansen", initials: "MJ" });
  const pat = newUser({ name: "Pat Verhoeven", initials: "PV" });
  await signUp(page, admin);
  await openOrgSettings(page);
  const firstLink = await invite(page, member.email, "member", null, { stepUp: { user: admin } });
  const patLink = await invite(page, pat.email, "member");

  /** The admin removes someone from the members table and sees the row go. */
  const removeMember = async (person, shotName) => {
    await page.reload();
    await memberRow(page, person.email).getByRole("button", { name: `Remove ${person.name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${person.name}?` });
    await expectVisible(dialog);
    await dialog.getByRole("button", { name: "Remove member" }).click();
    await expectHidden(dialog);
    await expectVisible(page.getByRole("status").filter({ hasText: "Member removed." }));
    assert.equal(await memberRow(page, person.email).count(), 0, `${person.name}'s row is gone`);
    // Back to the top, so the full-page shot does not draw the sticky header mid-page.
    await page.evaluate(() => window.scrollTo(0, 0));
    if (shotName) await shot(shotName);
  };

  /** The home page of an account without an organisation: what it says, and that nothing of the old one is left. */
  const expectNoOrganisation = async (p, person, shotName) => {
    await expectVisible(p.getByRole("heading", { level: 1, name: `Welcome back, ${person.name.split(" ")[0]}` }));
    await expectVisible(p.getByText("Your account and its sign-in methods are unchanged. Choose how to go on below."));
    await expectVisible(p.getByRole("heading", { level: 2, name: "You are no longer part of an organisation" }));
    await expectText(p.getByText(/Ask an admin of the organisation to invite/), `invite ${person.email} again`);
    await expectVisible(p.getByRole("heading", { name: "Start your own organisation" }));
    await expectVisible(p.getByLabel("Organisation name"));
    await expectVisible(p.getByRole("button", { name: "Create organisation" }));
    assert.equal(await p.getByText(admin.organisation).count(), 0, "the old organisation's name is nowhere on the page");
    await checkA11y(p, "home without an organisation");
    if (shotName) await shot(shotName, p);
    const menu = await openAvatarMenu(p);
    assert.equal(await menu.getByRole("menuitem", { name: "Organisation settings" }).count(), 0, "no organisation settings link");
    await p.keyboard.press("Escape");
    await expectHidden(menu);
  };

  const second = await secondBrowser(t);
  const third = await secondBrowser(t, PHONE);
  try {
    // 1. Both join as members.
    const m = second.page;
    await acceptInvitation(m, firstLink, member, admin.organisation);
    await expectText(m.getByText(/^You are a member of/), `You are a member of ${admin.organisation}.`);
    await shot("member joined", m);
    const p = third.page;
    await acceptInvitation(p, patLink, pat, admin.organisation);
    await expectText(p.getByText(/^You are a member of/), `You are a member of ${admin.organisation}.`);

    // 2. The admin removes Milan; his open browser is signed out on its next page load.
    await removeMember(member, "admin removed the member");
    await m.reload();
    await expectUrl(m, "/login");
    // The sign-in page says why: the session this browser held has ended.
    await expectVisible(m.getByRole("status").filter({ hasText: "Your session has ended. Sign in again to continue." }));
    await checkA11y(m, "signed out by the removal");
    await shot("member signed out by the removal", m);

    // 3. He signs in again: a clear home page without the organisation, at desktop and at phone width.
    await signIn(m, member);
    await expectNoOrganisation(m, member, "home without an organisation");
    await m.goto("/org/settings");
    await expectUrl(m, "/");
    await m.setViewportSize(PHONE);
    const overflow = await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the empty home page scrolls sideways by ${overflow}px at 390px`);
    await checkA11y(m, "home without an organisation at phone width");
    await shot("home without an organisation at phone width", m);
    await m.setViewportSize(DESKTOP);

    // 4. The admin invites the same email again; the page offers the existing account a one-click join.
    const again = await invite(page, member.email, "member");
    assert.notEqual(again, firstLink, "a new link");
    // Opened signed out (another browser), the invitation asks to sign in and comes back to itself afterwards.
    const { context: phoneContext, page: phone } = await secondBrowser(t, PHONE);
    try {
      await visit(phone, again, "invitation for an existing account, signed out");
      await expectVisible(phone.getByRole("heading", { level: 1, name: `Join ${admin.organisation}` }));
      await expectText(phone.getByText(/invited you as a member/), `You already have an account for ${member.email}.`);
      assert.equal(await phone.getByLabel("Choose a password").count(), 0, "no new password asked for an existing account");
      await shot("invitation signed out: sign in to join", phone);
      await phone.getByRole("link", { name: "Sign in to join" }).click();
      const token = new URL(again).pathname;
      await expectUrl(phone, (u) => u.pathname === "/login" && u.searchParams.get("callbackUrl") === token);
      await signIn(phone, member, { expectPath: token });
      await expectVisible(phone.getByRole("button", { name: `Join ${admin.organisation}` }));
    } finally {
      await phoneContext.close();
    }
    // In his own (signed-in) browser he opens the link and joins with one click.
    await visit(m, again, "invitation for the signed-in account");
    await expectVisible(m.getByRole("heading", { level: 1, name: `Join ${admin.organisation}` }));
    await expectText(m.getByText(/invited you as a member/), `You are signed in as ${member.email}.`);
    await expectVisible(m.getByRole("button", { name: "Not you? Sign out" }));
    assert.equal(await m.getByLabel("Choose a password").count(), 0, "no password form for a signed-in account");
    await shot("invitation signed in: one-click join", m);
    await m.getByRole("button", { name: `Join ${admin.organisation}` }).click();
    await expectUrl(m, "/");
    await expectText(m.getByText(/^You are a member of/), `You are a member of ${admin.organisation}.`);
    await expectVisible(m.getByRole("heading", { level: 2, name: admin.organisation }));
    assert.equal(await m.getByRole("heading", { name: "You are no longer part of an organisation" }).count(), 0, "the empty state is gone");
    await checkA11y(m, "home after rejoining");
    await shot("member back in the organisation", m);
    await page.reload();
    await expectText(memberRow(page, member.email), member.name);
    await expectVisible(page.getByText("No invitations waiting to be used."));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("admin sees the member back");

    // 5. Pat is removed too, signs in again (at phone width) and starts an organisation of their own.
    await removeMember(pat);
    await p.reload();
    await expectUrl(p, "/login");
    await signIn(p, pat);
    await expectNoOrganisation(p, pat);
    const orgName = p.getByLabel("Organisation name");
    await orgName.fill("   ");
    await p.getByRole("button", { name: "Create organisation" }).click();
    await expectVisible(p.getByText("Enter the organisation's name."));
    await expectAttribute(orgName, "aria-invalid", "true");
    await checkA11y(p, "empty organisation name");
    await shot("empty organisation name refused", p);
    await orgName.fill("Verhoeven Studio");
    await p.getByRole("button", { name: "Create organisation" }).click();
    // The new admin lands where the team is invited, told so.
    await expectUrl(p, "/org/settings?created=1");
    await expectVisible(p.getByRole("heading", { level: 1, name: "Organisation settings" }));
    await expectVisible(p.getByText("Your organisation is ready and you are its admin. Invite your team below."));
    await checkA11y(p, "settings of a new organisation");
    await shot("own organisation created", p);
    await visit(p, "/");
    await expectText(p.getByText(/^You are an admin of/), "You are an admin of Verhoeven Studio.");
    const menu = await openAvatarMenu(p);
    await menu.getByRole("menuitem", { name: "Organisation settings" }).click();
    await expectUrl(p, "/org/settings");
    await expectText(memberRow(p, pat.email), "Admin");
    await expectVisible(p.getByText("1 person · 1 admin"));
    await checkA11y(p, "settings of the new organisation");
    await shot("settings of the new organisation", p);
  } finally {
    await second.context.close();
    await third.context.close();
  }
});
