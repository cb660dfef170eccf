import { defineConfig } from "vitest/config";
import SlowFilesFirst from "./test/sequencer.ts";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // A unit file's set-up (an emulator, a SQLite store) is quick alone but shares 2 cores with booting gateways.
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default on 2 cores is one worker, which runs every file in
    // turn. End-to-end files spend most of their time waiting on a gateway
    // (turns, restarts, timers), so two let them overlap each other and the
    // unit files. Not more: a gateway whose start-up is starved of CPU misses
    // OpenClaw's 5 s state-lease heartbeat and exits (seen with four workers).
    maxWorkers: 2,
    // Long end-to-end files first, also on a fresh clone with no cached durations.
    sequence: { sequencer: SlowFilesFirst },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts", "sandbox/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          benchmark: { include: ["test/bench/**/*.bench.ts"] },
          // One module graph per worker instead of one per file: each file
          // re-imported twilio, zod and the plugin, which was half of the
          // unit files' time (60 s → 28 s, 114 → 50 CPU-seconds on 2 cores).
          // The files keep no state between them: fake timers are restored
          // after each test and nothing mocks a module.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          benchmark: { include: [] },
          // A gateway's boot (and the ClawHub file's install before it) can take minutes on a busy 2-core machine.
          hookTimeout: 420_000,
          // Packs and unpacks the plugin once per run for the e2e gateways (inject("pluginTarball"), inject("pluginDir")).
          globalSetup: ["test/e2e/support/global-setup.ts"],
        },
      },
    ],
  },
});
