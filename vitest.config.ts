import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "sandbox/**/*.test.ts"],
    testTimeout: 30_000,
    // The first e2e file installs the plugin into the run's template profile before its gateway boots.
    hookTimeout: 420_000,
    pool: "forks",
    // Vitest's default on 2 cores is one worker, which runs every file in
    // turn. End-to-end files spend most of their time waiting on a gateway
    // (turns, restarts, timers), so they overlap each other and the unit files.
    maxWorkers: 4,
    // Packs the plugin once per run for the e2e gateway tests (inject("pluginTarball")).
    globalSetup: ["test/e2e/support/global-setup.ts"],
    benchmark: { include: ["test/bench/**/*.bench.ts"] },
  },
});
