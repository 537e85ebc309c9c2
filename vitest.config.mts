import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // e2e tests drive the real Pulumi CLI: minutes, not milliseconds; on a loaded 2-core machine one
    // `pulumi up` took over 60 s, and a timed-out test leaves its run going into the next one.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
