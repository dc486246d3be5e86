/**
 * What a request hears while the database is unreachable. The gate answers server actions with this as a
 * plain-text 503, which Next's action client raises as the error's message; forms and the error page show it.
 */
export const UNAVAILABLE_MESSAGE = "We cannot reach our database right now, so nothing was changed. Please try again in a minute.";

/** The message for an error raised while calling a server action: ours when the gate answered 503, else a generic one. */
export function actionFailureMessage(error: unknown): string {
  if (error instanceof Error && error.message === UNAVAILABLE_MESSAGE) return UNAVAILABLE_MESSAGE;
  return "We could not reach the server. Check your connection and try again.";
}
