function firstLetter(word: string): string {
  return (Array.from(word)[0] ?? "").toLocaleUpperCase();
}

/**
 * Avatar initials: first and last word of the name ("Anna de Vries" → "AV"), one letter for a single
 * name, and the email's local part when there is no name ("jan.smit@x.nl" → "JS").
 */
export function initials(name: string | null | undefined, email: string): string {
  const words = (name ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length >= 2) return firstLetter(words[0]) + firstLetter(words[words.length - 1]);
  if (words.length === 1) return firstLetter(words[0]);
  const local = email.split("@")[0] ?? "";
  const parts = local.split(/[._+-]+/).filter(Boolean);
  if (parts.length >= 2) return firstLetter(parts[0]) + firstLetter(parts[parts.length - 1]);
  return firstLetter(local) || "?";
}
