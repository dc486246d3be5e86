/**
 * Where to go after sign-in: a same-origin relative path, or "/". Refuses protocol-relative
 * (`//evil.example`, `/\evil.example`), absolute and `javascript:` targets.
 */
export function safeCallbackUrl(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  try {
    const base = "http://same.invalid";
    const url = new URL(value, base);
    if (url.origin !== base) return fallback;
    // Dot segments can normalise into a protocol-relative path: "/..//evil.example" → "//evil.example".
    if (url.pathname.startsWith("//")) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
