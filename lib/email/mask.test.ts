import { describe, expect, it } from "vitest";
import { maskEmail } from "./mask";

describe("maskEmail", () => {
  it("keeps the first character and the domain", () => {
    expect(maskEmail("john.smith@example.com")).toBe("j•••@example.com");
    expect(maskEmail("a@b.co")).toBe("a•••@b.co");
  });

  it("keeps a whole first character outside the basic plane and shows nothing of a malformed address", () => {
    expect(maskEmail("😀x@example.com")).toBe("😀•••@example.com");
    expect(maskEmail("no-at-sign")).toBe("•••");
    expect(maskEmail("@example.com")).toBe("•••");
  });
});
