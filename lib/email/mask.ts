/**
 * An address as a notice or a page shows it to someone who may not be its owner: the first character of the
 * local part and the whole domain, "j•••@example.com". Enough for the owner to recognise it, not enough to
 * harvest it.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  if (at <= 0) return "•••";
  return `${[...address.slice(0, at)][0]}•••${address.slice(at)}`;
}
