import fs from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/i18n/locales";
import { CLIENT_NAMESPACES, clientMessages, MESSAGES, ROUTE_NAMESPACES } from "@/lib/i18n/messages";

/** Every message as "a.b.c" → text; `_glossary` is notes for translators, not messages. */
function flatten(node: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key.startsWith("_")) continue;
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

/** The ICU arguments a message takes ("count", "country"; rich-text tags as "<b>"), whatever plural forms a language needs. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    if (el.type === TYPE.tag) {
      into.add(`<${el.value}>`);
      argumentsOf(el.children, into);
      continue;
    }
    into.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) for (const option of Object.values(el.options)) argumentsOf(option.value, into);
  }
  return into;
}

const english = flatten(MESSAGES.en);

describe("messages", () => {
  it("has a file for every language and a language for every file", () => {
    const files = fs.readdirSync(path.resolve(import.meta.dirname, "../messages")).filter((f) => f.endsWith(".json"));
    expect(files.map((f) => f.replace(".json", "")).sort()).toEqual([...LOCALES].sort());
  });

  for (const locale of LOCALES.filter((l) => l !== "en")) {
    const other = flatten(MESSAGES[locale]);

    it(`${locale} has exactly English's keys`, () => {
      expect([...english.keys()].filter((k) => !other.has(k)), `missing in ${locale}`).toEqual([]);
      expect([...other.keys()].filter((k) => !english.has(k)), `only in ${locale}`).toEqual([]);
    });

    it(`${locale} messages take the same placeholders as English`, () => {
      const differing: string[] = [];
      for (const [key, text] of english) {
        const theirs = other.get(key);
        if (theirs === undefined) continue;
        const a = [...argumentsOf(parse(text))].sort().join(",");
        const b = [...argumentsOf(parse(theirs))].sort().join(",");
        if (a !== b) differing.push(`${key}: en {${a}} ${locale} {${b}}`);
      }
      expect(differing).toEqual([]);
    });

    it(`${locale} translates (no message left in English by mistake)`, () => {
      // Names, codes and examples read the same in every language.
      const same = [...english].filter(([key, text]) => other.get(key) === text && /[a-z]{3,} [a-z]{3,}/i.test(text)).map(([key]) => key);
      expect(same).toEqual([]);
    });
  }

  it("every message parses as ICU", () => {
    for (const locale of LOCALES) for (const [key, text] of flatten(MESSAGES[locale])) expect(() => parse(text), `${locale} ${key}`).not.toThrow();
  });
});

describe("the messages sent to the browser", () => {
  /** Every file under app/ and components/ that runs in the browser ("use client"). */
  function clientFiles(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) out.push(...clientFiles(full));
      else if (/\.tsx?$/.test(entry.name) && /^\s*["']use client["']/.test(fs.readFileSync(full, "utf8"))) out.push(full);
    }
    return out;
  }
  const root = path.resolve(import.meta.dirname, "..");
  const files = [...clientFiles(path.join(root, "app")), ...clientFiles(path.join(root, "components"))];

  it("hold every namespace a client component reads, so none shows a key instead of words", () => {
    const read = new Map<string, string>();
    for (const file of files)
      for (const m of fs.readFileSync(file, "utf8").matchAll(/useTranslations\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) read.set(m[1].split(".")[0], path.relative(root, file));
    expect(read.size).toBeGreaterThan(10);
    const sent: readonly string[] = [...CLIENT_NAMESPACES, ...ROUTE_NAMESPACES];
    const missing = [...read].filter(([ns]) => !sent.includes(ns));
    // A route's own namespace is read only under that route.
    for (const [ns, file] of read) if (ns === "orgSettings") expect(file).toMatch(/^app\/\(app\)\/org\/settings\//);
    expect(missing).toEqual([]);
    // useTranslations() without a namespace would need the whole catalogue in the browser.
    for (const file of files) expect(fs.readFileSync(file, "utf8"), path.relative(root, file)).not.toMatch(/useTranslations\(\s*\)/);
  });

  it("leave out what only the server uses (error sentences, emails, activity labels)", () => {
    const sent = clientMessages("en");
    for (const ns of ["errors", "emails", "activity", "securityLog", "validation", "orgSettings"]) expect(sent).not.toHaveProperty(ns);
    expect(JSON.stringify(sent).length).toBeLessThan(JSON.stringify(MESSAGES.en).length / 2);
  });
});
