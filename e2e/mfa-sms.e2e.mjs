// SMS multi-factor authentication, step by step as the help article (My account, the switch, Register, Save)
// tells people to do it, with a screenshot per step.
import {
  assert,
  avatarButton,
  backgroundColour,
  checkA11y,
  eventually,
  expectAttribute,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  newUser,
  outboxCount,
  PHONE,
  readLatestCode,
  signIn,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
  wrongCode,
} from "./lib.mjs";

const SWITCH = { name: "Use multi-factor authentication" };

/** Step 1: the avatar with the initials → "My account". */
async function openMyAccount(page, user, shot) {
  const avatar = avatarButton(page);
  assert.equal((await avatar.textContent()).trim(), user.initials);
  await avatar.click();
  const menu = page.getByRole("menu");
  await expectVisible(menu);
  await shot("step 1 avatar menu");
  await menu.getByRole("menuitem", { name: "My account" }).click();
  await expectUrl(page, "/account");
  await expectVisible(page.getByRole("heading", { level: 1, name: "My account" }));
  await checkA11y(page, "My account");
  await shot("step 1 my account");
}

/** Steps 2 and 3.1: the switch → "Register" → the current password → Continue. Returns the dialog. */
async function startRegistration(page, user, shot) {
  const toggle = page.getByRole("switch", SWITCH);
  await expectAttribute(toggle, "aria-checked", "false");
  await toggle.click();
  await expectAttribute(toggle, "aria-checked", "true");
  await checkA11y(page, "switch on");
  await shot("step 2 switch on");

  await page.getByRole("button", { name: "Register", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Register your phone number" });
  await expectVisible(dialog);
  const password = dialog.getByLabel("Current password");
  await expectVisible(password);
  await checkA11y(page, "dialog: password");
  await shot("step 3.1 password");
  await password.fill(user.password);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expectVisible(dialog.getByPlaceholder("Please enter your phone number"));
  return dialog;
}

/** Step 3.2: the grey country button left of the number → search → Netherlands → the number. */
async function enterDutchNumber(page, dialog, national, shot) {
  const field = dialog.getByPlaceholder("Please enter your phone number");
  const country = dialog.getByRole("button", { name: /^Country:/ });
  // The grey button sits to the left of the field, on the same line.
  const [countryBox, fieldBox] = [await country.boundingBox(), await field.boundingBox()];
  assert.ok(countryBox.x + countryBox.width <= fieldBox.x + 1, "the country button is left of the number field");
  assert.ok(Math.abs(countryBox.y + countryBox.height / 2 - (fieldBox.y + fieldBox.height / 2)) < 4, "…on the same line");
  const grey = await backgroundColour(country);
  assert.ok(grey.saturation < 0.1 && grey.r < 250, `the country button is grey (background ${grey.css})`);
  await checkA11y(page, "dialog: phone");
  await shot("step 3.2 phone number");

  await country.click();
  const search = dialog.getByRole("combobox", { name: "Search countries" });
  await expectVisible(search);
  await eventually(async () => assert.ok(await search.evaluate((el) => el === document.activeElement), "the search box has focus"));
  await shot("step 3.2 country list open");
  // The list must not push the dialog's title out of view or hide under the dialog's edge.
  const title = dialog.getByRole("heading", { name: "Register your phone number" });
  const [dialogBox, titleBox, listBox] = [await dialog.boundingBox(), await title.boundingBox(), await dialog.getByRole("listbox").boundingBox()];
  assert.ok(titleBox.y >= dialogBox.y, "the dialog title stays in view while the country list is open");
  assert.ok(listBox.y + listBox.height <= dialogBox.y + dialogBox.height + 1, "the country list is not cut off by the dialog");
  await search.pressSequentially("Netherlands");
  const option = dialog.getByRole("option", { name: /^Netherlands/ });
  await expectVisible(option);
  await checkA11y(page, "country list");
  await shot("step 3.2 country search");
  await option.click();
  await expectHidden(search);
  await expectAttribute(country, "aria-label", "Country: Netherlands +31");

  // The label of the field is "Phone number"; it is the same input as the placeholder one.
  assert.equal(await dialog.getByLabel("Phone number").getAttribute("placeholder"), "Please enter your phone number");
  await field.pressSequentially(national);
  assert.equal((await field.inputValue()).replace(/\D/g, ""), national, "the typed number is kept (formatting only adds spaces)");
  await shot("step 3.2 number typed");
  return field;
}

/** The countdown before "Resend code" is offered; returns the seconds shown. */
async function expectCountdown(scope) {
  const countdown = scope.getByText("You can ask for a new code in");
  await expectVisible(countdown);
  const text = await countdown.textContent();
  const seconds = Number(text.match(/(\d+)\s*s\b/)?.[1]);
  // The wait grows with the texts this account got this hour: 30 s, 1 min, 2 min, then 5 min.
  assert.ok(seconds > 0 && seconds <= 300, `a countdown in seconds is shown: ${JSON.stringify(text)}`);
  assert.equal(await scope.getByRole("button", { name: "Resend code" }).count(), 0, "no Resend button during the countdown");
  return seconds;
}

test("SMS MFA: register a Dutch number as the help article says, then sign in with a code", async ({ page, shot, soft }) => {
  const user = newUser();
  await signUp(page, user);
  await openMyAccount(page, user, shot);
  const dialog = await startRegistration(page, user, shot);
  await enterDutchNumber(page, dialog, "612345678", shot);

  const before = await outboxCount(page, "5678");
  await dialog.getByRole("button", { name: "Send code" }).click();

  // Step 3.3: verification.
  const codeField = dialog.getByLabel("Verification code");
  await expectVisible(codeField);
  await expectText(dialog.getByText(/We sent a 6-digit code/), "number ending in 5678");
  const first = await expectCountdown(dialog);
  await checkA11y(page, "dialog: verification");
  await shot("step 3.3 code sent");
  await eventually(async () => assert.ok((await expectCountdown(dialog)) < first, "the countdown counts down"), { timeout: 3_000 });

  const code = await readLatestCode(page, "5678", { after: before });
  const save = dialog.getByRole("button", { name: "Save" });
  assert.equal(await save.isDisabled(), true, "Save stays off until the code is right");
  // Typed the way people paste it from a message: "123 456".
  await codeField.pressSequentially(`${code.slice(0, 3)} ${code.slice(3)}`);
  await expectVisible(dialog.getByRole("status").filter({ hasText: "Code confirmed" }));
  await eventually(async () => assert.equal(await save.isEnabled(), true, "Save turns on once the code is right"));
  const blue = await backgroundColour(save);
  assert.ok(blue.saturation > 0.5 && blue.hue > 200 && blue.hue < 250, `the Save button is blue (background ${blue.css})`);
  await checkA11y(page, "dialog: code confirmed");
  await shot("step 3.4 save enabled");

  // Step 3.4: Save.
  await save.click();
  // The first method comes with 10 backup codes, shown once in the dialog: confirm they are saved, then Continue.
  const savedCodes = dialog.getByRole("checkbox", { name: "I have saved these codes" });
  await expectVisible(dialog.getByRole("list", { name: "Backup codes" }));
  await checkA11y(page, "backup codes after Save");
  await shot("step 3.4 backup codes");
  await savedCodes.check();
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expectHidden(dialog);
  await expectVisible(page.getByRole("status").filter({ hasText: "Multi-factor authentication is on." }));
  const toggle = page.getByRole("switch", SWITCH);
  await expectAttribute(toggle, "aria-checked", "true");

  // Step 4: the last four digits, below the switch.
  const masked = page.getByText("•••• 5678");
  await expectVisible(masked);
  const [switchBox, maskedBox] = [await toggle.boundingBox(), await masked.boundingBox()];
  assert.ok(maskedBox.y > switchBox.y + switchBox.height, "the number is shown below the switch");
  await checkA11y(page, "MFA on");
  await shot("step 4 number registered");

  // It is stored, not just shown: still there after a reload.
  await page.reload();
  await expectVisible(page.getByText("•••• 5678"));
  await expectAttribute(page.getByRole("switch", SWITCH), "aria-checked", "true");

  // The next sign-in asks for a code.
  await signOut(page);
  const beforeLogin = await outboxCount(page, "5678");
  await visit(page, "/login");
  await submitSignIn(page, user.email, user.password);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  await checkA11y(page, "sign-in challenge");
  // The address bar must say where the user is (reload, back button, bookmarks).
  await soft(expectUrl(page, "/login/verify", 2_000), "after the password step the address bar shows /login/verify");
  await expectText(page.getByText(/Enter the 6-digit code we sent/), "the number ending in 5678");
  await expectCountdown(page);
  await shot("step 4 sign-in challenge");

  // A developer reads the code in another tab of the same browser, where the half-signed-in session lives.
  const loginCode = await readLatestCode(page, "5678", { after: beforeLogin, sameContext: true });
  assert.notEqual(loginCode, code, "the sign-in sends a new code");
  const loginField = page.getByLabel("Verification code");
  await loginField.fill(wrongCode(loginCode));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectAttribute(loginField, "aria-invalid", "true");
  await expectText(page.getByText(/That code is not right/), /That code is not right\..* 4 tries left\./);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  await checkA11y(page, "wrong code");
  await shot("wrong code");

  await loginField.fill(loginCode);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectUrl(page, "/");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Welcome back, Zoë" }));
  await expectText(page.getByText(/Multi-factor authentication is on/), "Your sign-ins need a code from your phone.");
  await checkA11y(page, "home after MFA");
  await shot("signed in with code");
});

test("SMS MFA: an invalid number shows a clear message and sends nothing", async ({ page, shot }) => {
  const user = newUser();
  await signUp(page, user);
  await page.goto("/account");
  await checkA11y(page, "My account");
  const dialog = await startRegistration(page, user, async () => {});
  const field = await enterDutchNumber(page, dialog, "12", async () => {});

  const before = await outboxCount(page);
  await dialog.getByRole("button", { name: "Send code" }).click();
  const message = dialog.getByRole("alert");
  await expectText(message, "This is not a valid phone number for Netherlands.");
  await expectAttribute(field, "aria-invalid", "true");
  assert.ok((await field.getAttribute("aria-describedby"))?.length, "the field points at the message");
  assert.equal(await dialog.getByLabel("Verification code").count(), 0, "still on the phone step");
  await checkA11y(page, "invalid number");
  await shot("invalid number");
  assert.equal(await outboxCount(page), before, "no SMS was sent");
});

test(
  "SMS MFA at phone width: closing the dialog midway leaves MFA off",
  async ({ page, shot }) => {
    const user = newUser();
    await signUp(page, user);
    await shot("home at phone width");
    await openMyAccount(page, user, shot);
    const dialog = await startRegistration(page, user, shot);
    await enterDutchNumber(page, dialog, "612345680", shot);
    const before = await outboxCount(page, "5680");
    await dialog.getByRole("button", { name: "Send code" }).click();
    await expectVisible(dialog.getByLabel("Verification code"));
    await expectCountdown(dialog);
    assert.equal(await outboxCount(page, "5680"), before + 1, "the code was sent");
    await checkA11y(page, "verification at phone width");
    await shot("verification at phone width");

    // Nothing fits wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 390px`);

    await dialog.getByRole("button", { name: "Close" }).click();
    await expectHidden(dialog);
    await expectAttribute(page.getByRole("switch", SWITCH), "aria-checked", "false");
    await shot("dialog closed");

    await page.reload();
    await checkA11y(page, "after reload");
    await expectAttribute(page.getByRole("switch", SWITCH), "aria-checked", "false");
    await expectVisible(page.getByText("Off. Switch it on to register your phone number."));
    assert.equal(await page.getByText(/•••• \d{4}/).count(), 0, "no number is registered");
    await shot("still off after reload");

    // And the next sign-in asks for no code.
    await signOut(page);
    await signIn(page, user, { expectPath: "/" });
  },
  { viewport: PHONE },
);
