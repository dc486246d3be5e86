// Authenticator apps and backup codes (RFC 6238, NIST SP 800-63B 4.2.1.1): enrol from My account with the key shown on the page,
// save the backup codes, sign in with the app, with a backup code (once), switch to SMS at the challenge,
// manage the methods, and an organisation that allows authenticator apps only. A screenshot per step.
import fs from "node:fs";
import { Secret, TOTP } from "otpauth";
import {
  assert,
  baseURL,
  checkA11y,
  eventually,
  expectAttribute,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  newUser,
  outboxCount,
  passStepUp,
  readLatestCode,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
} from "./lib.mjs";

const SWITCH = { name: "Use multi-factor authentication" };
const STEP_MS = 30_000;

/**
 * An authenticator app in the test: codes from the key the page showed. The server accepts a time step
 * once per user and one step of drift, so each code is for a step after the last one used, at most the
 * next one (waiting for the clock when both are used up). Never the previous step: it could expire in transit.
 */
function authenticator(key) {
  const totp = new TOTP({ secret: Secret.fromBase32(key.replace(/\s+/g, "")), algorithm: "SHA1", digits: 6, period: 30 });
  let lastStep = -1;
  return {
    async code() {
      for (;;) {
        const now = Math.floor(Date.now() / STEP_MS);
        const step = Math.max(now, lastStep + 1);
        if (step <= now + 1) {
          lastStep = step;
          return totp.generate({ timestamp: step * STEP_MS });
        }
        await new Promise((r) => setTimeout(r, (now + 1) * STEP_MS - Date.now() + 250));
      }
    },
    /** A code this key never produced now: for the wrong-code checks. */
    wrong() {
      const right = new Set([-1, 0, 1].map((d) => totp.generate({ timestamp: Date.now() + d * STEP_MS })));
      for (let n = 0; ; n += 1) {
        const candidate = String(n).padStart(6, "0");
        if (!right.has(candidate)) return candidate;
      }
    },
  };
}

/** Waits until nothing spins (a pending button's spinner, a dialog still loading): axe cannot settle infinite animations. */
async function settled(page) {
  await eventually(async () => {
    const spinning = await page.evaluate(() => document.getAnimations().some((a) => a.effect?.getComputedTiming().endTime === Number.POSITIVE_INFINITY));
    assert.equal(spinning, false, "something is still loading");
  });
}

/** The accessibility check, once the page has settled. */
async function a11y(page, label) {
  await settled(page);
  await checkA11y(page, label);
}

function methodsList(page) {
  return page.getByRole("list", { name: "Sign-in methods" });
}

/** Password step of any method dialog. */
async function confirmPassword(dialog, user) {
  await dialog.getByLabel("Current password").fill(user.password);
  await dialog.getByRole("button", { name: "Continue" }).click();
}

/** Scan step: reads the key shown for manual entry, checks the QR image and the Copy button; returns the key. */
async function readKey(page, dialog, shot) {
  const qr = dialog.getByRole("img", { name: "QR code for your authenticator app" });
  await expectVisible(qr);
  const src = await qr.getAttribute("src");
  assert.match(src, /^data:image\/svg\+xml;base64,/, "the QR code is an <img> with a data: URL");
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR image loads under the CSP");
  const shown = (await dialog.getByTestId("totp-key").textContent()).trim();
  assert.match(shown, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, `the key is shown in groups of four: ${shown}`);
  const key = shown.replace(/\s+/g, "");
  await dialog.getByRole("button", { name: "Copy key" }).click();
  await expectText(dialog.getByRole("status").filter({ hasText: "Key copied" }), "Key copied.");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key, "Copy key puts the key, without spaces, on the clipboard");
  await a11y(page, "dialog: QR code and key");
  if (shot) await shot("qr code and key");
  return key;
}

/** The backup codes shown once: list, Copy all, Download .txt, the checkbox, Continue. Returns the codes. */
async function saveBackupCodes(page, dialog, shot) {
  const list = dialog.getByRole("list", { name: "Backup codes" });
  await expectVisible(list);
  const codes = (await list.getByRole("listitem").allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10, "10 backup codes");
  for (const code of codes) assert.match(code, /^[0-9a-z]{4}(-[0-9a-z]{4}){5}$/, `a backup code: ${code}`);
  assert.equal(new Set(codes).size, 10, "all different");
  const cont = dialog.getByRole("button", { name: "Continue" });
  assert.equal(await cont.isDisabled(), true, "Continue waits for the checkbox");
  await a11y(page, "dialog: backup codes");
  if (shot) await shot("backup codes shown once");

  await dialog.getByRole("button", { name: "Copy all" }).click();
  await expectText(dialog.getByRole("status").filter({ hasText: "Copied" }), "Copied all 10 codes.");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), codes.join("\n"), "Copy all puts the codes on the clipboard");

  const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download .txt" }).click()]);
  assert.equal(download.suggestedFilename(), "backup-codes.txt");
  const text = fs.readFileSync(await download.path(), "utf8");
  for (const code of codes) assert.ok(text.includes(code), `the file holds ${code}`);

  await dialog.getByLabel("I have saved these codes").check();
  assert.equal(await cont.isEnabled(), true, "Continue turns on once the box is ticked");
  // The button fades to its enabled colour (a CSS transition): show the end state.
  await page.evaluate(() => {
    for (const animation of document.getAnimations()) if (animation.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY) animation.finish();
  });
  if (shot) await shot("backup codes saved");
  await cont.click();
  return codes;
}

/** From My account with MFA off: switch on → "use an authenticator app instead" → password → key → code → backup codes. */
async function enrolFromMyAccount(page, user, shot) {
  await visit(page, "/account", "My account");
  const toggle = page.getByRole("switch", SWITCH);
  await toggle.click();
  await expectAttribute(toggle, "aria-checked", "true");
  await expectVisible(page.getByRole("button", { name: "Register", exact: true }));
  if (shot) await shot("switch on: register or use an app");
  await page.getByRole("button", { name: "use an authenticator app instead" }).click();
  const dialog = page.getByRole("dialog", { name: "Add an authenticator app" });
  // The dialog's content loads when it opens; wait for it (the loading spinner spins forever, which axe cannot settle).
  await expectVisible(dialog.getByLabel("Current password"));
  await a11y(page, "dialog: password");
  if (shot) await shot("add app: password");
  await confirmPassword(dialog, user);
  const key = await readKey(page, dialog, shot);
  const app = authenticator(key);

  // A code from another key is refused and changes nothing.
  const field = dialog.getByLabel("Authenticator code");
  await field.fill(app.wrong());
  await dialog.getByRole("button", { name: "Verify" }).click();
  await expectText(dialog.getByText(/That code is not right/), /Enter the code your authenticator app shows now\. 4 tries left\./);
  await expectAttribute(field, "aria-invalid", "true");
  if (shot) await shot("wrong code refused");

  await field.fill(await app.code());
  await dialog.getByRole("button", { name: "Verify" }).click();
  await expectText(dialog.getByRole("status").filter({ hasText: "Multi-factor authentication is on" }), "with your authenticator app");
  const codes = await saveBackupCodes(page, dialog, shot);
  await expectHidden(dialog);
  return { app, key, codes };
}

/** Signs out, then in with the password, and lands on the challenge, which opens with the authenticator app. */
async function passwordStep(page, user) {
  await signOut(page);
  await visit(page, "/login", "sign-in form");
  await submitSignIn(page, user.email, user.password);
  await expectUrl(page, "/login/verify");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Enter your authenticator code" }));
  await expectText(page.getByText(/Enter the 6-digit code from your authenticator app/), "Enter the 6-digit code from your authenticator app.");
}

async function expectHome(page) {
  await expectUrl(page, "/");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Welcome back, Zoë" }));
}

async function grantClipboard(context) {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL() });
}

test("Authenticator app: enrol from My account with the key shown, save the backup codes, sign out and sign in with it", async ({
  page,
  context,
  shot,
}) => {
  await grantClipboard(context);
  const user = newUser();
  await signUp(page, user);
  const { app } = await enrolFromMyAccount(page, user, shot);

  // My account lists the methods; the app is recommended, backup codes are counted.
  await expectVisible(page.getByRole("status").filter({ hasText: "Multi-factor authentication is on with your authenticator app." }));
  await expectAttribute(page.getByRole("switch", SWITCH), "aria-checked", "true");
  const list = methodsList(page);
  await expectText(list.getByRole("listitem").filter({ hasText: "Authenticator app" }), /Recommended.*Added \d{1,2} \w+ \d{4}/);
  await expectText(page.getByTestId("backup-codes-left"), "10 of 10 left");
  await expectVisible(page.getByText(/NIST calls SMS a restricted method/));
  await a11y(page, "methods listed");
  await shot("my account lists the methods");
  await page.reload();
  await expectText(page.getByTestId("backup-codes-left"), "10 of 10 left");
  await expectVisible(page.getByRole("button", { name: "Replace authenticator app" }));

  // Security activity names the change.
  await expectVisible(page.getByText("Multi-factor authentication turned on"));

  await passwordStep(page, user);
  assert.equal(await page.getByText(/Text message to the number/).count(), 0, "no SMS method to offer");
  await a11y(page, "authenticator challenge");
  await shot("sign-in asks for the authenticator code");
  const field = page.getByLabel("Authenticator code");
  await field.fill(app.wrong());
  await page.getByRole("button", { name: "Verify" }).click();
  await expectText(page.getByText(/not right/), /4 tries left\./);
  await shot("wrong authenticator code");
  await field.fill(await app.code());
  await page.getByRole("button", { name: "Verify" }).click();
  await expectHome(page);
  await a11y(page, "home after authenticator sign-in");
  await shot("signed in with the authenticator app");
});

test("Authenticator app: sign in with a backup code, the same code is refused the second time, switch to SMS at the challenge", async ({
  page,
  context,
  shot,
}) => {
  await grantClipboard(context);
  const user = newUser();
  await signUp(page, user);
  const { app, codes } = await enrolFromMyAccount(page, user);

  // A phone number beside the app: the app's code first, then the registration from the number on.
  await page.getByRole("button", { name: "Add phone number" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a phone number" });
  await expectVisible(dialog);
  await confirmPassword(dialog, user);
  await expectText(dialog.getByText(/Enter the 6-digit code from your authenticator app/), "authenticator app");
  await a11y(page, "add phone: authenticator code");
  await shot("add phone: code from the app first");
  await dialog.getByLabel("Authenticator code").fill(await app.code());
  await dialog.getByRole("button", { name: "Verify" }).click();
  const number = dialog.getByPlaceholder("Please enter your phone number");
  await expectVisible(number);
  await dialog.getByRole("button", { name: /^Country:/ }).click();
  await dialog.getByRole("combobox", { name: "Search countries" }).pressSequentially("Netherlands");
  await dialog.getByRole("option", { name: /^Netherlands/ }).click();
  await number.pressSequentially("612340071");
  const before = await outboxCount(page, "0071");
  await dialog.getByRole("button", { name: "Send code" }).click();
  await dialog.getByLabel("Verification code").fill(await readLatestCode(page, "0071", { after: before }));
  await expectVisible(dialog.getByRole("status").filter({ hasText: "Code confirmed" }));
  await dialog.getByRole("button", { name: "Save" }).click();
  await expectHidden(dialog);
  await expectVisible(page.getByText("•••• 0071"));
  await expectText(page.getByTestId("backup-codes-left"), "10 of 10 left");
  await shot("app and phone number listed");

  // Backup code: typed in capitals with spaces instead of dashes (normalised before checking).
  await passwordStep(page, user);
  await expectVisible(page.getByRole("heading", { level: 2, name: "Use another method" }));
  await expectVisible(page.getByRole("button", { name: "Text message to the number ending in 0071" }));
  await a11y(page, "challenge with other methods");
  await shot("challenge offers other methods");
  await page.getByRole("link", { name: "Use a backup code" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Use a backup code" }));
  await expectText(page.getByText(/Enter one of your backup codes/), "You have 10 left");
  const code = codes[3];
  await page.getByLabel("Backup code").fill(code.toUpperCase().replace(/-/g, " "));
  await shot("backup code typed");
  await page.getByRole("button", { name: "Verify" }).click();
  await expectHome(page);
  await expectText(page.getByText(/You signed in with a backup code/), "You have 9 backup codes left.");
  // The note that says so is a cookie like the session's: Secure and HttpOnly (ASVS 5.0 3.3.1).
  const note = (await page.context().cookies()).find((c) => c.name === "backup-codes-left");
  assert.ok(note, "the backup-codes-left cookie is set");
  assert.equal(note.secure, true, "backup-codes-left is Secure");
  assert.equal(note.httpOnly, true, "backup-codes-left is HttpOnly");
  await a11y(page, "signed in with a backup code");
  await shot("signed in with a backup code");

  // The same code again: refused.
  await passwordStep(page, user);
  await page.getByRole("link", { name: "Use a backup code" }).click();
  await expectText(page.getByText(/Enter one of your backup codes/), "You have 9 left");
  const field = page.getByLabel("Backup code");
  await field.fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectText(page.getByText(/That backup code is not right/), /already been used\. 4 tries left\./);
  await expectAttribute(field, "aria-invalid", "true");
  await a11y(page, "used backup code refused");
  await shot("same backup code refused");

  // Switch to SMS at the challenge: a text is sent only now.
  const beforeSms = await outboxCount(page, "0071");
  await page.getByRole("button", { name: "Text message to the number ending in 0071" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  await expectText(page.getByText(/Enter the 6-digit code we sent/), "the number ending in 0071");
  const smsCode = await readLatestCode(page, "0071", { after: beforeSms, sameContext: true });
  await a11y(page, "switched to SMS");
  await shot("switched to SMS");
  await page.getByLabel("Verification code").fill(smsCode);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectHome(page);
  await shot("signed in with SMS");
});

test("Authenticator app: regenerating backup codes and removing the app each need the password and a code; the last method off turns MFA off", async ({
  page,
  context,
  shot,
}) => {
  await grantClipboard(context);
  const user = newUser();
  await signUp(page, user);
  const { app, codes } = await enrolFromMyAccount(page, user);

  // Regenerate: password, then the app's code, then a new set shown once.
  await page.getByRole("button", { name: "Regenerate backup codes" }).click();
  let dialog = page.getByRole("dialog", { name: "New backup codes" });
  await expectVisible(dialog);
  await dialog.getByLabel("Current password").fill("not my password");
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expectText(dialog.getByText("That password is not right."), "That password is not right.");
  await shot("regenerate: wrong password");
  await confirmPassword(dialog, user);
  await dialog.getByLabel("Authenticator code").fill("12a456");
  await dialog.getByRole("button", { name: "Verify" }).click();
  await expectText(dialog.getByText("The code is 6 digits, numbers only."), "numbers only");
  await a11y(page, "regenerate: bad code");
  await shot("regenerate: letters in the code");
  await dialog.getByLabel("Authenticator code").fill(await app.code());
  await dialog.getByRole("button", { name: "Verify" }).click();
  const fresh = await saveBackupCodes(page, dialog, shot);
  assert.ok(!fresh.some((c) => codes.includes(c)), "a whole new set");
  await expectHidden(dialog);
  await expectText(page.getByTestId("backup-codes-left"), "10 of 10 left");
  await expectVisible(page.getByText("New backup codes created"));
  await shot("new codes listed");

  // Remove the only method: the dialog warns, then MFA is off and the switch with it.
  await page.getByRole("button", { name: "Remove authenticator app" }).click();
  dialog = page.getByRole("dialog", { name: "Remove your authenticator app" });
  await expectVisible(dialog);
  await expectText(dialog.getByText(/This is your only sign-in method/), "turns multi-factor authentication off");
  await a11y(page, "remove: warning");
  await shot("remove: warning about the last method");
  await confirmPassword(dialog, user);
  await dialog.getByLabel("Authenticator code").fill(await app.code());
  await dialog.getByRole("button", { name: "Verify" }).click();
  await expectHidden(dialog);
  await expectVisible(page.getByRole("status").filter({ hasText: "Multi-factor authentication is off" }));
  await expectAttribute(page.getByRole("switch", SWITCH), "aria-checked", "false");
  await expectVisible(page.getByText("Off. Switch it on to register your phone number."));
  await a11y(page, "MFA off");
  await shot("app removed, MFA off");

  // And the next sign-in asks for no code.
  await signOut(page);
  await visit(page, "/login");
  await submitSignIn(page, user.email, user.password);
  await expectHome(page);
});

test("Authenticator app only: My account does not offer SMS, and a member whose only method is SMS is held at setup until they add an app", async ({
  page,
  context,
  shot,
}) => {
  await grantClipboard(context);
  const user = newUser();
  await signUp(page, user);

  // Register a phone number first, the help article's way.
  await visit(page, "/account", "My account");
  await page.getByRole("switch", SWITCH).click();
  await page.getByRole("button", { name: "Register", exact: true }).click();
  let dialog = page.getByRole("dialog", { name: "Register your phone number" });
  await confirmPassword(dialog, user);
  await dialog.getByRole("button", { name: /^Country:/ }).click();
  await dialog.getByRole("combobox", { name: "Search countries" }).pressSequentially("Netherlands");
  await dialog.getByRole("option", { name: /^Netherlands/ }).click();
  await dialog.getByPlaceholder("Please enter your phone number").pressSequentially("612340072");
  const before = await outboxCount(page, "0072");
  await dialog.getByRole("button", { name: "Send code" }).click();
  await dialog.getByLabel("Verification code").fill(await readLatestCode(page, "0072", { after: before }));
  await dialog.getByRole("button", { name: "Save" }).click();
  // The first method comes with backup codes, shown once in the same dialog.
  await saveBackupCodes(page, dialog, shot);
  await expectHidden(dialog);
  await expectVisible(page.getByText("•••• 0072"));
  await shot("sms registered with backup codes");

  // The admin allows authenticator apps only (organisation settings).
  await visit(page, "/org/settings", "organisation settings");
  await page.getByRole("radio", { name: /Authenticator app only/ }).check();
  await page.getByRole("button", { name: "Save methods" }).click();
  // A change to how everyone signs in: the admin's step-up first, the password and a code texted to their phone.
  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  await expectText(stepUp, "You are about to change which sign-in methods members may use.");
  await passStepUp(page, stepUp, user, { sms: "0072" });
  // Saving re-renders the settings page, whose guard may already send the admin to setup.
  await eventually(async () => {
    const atSetup = new URL(page.url()).pathname === "/account/mfa-setup";
    assert.ok(atSetup || (await page.getByText(/Text messages are no longer allowed/).count()) > 0, "the policy is saved");
  });

  // From the next request they are held at setup, which offers the app and proves the number first.
  await visit(page, "/account");
  await expectUrl(page, "/account/mfa-setup");
  await expectText(page.getByText(/allows only authenticator apps/), "Add one to continue.");
  assert.equal(await page.getByPlaceholder("Please enter your phone number").count(), 0, "no phone registration offered");
  await a11y(page, "setup: authenticator only");
  await shot("held at setup: add an app");
  const beforeStepUp = await outboxCount(page, "0072");
  await page.getByLabel("Current password").fill(user.password);
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText(page.getByText(/Enter the code we sent to your number ending in/), "0072");
  await page.getByLabel("Verification code").fill(await readLatestCode(page, "0072", { after: beforeStepUp }));
  await shot("setup: the number proves it is them");
  await page.getByRole("button", { name: "Verify" }).click();
  const key = await readKey(page, page.locator("main"), shot);
  const app = authenticator(key);
  await page.getByLabel("Authenticator code").fill(await app.code());
  await page.getByRole("button", { name: "Verify" }).click();
  await expectUrl(page, "/account");
  await expectVisible(page.getByRole("heading", { level: 1, name: "My account" }));
  await expectText(methodsList(page).getByRole("listitem").filter({ hasText: "Text message" }), "Your organisation allows authenticator apps only");
  assert.equal(await page.getByRole("button", { name: "Change number" }).count(), 0, "no number change offered");
  await a11y(page, "continued after adding the app");
  await shot("continued with app and number");

  // With an app and a number in an app-only organisation, sign-in offers the app and never a text message.
  await passwordStep(page, user);
  assert.equal(await page.getByText(/Text message to the number/).count(), 0, "no SMS offered at sign-in in an app-only organisation");
  await visit(page, "/login/verify?method=sms", "challenge asked for SMS by hand");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Enter your authenticator code" }));
  await shot("app-only organisation: challenge without text message");
  await page.getByLabel("Authenticator code").fill(await app.code());
  await page.getByRole("button", { name: "Verify" }).click();
  await expectUrl(page, "/");
  await visit(page, "/account", "My account");

  // Removing the number leaves the app; the SMS row then says SMS is not allowed and offers nothing.
  await page.getByRole("button", { name: "Remove phone number" }).click();
  dialog = page.getByRole("dialog", { name: "Remove your phone number" });
  await confirmPassword(dialog, user);
  await dialog.getByLabel("Authenticator code").fill(await app.code());
  await dialog.getByRole("button", { name: "Verify" }).click();
  await expectHidden(dialog);
  await expectText(methodsList(page).getByRole("listitem").filter({ hasText: "Text message" }), "Not allowed by your organisation.");
  assert.equal(await page.getByRole("button", { name: "Add phone number" }).count(), 0);
  await shot("number removed, SMS not offered");
});

