/**
 * A provider error as name, code and HTTP status only. Provider error messages can echo the destination
 * (e.g. "Invalid parameter: PhoneNumber Reason: +31... is not valid", "Email address is not verified:
 * someone@example.com"), so they are never kept or logged.
 */
export function describeError(error: unknown): string {
  if (typeof error !== "object" || error === null) return "Error";
  const e = error as { name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  // The SDK's only signal for a missing AWS_REGION is this plain Error; name it so the cause is visible.
  if (e.message === "Region is missing") return "RegionMissing";
  const token = (value: unknown) =>
    typeof value === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
  const name = token(e.name);
  const code = token(e.code);
  const label = name && name !== "Error" ? name : (code ?? name ?? "Error");
  const status = e.$metadata?.httpStatusCode;
  return typeof status === "number" ? `${label} (HTTP ${status})` : label;
}
