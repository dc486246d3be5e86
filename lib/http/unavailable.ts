/**
 * What a request hears while the database is unreachable. The gate answers server actions with this as a
 * plain-text 503, which Next's action client raises as the error's message; the error pages show it.
 */
export const UNAVAILABLE_MESSAGE = "We cannot reach our database right now, so nothing was changed. Please try again in a minute.";
