// Recovery by email: "Forgot password?" (with the second factor for an MFA account), the reset link's error
// pages, and changing the email address from My account. The emailed links are read from the dev outbox
// (/dev/outbox) through latestEmail(page, to) in lib.mjs.
import * as lib from "./lib.mjs";

const {
  assert,
  checkA11y,
  eventually,
  expectText,
  expectUrl,
  expectVisible,
  expectHidden,
  newUser,
  outboxCount,
  PHONE,
  readLatestCode,
  registerPhone,
  signIn,
  signOut,
  signUp,
  submitSignIn,
  test,
  visit,
  wrongCode,
} = lib;

/**
 * The newest email to `to` as the dev outbox shows it: { subject, text, links }. It comes with the email
 * outbox page (the email-delivery work); this file fails with a clear message where that is not there yet.
 */
async function latestEmail(page, to, options) {
  if (typeof lib.latestEmail !== "function") throw new Error("latestEmail(page, to) is missing from e2e/lib.mjs: it comes with the email outbox page");
  return eventually(() => lib.latestEmail(page, to, options), { timeout: 10_000, interval: 250 });
}

/** The one link in an email whose path starts with `path`. */
function linkTo(email, path) {
  const link = email.links.find((l) => new URL(l).pathname.startsWith(path));
  assert.ok(link, `a ${path} link in "${email.subject}": ${email.links.join(", ")}`);
  return link;
}

/** Asks for a reset link from the sign-in page, as a person who forgot their password does. */
async function askForResetLink(page, email, shot) {
  await visit(page, "/login", "sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expectUrl(page, "/forgot-password");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Reset your password" }));
  await checkA11y(page, "forgot password");
  if (shot) await shot("forgot password");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your inbox" }));
  await expectText(page.getByRole("status"), `If an account exists for ${email}, we sent it a link`);
  await checkA11y(page, "check your inbox");
  if (shot) await shot("check your inbox");
}

/** Opens the emailed reset link: the token moves into a cookie, and the address bar no longer shows it. */
async function openResetLink(page, email) {
  const message = await latestEmail(page, email);
  const link = linkTo(message, "/reset-password/");
  await page.goto(link);
  await expectUrl(page, "/reset-password");
  assert.ok(!page.url().includes(new URL(link).pathname.split("/").at(-1)), "the token is not in the address bar");
  return link;
}


// 061… is a Dutch mobile range; a number of its own keeps the per-number SMS budget apart from other tests.
const dutchMobile = () => `61${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

test("Forgot password: the same answer for an address without an account", async ({ page, shot }) => {
  await askForResetLink(page, `nobody.${Date.now()}@example.com`, shot);
  // "Send a new link" offers the form again with the address kept.
  await page.getByRole("button", { name: "Send a new link" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Reset your password" }));
  assert.match(await page.getByLabel("Email").inputValue(), /^nobody\.\d+@example\.com$/);
  await page.getByLabel("Email").fill("not an address");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expectText(page.getByText("Enter a valid email address"), "Enter a valid email address");
  await checkA11y(page, "invalid address");
  await shot("invalid address");
});

test("A reset link that does not work says why, and offers a new one", async ({ page, context, shot }) => {
  await page.goto("/reset-password/not-a-real-token");
  await expectUrl(page, "/reset-password");
  await expectVisible(page.getByRole("heading", { level: 1, name: "This link does not work" }));
  await expectVisible(page.getByText("Your password has not been changed."));
  await checkA11y(page, "invalid link");
  await shot("invalid link");
  // Without any link (no cookie): the page says where to start.
  await context.clearCookies();
  await visit(page, "/reset-password", "no link");
  await expectVisible(page.getByRole("heading", { level: 1, name: "Open the link from your email" }));
  await page.getByRole("link", { name: "Send a new link" }).click();
  await expectUrl(page, "/forgot-password");
});

test("A reset link that does not work, at phone width", async ({ page, shot }) => {
  await page.goto("/reset-password/not-a-real-token");
  await expectVisible(page.getByRole("heading", { level: 1, name: "This link does not work" }));
  await checkA11y(page, "invalid link on a phone");
  await shot("invalid link phone");
  await visit(page, "/forgot-password", "forgot password on a phone");
  await shot("forgot password phone");
}, { viewport: PHONE });

test("Forgot password: the emailed link sets a new password, signs out everywhere, and works once", async ({ page, context, shot }) => {
  const user = newUser();
  await signUp(page, user);
  // A second browser signed in as the same person is signed out by the reset.
  const other = await context.browser().newContext({ baseURL: lib.baseURL() });
  const elsewhere = await other.newPage();
  await visit(elsewhere, "/login");
  await signIn(elsewhere, user);
  await signOut(page);

  await askForResetLink(page, user.email, shot);
  const link = await openResetLink(page, user.email);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Choose a new password" }));
  await checkA11y(page, "new password");
  await shot("new password");
  await page.getByLabel("New password").fill("password");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expectText(page.getByText(/too common/), "too common");
  await shot("new password too common");
  const fresh = `${user.password} renewed`;
  await page.getByLabel("New password").fill(fresh);
  await page.getByRole("button", { name: "Save new password" }).click();
  await expectUrl(page, "/login?notice=password_reset");
  await expectText(page.getByRole("status"), "Your password is changed");
  await checkA11y(page, "sign in after reset");
  await shot("sign in after reset");

  await submitSignIn(page, user.email, user.password);
  await expectVisible(page.getByText("The email or password is not right."));
  await submitSignIn(page, user.email, fresh);
  await expectUrl(page, "/");

  await elsewhere.goto("/account");
  await expectUrl(elsewhere, (u) => u.pathname === "/login");
  await other.close();

  // The same link again: used.
  await page.goto(link);
  await expectVisible(page.getByRole("heading", { level: 1, name: "This link no longer works" }));
  await shot("link used");
});

test("Forgot password with MFA: the code comes first, texted only when asked for", async ({ page, shot }) => {
  const user = newUser();
  await signUp(page, user);
  const last4 = await registerPhone(page, user, dutchMobile());
  await signOut(page);

  await askForResetLink(page, user.email);
  const before = await outboxCount(page, last4);
  await openResetLink(page, user.email);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Check your phone" }));
  await expectText(page.getByText(/We will text a code/), `number ending in ${last4}`);
  assert.equal(await outboxCount(page, last4), before, "opening the link texts nothing");
  await checkA11y(page, "reset: second factor");
  await shot("reset second factor");

  await page.getByRole("button", { name: "Text me a code" }).click();
  const field = page.getByLabel("Verification code");
  await expectVisible(field);
  const code = await readLatestCode(page, last4, { after: before });
  await field.fill(wrongCode(code));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectText(page.getByText(/That code is not right/), "4 tries left");
  await checkA11y(page, "reset: wrong code");
  await shot("reset wrong code");
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Choose a new password" }));
  await expectText(page.getByText("Step 2 of 2"), "Step 2 of 2");
  await shot("reset code confirmed");
  const fresh = `${user.password} after mfa`;
  await page.getByLabel("New password").fill(fresh);
  await page.getByRole("button", { name: "Save new password" }).click();
  await expectUrl(page, "/login?notice=password_reset");
  // The new password alone is still not enough: the sign-in asks for the code.
  await submitSignIn(page, user.email, fresh);
  await expectUrl(page, "/login/verify");
});

test("Change email from My account: step-up, a link to the new address, the old one is told", async ({ page, shot, soft }) => {
  const user = newUser();
  await signUp(page, user);
  await visit(page, "/account", "my account");
  await page.getByRole("button", { name: "Change email address" }).click();
  const dialog = page.getByRole("dialog", { name: "Change your email address" });
  await expectVisible(dialog);
  await checkA11y(page, "change email: address");
  await shot("change email address");
  const next = `moved.${Date.now()}@example.com`;
  await dialog.getByLabel("New email address").fill(next);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.getByLabel("Current password").fill(user.password);
  await checkA11y(page, "change email: password");
  await shot("change email password");
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expectText(dialog.getByRole("status").first(), `We sent a link to ${next}`);
  await checkA11y(page, "change email: sent");
  await shot("change email sent");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expectHidden(dialog);
  await expectText(page.getByText(/Waiting for confirmation of/), next);
  await shot("change pending");

  const message = await latestEmail(page, next);
  await page.goto(linkTo(message, "/confirm-email/"));
  await expectVisible(page.getByRole("heading", { level: 1, name: "Confirm your new email address" }));
  await checkA11y(page, "confirm email");
  await shot("confirm email");
  await page.getByRole("button", { name: "Confirm new address" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Your email address is changed" }));
  await shot("email changed");
  await page.getByRole("link", { name: "Back to My account" }).click();
  await expectUrl(page, "/account");
  const rows = await lib.profileRows(page);
  assert.equal(rows.Email, next, "My account shows the new address");
  const masked = `${next[0]}•••@example.com`;
  await soft(async () => {
    const notice = await latestEmail(page, user.email);
    assert.ok(`${notice.subject}\n${notice.text}`.includes(masked), `the old address's notice names ${masked}`);
  }, "the old address is told about the change");

  await signOut(page);
  await visit(page, "/login");
  await submitSignIn(page, next, user.password);
  await expectUrl(page, "/");
});
