/** FormData for a server action called from code: the same fields a plain form would post, nulls left out. */
export function form(values: Record<string, string | null | undefined>) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) if (v != null) fd.set(k, v);
  return fd;
}
