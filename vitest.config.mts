import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // e2e tests drive the real Pulumi CLI: minutes, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
