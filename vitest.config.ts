import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "sandbox/**/*.test.ts"],
    testTimeout: 30_000,
    // The first e2e file installs the plugin into the run's template profile before its gateway boots.
    hookTimeout: 420_000,
    pool: "forks",
    // Packs the plugin once per run for the e2e gateway tests (inject("pluginTarball")).
    globalSetup: ["test/e2e/support/global-setup.ts"],
    benchmark: { include: ["test/bench/**/*.bench.ts"] },
  },
});
