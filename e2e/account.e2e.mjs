// Accounts: sign up, sign in and out, the avatar menu by keyboard, My account, and the sign-in edge cases.
import {
  assert,
  avatarButton,
  baseURL,
  checkA11y,
  DEMO_ADMIN,
  DEMO_MEMBER,
  expectAttribute,
  expectFocused,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  fillSignUp,
  newUser,
  profileRows,
  signIn,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
} from "./lib.mjs";

test("sign up, sign out, sign in, avatar menu by keyboard, My account", async ({ page, shot }) => {
  const user = newUser();

  await signUp(page, user, shot);
  await expectText(page.getByText(/You are an admin of/), `You are an admin of ${user.organisation}.`);
  await shot("home after sign-up");

  await signOut(page);
  await shot("signed out");

  await signIn(page, user);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Welcome back, Zoë" }));
  await shot("home after sign-in");

  // The avatar menu, keyboard only (WAI-ARIA menu button).
  const button = avatarButton(page);
  assert.equal(await button.getAttribute("aria-label"), `Account menu for ${user.name}, ${user.initials}`);
  assert.equal((await button.textContent()).trim(), user.initials, "the avatar shows the initials");
  await expectAttribute(button, "aria-expanded", "false");
  await button.focus();
  await page.keyboard.press("ArrowDown");
  const menu = page.getByRole("menu", { name: "Account" });
  await expectVisible(menu);
  await expectAttribute(button, "aria-expanded", "true");
  const items = menu.getByRole("menuitem");
  await expectFocused(items.first());
  assert.equal((await items.first().textContent()).trim(), "My account", "the first item is My account");
  await checkA11y(page, "avatar menu open");
  await shot("avatar menu open by keyboard");
  await page.keyboard.press("ArrowDown");
  await expectFocused(items.nth(1));
  await page.keyboard.press("End");
  await expectFocused(menu.getByRole("menuitem", { name: "Sign out" }));
  await page.keyboard.press("ArrowDown"); // wraps around
  await expectFocused(items.first());
  await page.keyboard.press("Escape");
  await expectHidden(menu);
  await expectFocused(button);
  await expectAttribute(button, "aria-expanded", "false");

  // Enter opens it too, focus again on the first item; Enter on "My account" follows the link.
  await page.keyboard.press("Enter");
  await expectVisible(menu);
  await expectFocused(menu.getByRole("menuitem", { name: "My account" }));
  await page.keyboard.press("Enter");
  await expectUrl(page, "/account");
  await expectVisible(page.getByRole("heading", { level: 1, name: "My account" }));
  await checkA11y(page, "My account");

  const rows = await profileRows(page);
  assert.deepEqual(rows, { Name: user.name, Email: user.email, Organisation: user.organisation, Role: "Admin" });
  assert.equal((await avatarButton(page).textContent()).trim(), "ZD");
  await shot("my account");

  await signOut(page);
  // Signed out means signed out: the account page sends us back to sign in.
  await page.goto("/account");
  await expectUrl(page, "/login?callbackUrl=%2Faccount");
});

test("sign-up with a short password shows the message at the field and keeps what was typed", async ({ page, shot }) => {
  const user = newUser({ password: "short" });
  await visit(page, "/signup");
  await fillSignUp(page, user);
  await page.getByRole("button", { name: "Create account" }).click();

  const password = page.getByLabel("Password", { exact: true });
  await expectAttribute(password, "aria-invalid", "true");
  const describedBy = await password.getAttribute("aria-describedby");
  assert.ok(describedBy, "the password field points at its error");
  const message = page.locator(`[id="${describedBy.split(" ").at(-1)}"]`);
  await expectText(message, "Use at least 8 characters.");
  // "Next to the field": directly below the input, not in a banner elsewhere.
  const [fieldBox, messageBox] = [await password.boundingBox(), await message.boundingBox()];
  assert.ok(messageBox.y >= fieldBox.y + fieldBox.height && messageBox.y - (fieldBox.y + fieldBox.height) < 24, "the message sits right under the field");

  assert.equal(await page.getByLabel("Your name").inputValue(), user.name, "the name is kept");
  assert.equal(await page.getByLabel("Work email").inputValue(), user.email, "the email is kept");
  assert.equal(await page.getByLabel("Organisation name").inputValue(), user.organisation, "the organisation is kept");
  assert.equal(await password.inputValue(), "", "the password is not sent back");
  await expectUrl(page, "/signup");
  await checkA11y(page, "sign-up with an error");
  await shot("short password error");

  // A common password is refused as well, saying why (a blocklist of leaked and often-used passwords).
  await password.fill("Password123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expectText(page.locator(`[id="${(await password.getAttribute("aria-describedby")).split(" ").at(-1)}"]`), "This password is too common");
  await expectUrl(page, "/signup");
  await shot("common password error");

  // Fixing the password is enough: the account is made and its address is to be confirmed.
  await password.fill("a much longer passphrase");
  await page.getByRole("button", { name: "Create account" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your inbox" }));
});

test("a wrong password and an unknown email give the same message", async ({ page, shot }) => {
  await visit(page, "/login");
  await submitSignIn(page, DEMO_MEMBER.email, "not-the-password");
  const alert = page.getByRole("alert").filter({ hasText: /email or password/ });
  await expectVisible(alert);
  const wrongPassword = (await alert.textContent()).trim();
  assert.equal(await page.getByLabel("Email").inputValue(), DEMO_MEMBER.email, "the email stays filled in");
  await checkA11y(page, "wrong password");
  await shot("wrong password");

  await visit(page, "/login");
  await submitSignIn(page, `nobody.${Date.now()}@example.com`, "not-the-password");
  await expectVisible(alert);
  const unknownEmail = (await alert.textContent()).trim();
  await shot("unknown email");

  assert.equal(wrongPassword, "The email or password is not right.");
  assert.equal(unknownEmail, wrongPassword, "nothing tells an unknown email from a wrong password");
  await expectUrl(page, "/login");
});

test("a signed-out visit to /account goes to sign in and comes back after it", async ({ page, shot }) => {
  await page.goto("/account");
  await expectUrl(page, "/login?callbackUrl=%2Faccount");
  await checkA11y(page, "sign in with callbackUrl");
  await shot("redirected to sign in");
  await signIn(page, DEMO_ADMIN, { expectPath: "/account" });
  await expectVisible(page.getByRole("heading", { level: 1, name: "My account" }));
  const rows = await profileRows(page);
  assert.deepEqual(rows, { Name: DEMO_ADMIN.name, Email: DEMO_ADMIN.email, Organisation: DEMO_ADMIN.organisation, Role: "Admin" });
  assert.equal((await avatarButton(page).textContent()).trim(), DEMO_ADMIN.initials);
  await shot("back on my account");
});

test("a callbackUrl to another site (//evil.example) lands on the home page", async ({ page }) => {
  await visit(page, "/login?callbackUrl=%2F%2Fevil.example");
  await submitSignIn(page, DEMO_MEMBER.email, DEMO_MEMBER.password);
  await expectUrl(page, (url) => url.origin === new URL(baseURL()).origin && url.pathname === "/" && url.search === "");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Welcome back, Milan" }));
  await expectText(page.getByText(/You are a member of/), "You are a member of Acme Feedback.");
  await checkA11y(page, "home as member");
});
