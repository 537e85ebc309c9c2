import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // `../../emulator` is the @orgform/emulator package folder, whose package.json exports its build
    // (emulator/dist): tests run its TypeScript source instead (test/unit/packages.test.ts checks).
    alias: [{ find: /^(?:\.\.\/)+emulator$/, replacement: fileURLToPath(new URL("./emulator/index.ts", import.meta.url)) }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // e2e tests drive the real Pulumi CLI: minutes, not milliseconds; on a loaded 2-core machine one
    // `pulumi up` took over 60 s, and a timed-out test leaves its run going into the next one.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Files run side by side. vitest's default (cores - 1) is one worker on a 2-core machine: every
    // file in turn. Most of an e2e file's time is spent waiting (process start-ups, the engine's gRPC
    // round trips, injected latency), so 3 workers keep 2 cores busy: measured on a subset of e2e
    // files, 3 workers beat 2 (docs/testing.md). Nothing is shared between files: temp dirs,
    // emulators on port 0, a PULUMI_HOME per workspace.
    maxWorkers: 3,
    // `npm test -- --coverage` measures provider/ and emulator/ (the issue-24 figures); off by default
    // because instrumenting costs minutes.
    coverage: {
      provider: "v8",
      include: ["provider/**/*.ts", "emulator/**/*.ts"],
      exclude: ["**/*.d.ts", "emulator/dist/**"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
    },
  },
});
