import { vi } from "vitest";

/**
 * Import first in a test file that calls server actions or pages: Next.js, next-auth and the database
 * client become the stand-ins of next-mocks.ts (the request's cookie, headers and test database).
 */
vi.mock("@/lib/auth/config", async () => (await import("./next-mocks")).mocks.config);
vi.mock("@/db/client", async () => (await import("./next-mocks")).mocks.client);
vi.mock("next/headers", async () => (await import("./next-mocks")).mocks.headers);
vi.mock("next/navigation", async () => (await import("./next-mocks")).mocks.navigation);
vi.mock("next/cache", async () => (await import("./next-mocks")).mocks.cache);
// after() keeps its work in request.afterResponse; runAfterResponse() runs it, as Next does once the response is sent.
vi.mock("next/server", async (importOriginal) => ({ ...(await importOriginal<typeof import("next/server")>()), ...(await import("./next-mocks")).mocks.server }));
