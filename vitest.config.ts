import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "tests/helpers/empty.ts") } },
  test: {
    include: ["lib/**/*.test.ts", "db/**/*.test.ts", "tests/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.ts"],
    // tests/postgres/: what only a Postgres server has (named statements); run by `npm run test:pg` and CI.
    exclude: ["**/node_modules/**", ...(process.env.TEST_DATABASE_URL ? [] : ["tests/postgres/**"])],
    environment: "node",
    // Generous: a busy machine (CI beside other work) must slow a test down, not fail it.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    setupFiles: ["./tests/setup.ts"],
    globalSetup: ["./tests/global-setup.ts"],
    server: { deps: { inline: ["next-auth"] } },
  },
});
