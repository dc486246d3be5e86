import fs from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/i18n/locales";
import { MESSAGES } from "@/lib/i18n/messages";

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
