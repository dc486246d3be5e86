// Passkeys and security keys (WebAuthn): Chromium's virtual authenticator (Chrome DevTools Protocol) stands in
// for a phone or laptop with a passkey; it answers every prompt by itself, with user verification. Add one on
// My account, sign in with it alone, then as the second factor after the password; an organisation that allows
// passkeys only holds an SMS-only member at setup until they add one. A screenshot per step.
import {
  assert,
  checkA11y,
  eventually,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  passStepUp,
  PHONE,
  newUser,
  registerPhone,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
} from "./lib.mjs";

/** A platform authenticator with resident keys and user verification, on this page's browser tab. */
async function addVirtualAuthenticator(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    async credentials() {
      return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    },
  };
}

/** The backup codes a first factor brings: ticked as saved, then Continue. */
async function saveBackupCodes(dialog) {
  const list = dialog.getByRole("list", { name: "Backup codes" });
  await expectVisible(list);
  assert.equal(await list.getByRole("listitem").count(), 10, "10 backup codes");
  await dialog.getByLabel("I have saved these codes").check();
  await dialog.getByRole("button", { name: "Continue" }).click();
}

const passkeyList = (page) => page.getByRole("list", { name: "Passkeys" });

test("Passkeys: add one on My account, sign in with it alone, then after the password as the second factor", async ({ page, context, shot }) => {
  const authenticator = await addVirtualAuthenticator(context, page);
  const user = newUser();
  await signUp(page, user);

  await visit(page, "/account", "My account");
  await expectText(page.getByRole("list", { name: "Sign-in methods" }).or(page.getByText("No passkeys yet.")), "No passkeys yet.");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a passkey" });
  await expectVisible(dialog);
  await shot("add a passkey: confirm the password");
  // No factor yet: the password alone, then the browser's prompt (answered by the virtual authenticator).
  await passStepUp(page, dialog, user);
  await saveBackupCodes(dialog);
  await expectHidden(dialog);
  await expectText(page.getByRole("status").filter({ hasText: "passkey" }).first(), "Multi-factor authentication is on with your passkey.");
  assert.equal((await authenticator.credentials()).length, 1, "the browser holds one passkey for the site");
  const row = passkeyList(page).getByRole("listitem");
  await expectVisible(row);
  await expectText(row, "Not used yet");
  // Renamed in place.
  await row.getByRole("button", { name: /^Rename/ }).click();
  await row.getByLabel("Passkey name").fill("Work laptop");
  await row.getByRole("button", { name: "Save" }).click();
  await expectText(passkeyList(page).getByTestId("passkey-name"), "Work laptop");
  await expectText(page.getByRole("list", { name: "Sign-in methods" }), "1 passkey");
  await checkA11y(page, "My account with a passkey");
  await shot("passkey list on My account");

  // Sign in with the passkey alone: no email, no password.
  await signOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expectUrl(page, "/");
  await expectVisible(page.getByRole("heading", { level: 1, name: `Welcome back, ${user.name.split(" ")[0]}` }));
  await shot("signed in with the passkey alone");

  // Password, then the passkey offered first as the second factor.
  await signOut(page);
  await submitSignIn(page, user.email, user.password);
  await expectUrl(page, "/login/verify");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Use your passkey" }));
  await expectVisible(page.getByRole("link", { name: "Use a backup code" }));
  await checkA11y(page, "challenge with a passkey");
  await shot("challenge page: passkey offered first");
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expectUrl(page, "/");

  // The list says when the key was last used.
  await visit(page, "/account", "My account");
  await expectText(passkeyList(page).getByRole("listitem"), "Last used");
});

test("Passkeys only: the organisation's policy holds an SMS-only member at setup until they add a passkey", async ({ page, context, shot }) => {
  const user = newUser();
  await signUp(page, user);

  // A phone number first, the help article's way.
  await registerPhone(page, user, "612340083");
  await expectVisible(page.getByText("•••• 0083"));

  // The admin (this user: sign-up made them one) allows passkeys and security keys only.
  await visit(page, "/org/settings", "organisation settings");
  await page.getByRole("radio", { name: /Passkeys and security keys only/ }).check();
  await shot("organisation: passkeys and security keys only");
  await page.getByRole("button", { name: "Save methods" }).click();
  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  await passStepUp(page, stepUp, user, { sms: "0083" });
  await eventually(async () => {
    const atSetup = new URL(page.url()).pathname === "/account/mfa-setup";
    assert.ok(atSetup || (await page.getByText(/Only passkeys and security keys are allowed now/).count()) > 0, "the policy is saved");
  });

  // From the next page on they are held at setup, which offers a passkey only (the number proves it is them).
  await visit(page, "/account");
  await expectUrl(page, "/account/mfa-setup");
  await expectText(page.getByText(/allows only passkeys and security keys/), "Add one to continue.");
  assert.equal(await page.getByPlaceholder("Please enter your phone number").count(), 0, "no phone registration offered");
  assert.equal(await page.getByRole("button", { name: /authenticator app/i }).count(), 0, "no authenticator app offered");
  await checkA11y(page, "setup: passkeys only");
  await shot("held at setup: add a passkey");
  await visit(page, "/org/settings");
  await expectUrl(page, "/account/mfa-setup");

  await addVirtualAuthenticator(context, page);
  const main = page.locator("main");
  await passStepUp(page, main, user, { sms: "0083" });
  // Backup codes came with the number; adding the passkey frees them from setup.
  await eventually(() => assert.notEqual(new URL(page.url()).pathname, "/account/mfa-setup", "left setup"), { timeout: 20_000 });
  await visit(page, "/account", "My account");
  await expectText(page.getByRole("list", { name: "Sign-in methods" }), "1 passkey");

  // Sign-in now asks for the passkey; a text message is no longer offered.
  await signOut(page);
  await submitSignIn(page, user.email, user.password);
  await expectUrl(page, "/login/verify");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Use your passkey" }));
  assert.equal(await page.getByText(/Text message to the number/).count(), 0, "no SMS offered in a passkeys-only organisation");
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expectUrl(page, "/");
});

test(
  "Passkeys: the sign-in page and the list at phone width",
  async ({ page, context, shot }) => {
    await addVirtualAuthenticator(context, page);
    const user = newUser();
    await signUp(page, user);
    await visit(page, "/account", "My account");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a passkey" });
    await passStepUp(page, dialog, user);
    await saveBackupCodes(dialog);
    await expectVisible(passkeyList(page).getByRole("listitem"));
    await passkeyList(page).scrollIntoViewIfNeeded();
    await shot("phone: passkey list");
    await signOut(page);
    await expectVisible(page.getByRole("button", { name: "Sign in with a passkey" }));
    await shot("phone: sign-in with a passkey button");
  },
  { viewport: PHONE },
);
