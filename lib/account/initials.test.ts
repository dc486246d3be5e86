import { describe, expect, it } from "vitest";
import { initials } from "./initials";

describe("initials", () => {
  it("takes the first and last word of a full name", () => {
    expect(initials("Anna de Vries", "a@x.nl")).toBe("AV");
    expect(initials("  milan   jansen ", "m@x.nl")).toBe("MJ");
  });
  it("gives one letter for a single name", () => {
    expect(initials("Cher", "c@x.nl")).toBe("C");
  });
  it("falls back to the email when there is no name", () => {
    expect(initials("", "jan.smit@x.nl")).toBe("JS");
    expect(initials(null, "bob@x.nl")).toBe("B");
  });
  it("keeps letters outside the basic plane whole", () => {
    expect(initials("Ölaf Ürsel", "o@x.nl")).toBe("ÖÜ");
    expect(initials("𝒜da Lovelace", "a@x.nl")).toBe("𝒜L");
  });
});
