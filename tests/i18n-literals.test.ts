import path from "node:path";
import { describe, expect, it } from "vitest";
import { componentFiles, literalStrings } from "./helpers/literal-strings";

/**
 * Every user-visible string in app/ and components/ comes from messages/*.json (next-intl), so a page reads the
 * same in every language. The scanner (tests/helpers/literal-strings.ts) flags JSX text with letters, string
 * literals in props people read (label, title, placeholder, aria-label, …) and strings a JSX child expression shows.
 */
const ROOT = path.resolve(import.meta.dirname, "..");

/** Text that is the same in every language. */
const SAME_IN_EVERY_LANGUAGE = new Set([
  // The product's name (the logo; APP_NAME in emails and texts).
  "Feedback Accounts",
  // The shape of a backup code, as a placeholder.
  "xxxx-xxxx-xxxx-xxxx-xxxx-xxxx",
  // The shape of an admin's temporary access code, as a placeholder.
  "XXXX-XXXX-XXXX-XXXX",
]);

/** Files that are not for users: the development outbox is a developer's tool, in English only. */
const NOT_FOR_USERS = new Set(["app/dev/outbox/page.tsx"]);

/**
 * Files not translated yet. Every component is translated now; the list stays so the rule holds: it may only
 * shrink, and the test fails when a file here has no literal left.
 */
const NOT_YET_TRANSLATED = new Set<string>([]);

const files = componentFiles(ROOT).filter((f) => !NOT_FOR_USERS.has(f));

describe("components speak through messages", () => {
  it("no translated component renders a literal user-visible string", () => {
    const found = files
      .filter((f) => !NOT_YET_TRANSLATED.has(f))
      .flatMap((f) => literalStrings(path.join(ROOT, f)).map((l) => ({ ...l, file: f })))
      .filter((l) => !SAME_IN_EVERY_LANGUAGE.has(l.text))
      .map((l) => `${l.file}:${l.line} "${l.text}"`);
    expect(found).toEqual([]);
  });

  it("the list of files not yet translated only shrinks", () => {
    const done = [...NOT_YET_TRANSLATED].filter((f) => literalStrings(path.join(ROOT, f)).filter((l) => !SAME_IN_EVERY_LANGUAGE.has(l.text)).length === 0);
    expect(done, "translated: take these off NOT_YET_TRANSLATED").toEqual([]);
  });

  it("finds what it is meant to find", () => {
    const source = `export const A = () => (
      <div title="Hello there" className="text-sm">
        Welcome back <b>{user}</b>
        {open ? "Close it" : t("open")}
        <Field label={t("x")} placeholder="Type here" />
        {" · "} 42 %
      </div>
    );
    const OPTIONS = [{ value: "a", label: "On a date" }];`;
    const texts = literalStrings("x.tsx", source).map((l) => l.text);
    expect(texts.sort()).toEqual(["Close it", "Hello there", "On a date", "Type here", "Welcome back"].sort());
  });
});
