// "Don't ask again on this browser" (lib/auth/trusted-browsers.ts): tick it at the code, the next sign-in on this
// browser skips the code, My account lists the browser, Forget ends it; and an organisation that turns it off.
// A screenshot per step, at desktop width and at phone width.
import {
  assert,
  checkA11y,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  newUser,
  outboxCount,
  PHONE,
  passStepUp,
  readLatestCode,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
} from "./lib.mjs";

const REMEMBER = /^Don't ask again on this browser for \d+ days?$/;

/** A random Dutch mobile number, +31 61… to +31 65… (its own, so the per-number SMS budget never bites). */
function dutchMobile() {
  return `+316${1 + Math.floor(Math.random() * 5)}${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
}

/** Turns SMS MFA on from My account (the number typed with its own +31 prefix); returns the digits to find its texts by. */
async function enableSmsMfa(page, user) {
  const phone = dutchMobile();
  await visit(page, "/account", "my account");
  await page.getByRole("switch", { name: "Use multi-factor authentication" }).click();
  await page.getByRole("button", { name: "Register", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Register your phone number" });
  await dialog.getByLabel("Current password").fill(user.password);
  await dialog.getByRole("button", { name: "Continue" }).click();
  const field = dialog.getByPlaceholder("Please enter your phone number");
  await expectVisible(field);
  await field.pressSequentially(phone);
  const last = phone.slice(-8);
  const before = await outboxCount(page, last);
  await dialog.getByRole("button", { name: "Send code" }).click();
  await dialog.getByLabel("Verification code").fill(await readLatestCode(page, last, { after: before }));
  await expectVisible(dialog.getByRole("status").filter({ hasText: "Code confirmed" }));
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("checkbox", { name: "I have saved these codes" }).check();
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expectHidden(dialog);
  return last;
}

/** The password step from /login; returns the number of texts to `last` before it. */
async function passwordStep(page, user, last) {
  const before = await outboxCount(page, last);
  await visit(page, "/login", "sign-in form");
  await submitSignIn(page, user.email, user.password);
  return before;
}

function trustedCard(page) {
  // The card is an unnamed <section>, found by its heading.
  return page.locator("section").filter({ has: page.getByRole("heading", { level: 2, name: "Trusted browsers", exact: true }) });
}

test("Trusted browser: tick “Don't ask again”, sign in without a code, see it in My account, Forget it", async ({ page, shot }) => {
  const user = newUser();
  await signUp(page, user);
  const last = await enableSmsMfa(page, user);
  await signOut(page);

  // Password, then the code with the box ticked.
  let before = await passwordStep(page, user, last);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  const remember = page.getByRole("checkbox", { name: REMEMBER });
  await expectVisible(remember);
  assert.equal(await remember.isChecked(), false, "the box starts unticked");
  await expectText(page.locator("label").filter({ has: remember }), "Don't ask again on this browser for 30 days");
  await remember.check();
  await page.getByLabel("Verification code").fill(await readLatestCode(page, last, { after: before }));
  await checkA11y(page, "challenge with the box ticked");
  await shot("challenge with dont ask again ticked");
  await page.getByRole("button", { name: "Verify" }).click();
  await expectUrl(page, "/");
  await signOut(page);

  // The next sign-in on this browser: the password lands on the app, no text is sent.
  before = await passwordStep(page, user, last);
  await expectUrl(page, "/");
  await expectVisible(page.getByRole("heading", { level: 1, name: `Welcome back, ${user.name.split(" ")[0]}` }));
  assert.equal(await outboxCount(page, last), before, "no text message for a trusted browser");
  await shot("signed in without a code");

  // My account: the card lists this browser; the activity says how the sign-in was made.
  await visit(page, "/account", "my account with a trusted browser");
  const card = trustedCard(page);
  await expectVisible(card);
  const rows = card.getByRole("list", { name: "Trusted browsers" }).getByRole("listitem");
  assert.equal(await rows.count(), 1, "one trusted browser");
  await expectText(rows.first(), "This browser");
  await expectText(rows.first(), /Trusted .* · Last used .* · Until /);
  await expectVisible(page.getByText("Signed in from a trusted browser").first());
  await shot("my account trusted browsers card");
  await page.setViewportSize(PHONE);
  await checkA11y(page, "trusted browsers at phone width");
  const forget = card.getByRole("button", { name: /^Forget .*\(this browser\)$/ });
  const [cardBox, buttonBox] = [await card.boundingBox(), await forget.boundingBox()];
  assert.ok(buttonBox.x + buttonBox.width <= cardBox.x + cardBox.width, "Forget fits inside the card at phone width");
  // Full-page shots from the top, so the sticky header stays where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot("my account trusted browsers card at phone width");

  // Forget: the card empties, and the next sign-in asks for the code again.
  await forget.click();
  await expectVisible(card.getByText("No trusted browsers."));
  await checkA11y(page, "trusted browser forgotten");
  await shot("trusted browser forgotten");
  await signOut(page);
  await passwordStep(page, user, last);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  await expectVisible(page.getByRole("checkbox", { name: REMEMBER }));
  await shot("asked for the code again");
});

test("Trusted browser: an organisation that turns it off hides the box and forgets trusted browsers", async ({ page, shot }) => {
  const user = newUser();
  await signUp(page, user);
  const last = await enableSmsMfa(page, user);
  await signOut(page);
  const before = await passwordStep(page, user, last);
  await page.getByRole("checkbox", { name: REMEMBER }).check();
  await page.getByLabel("Verification code").fill(await readLatestCode(page, last, { after: before }));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectUrl(page, "/");

  // The admin (the person who signed up) turns it off: a change to how members sign in, behind the step-up.
  await visit(page, "/org/settings", "organisation settings");
  const select = page.getByLabel("Let members skip MFA on trusted browsers for");
  assert.equal(await select.inputValue(), "30", "30 days by default");
  await select.selectOption("0");
  await page.getByRole("button", { name: "Save time limit" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await expectVisible(dialog);
  await passStepUp(page, dialog, user, { sms: last });
  await expectVisible(page.getByRole("status").filter({ hasText: "Browsers they trusted are forgotten." }));
  await checkA11y(page, "trusted browsers turned off");
  await shot("organisation turned trusted browsers off");

  await visit(page, "/account", "my account, none trusted");
  await expectVisible(trustedCard(page).getByText("No trusted browsers."));
  await signOut(page);
  await passwordStep(page, user, last);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  assert.equal(await page.getByRole("checkbox", { name: REMEMBER }).count(), 0, "no box when the organisation turned it off");
  await shot("challenge without the box");
});
