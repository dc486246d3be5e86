import type { Country, CountryCode } from "@/lib/phone/parse";

/** The countries a search finds, best match first: a calling code ("31", "+31") or a region code or name, accents and case ignored. */
export function filterCountries(countries: Country[], query: string): Country[] {
  const text = fold(query);
  if (text === "") return countries;
  const digits = text.replace(/^\+/, "");
  const isCallingCode = /^\d+$/.test(digits);

  function rank(country: Country): number {
    if (isCallingCode) {
      if (country.callingCode === digits) return 0;
      return country.callingCode.startsWith(digits) ? 1 : -1;
    }
    if (country.code.toLowerCase() === text) return 0;
    // The page's language first, then the English name: "Nederland" and "Netherlands" both find NL.
    const ranks = [country.name, country.englishName].filter((n): n is string => Boolean(n)).map((n) => nameRank(fold(n), text));
    const found = ranks.filter((r) => r >= 0);
    return found.length ? Math.min(...found) : -1;
  }

  return countries
    .map((country) => ({ country, rank: rank(country) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => entry.country);
}

/** 1: the name starts with the search; 2: one of its words does; 3: it holds it; -1: no match. */
function nameRank(name: string, text: string): number {
  if (name.startsWith(text)) return 1;
  if (name.split(/[\s\-(),.]+/).some((word) => word.startsWith(text))) return 2;
  return name.includes(text) ? 3 : -1;
}

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").trim().toLowerCase();
}

/** The flag emoji for a region code: its two regional-indicator symbols. */
export function flagEmoji(code: CountryCode): string {
  return String.fromCodePoint(...[...code].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 65));
}
