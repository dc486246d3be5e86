// The help article's flow in Dutch: a browser whose language is Dutch (nl-NL) signs up, confirms its address,
// signs in, registers a phone number on My account (the switch, Registreren, password, country "Nederland",
// the code from the text message, Opslaan) and is asked for a code at the next sign-in, every page, email and
// text in Dutch. Then the same user chooses English on My account and reads English. Screenshots at each step.
// lib.mjs's helpers click English labels, so the Dutch steps are written out here.
import {
  assert,
  avatarButton,
  checkA11y,
  eventually,
  expectAttribute,
  expectHidden,
  expectText,
  expectUrl,
  expectVisible,
  latestEmail,
  newUser,
  outboxMessages,
  test,
  visit,
} from "./lib.mjs";

const SWITCH = { name: "Tweestapsverificatie gebruiken" };

async function expectLang(page, lang) {
  await eventually(async () => assert.equal(await page.locator("html").getAttribute("lang"), lang, `<html lang="${lang}">`));
}

/** The newest text to a number ending in `last4`: its code from the origin-bound last line, which every language keeps. */
async function latestText(page, last4, { after = 0, sameContext = false } = {}) {
  return eventually(
    async () => {
      const mine = (await outboxMessages(page, { sameContext })).filter((m) => m.to.endsWith(last4));
      if (mine.length <= after) throw new Error(`no new SMS for …${last4}`);
      const latest = mine[0];
      assert.ok(latest.originCode, `the last line is @host #code:\n${latest.text}`);
      return { code: latest.originCode, text: latest.text, count: mine.length };
    },
    { timeout: 5_000, interval: 250 },
  );
}

async function textCount(page, last4, options) {
  return (await outboxMessages(page, options)).filter((m) => m.to.endsWith(last4)).length;
}

async function signInDutch(page, user) {
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Inloggen", exact: true }).click();
}

test(
  "i18n: the help article in Dutch (nl-NL browser), then English chosen on My account",
  async ({ page, shot }) => {
    const user = newUser({ name: "Daan de Boer", organisation: "Voorbeeld BV" });

    // Sign up: the form, its words and <html lang> follow the browser.
    await visit(page, "/signup", "aanmelden");
    await expectLang(page, "nl");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Maak je account aan" }));
    await page.getByLabel("Je naam").fill(user.name);
    await page.getByLabel("Zakelijk e-mailadres").fill(user.email);
    await page.getByLabel("Wachtwoord", { exact: true }).fill("kort");
    await page.getByLabel("Naam van de organisatie").fill(user.organisation);
    await page.getByRole("button", { name: "Account aanmaken" }).click();
    await expectText(page.getByText("Gebruik minstens 8 tekens."), "Gebruik minstens 8 tekens.");
    await shot("aanmelden: wachtwoord te kort");
    await page.getByLabel("Wachtwoord", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Account aanmaken" }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Kijk in je inbox" }));
    await checkA11y(page, "kijk in je inbox");
    await shot("aanmelden: kijk in je inbox");

    // The confirmation email, from the outbox: Dutch, its link unchanged (no locale in URLs).
    const email = await latestEmail(page, user.email, { template: "verify_email" });
    assert.equal(email.subject, "Bevestig je e-mailadres voor Feedback Accounts");
    assert.match(email.text, /Hoi Daan de Boer,/);
    const link = email.links.find((href) => href.includes("/verify-email/"));
    assert.ok(link, "the email carries a /verify-email/ link");
    await page.goto(link);
    await expectVisible(page.getByRole("heading", { level: 1, name: "Je e-mailadres is bevestigd" }));
    await shot("e-mailadres bevestigd");
    await page.getByRole("link", { name: "Inloggen" }).click();
    await expectUrl(page, "/login?notice=verified");
    await expectVisible(page.getByText("Je e-mailadres is bevestigd. Log in om verder te gaan."));
    await signInDutch(page, user);
    await expectUrl(page, "/");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Welkom terug, Daan" }));
    await shot("startpagina");

    // Step 1: the avatar → "Mijn account".
    await avatarButton(page).or(page.getByRole("button", { name: /^Accountmenu/ })).first().click();
    const menu = page.getByRole("menu");
    await expectVisible(menu);
    await shot("stap 1 avatarmenu");
    await menu.getByRole("menuitem", { name: "Mijn account" }).click();
    await expectUrl(page, "/account");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Mijn account" }));
    await checkA11y(page, "Mijn account");
    await shot("stap 1 mijn account");

    // Step 2: the switch.
    const toggle = page.getByRole("switch", SWITCH);
    await expectAttribute(toggle, "aria-checked", "false");
    await toggle.click();
    await expectAttribute(toggle, "aria-checked", "true");
    await shot("stap 2 schakelaar aan");

    // Step 3: Registreren → password → country "Nederland" → number → code → Opslaan.
    await page.getByRole("button", { name: "Registreren", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Je telefoonnummer registreren" });
    await expectVisible(dialog);
    await dialog.getByLabel("Huidig wachtwoord").fill(user.password);
    await shot("stap 3.1 wachtwoord");
    await dialog.getByRole("button", { name: "Doorgaan" }).click();
    const field = dialog.getByPlaceholder("Voer je telefoonnummer in");
    await expectVisible(field);
    await dialog.getByRole("button", { name: /^Land:/ }).click();
    const search = dialog.getByRole("combobox", { name: "Zoek een land" });
    await expectVisible(search);
    await search.pressSequentially("Nederland");
    const option = dialog.getByRole("option", { name: /^Nederland \+31/ });
    await expectVisible(option);
    await shot("stap 3.2 land zoeken");
    await option.click();
    await expectAttribute(dialog.getByRole("button", { name: /^Land:/ }), "aria-label", "Land: Nederland +31");
    await field.pressSequentially("612345678");
    await shot("stap 3.2 nummer");
    const before = await textCount(page, "5678");
    await dialog.getByRole("button", { name: "Code versturen" }).click();
    const codeField = dialog.getByLabel("Verificatiecode");
    await expectVisible(codeField);
    await expectText(dialog.getByText(/We hebben een 6-cijferige code gestuurd/), "eindigt op 5678");
    const sms = await latestText(page, "5678", { after: before });
    assert.match(sms.text, /Feedback Accounts: je verificatiecode is \d{6}\. Hij is 10 minuten geldig\./, "the text message is in Dutch");
    assert.match(sms.text, /@localhost #\d{6}\s*$/, "the origin-bound line stays last and unchanged");
    await codeField.pressSequentially(sms.code);
    await expectVisible(dialog.getByRole("status").filter({ hasText: "Code bevestigd" }));
    const save = dialog.getByRole("button", { name: "Opslaan" });
    await eventually(async () => assert.equal(await save.isEnabled(), true, "Opslaan turns on once the code is right"));
    await checkA11y(page, "dialoog: code bevestigd");
    await shot("stap 3.4 opslaan");
    await save.click();
    await dialog.getByRole("checkbox", { name: "Ik heb deze codes bewaard" }).check();
    await shot("stap 3.4 back-upcodes");
    await dialog.getByRole("button", { name: "Doorgaan" }).click();
    await expectHidden(dialog);
    await expectVisible(page.getByRole("status").filter({ hasText: "Tweestapsverificatie staat aan." }));

    // Step 4: the last four digits, below the switch.
    await expectVisible(page.getByText("•••• 5678"));
    await shot("stap 4 nummer geregistreerd");

    // The next sign-in asks for the code, in Dutch.
    await avatarButton(page).or(page.getByRole("button", { name: /^Accountmenu/ })).first().click();
    await page.getByRole("menu").getByRole("menuitem", { name: "Uitloggen" }).click();
    await expectUrl(page, "/login?notice=signed_out");
    await expectVisible(page.getByText("Je bent uitgelogd."));
    const beforeLogin = await textCount(page, "5678");
    await signInDutch(page, user);
    await expectVisible(page.getByRole("heading", { level: 1, name: "Kijk op je telefoon" }));
    await expectText(page.getByText(/Voer de 6-cijferige code in/), "eindigt op 5678");
    await checkA11y(page, "inlogcode");
    await shot("stap 4 inlogcode gevraagd");
    const login = await latestText(page, "5678", { after: beforeLogin, sameContext: true });
    const loginField = page.getByLabel("Verificatiecode");
    await loginField.fill(login.code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Verifiëren" }).click();
    await expectText(page.getByText(/Die code klopt niet/), /Nog 4 pogingen\./);
    await shot("verkeerde code");
    await loginField.fill(login.code);
    await page.getByRole("button", { name: "Verifiëren" }).click();
    await expectUrl(page, "/");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Welkom terug, Daan" }));
    await shot("ingelogd met code");

    // My account → Language → English: from the next page on, everything is English, whatever the browser says.
    await page.goto("/account");
    await expectVisible(page.getByRole("heading", { level: 2, name: "Taal" }));
    await page.getByLabel("Taal voor pagina's, e-mails en sms'jes").selectOption("en");
    await shot("taal kiezen");
    await page.getByRole("button", { name: "Taal instellen" }).click();
    await expectVisible(page.getByText("Saved. Pages, emails and text messages are now in English."));
    await page.goto("/account");
    await expectLang(page, "en");
    await expectVisible(page.getByRole("heading", { level: 1, name: "My account" }));
    await expectAttribute(page.getByRole("switch", { name: "Use multi-factor authentication" }), "aria-checked", "true");
    await expectVisible(page.getByText("•••• 5678"));
    await checkA11y(page, "My account in English");
    await shot("my account in english");
  },
  { locale: "nl-NL" },
);
