import { defineConfig } from "vitest/config";
import SlowFilesFirst from "./test/sequencer.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "sandbox/**/*.test.ts"],
    testTimeout: 30_000,
    // The first e2e file installs the plugin into the run's template profile before its gateway boots.
    hookTimeout: 420_000,
    pool: "forks",
    // Vitest's default on 2 cores is one worker, which runs every file in
    // turn. End-to-end files spend most of their time waiting on a gateway
    // (turns, restarts, timers), so two let them overlap each other and the
    // unit files. Not more: a gateway whose start-up is starved of CPU misses
    // OpenClaw's 5 s state-lease heartbeat and exits (seen with four workers).
    maxWorkers: 2,
    // Packs the plugin once per run for the e2e gateway tests (inject("pluginTarball")).
    globalSetup: ["test/e2e/support/global-setup.ts"],
    // Long end-to-end files first, also on a fresh clone with no cached durations.
    sequence: { sequencer: SlowFilesFirst },
    benchmark: { include: ["test/bench/**/*.bench.ts"] },
  },
});
