// Which test files start first. End-to-end files each boot a real gateway and
// take one to three minutes; unit files take milliseconds. With two workers a
// run ends when its last long file does, so long files must start first.
// Vitest orders files by the durations it cached on the last run, and on a
// fresh clone (CI) by file size, which would start the slowest e2e files last.
import { BaseSequencer } from "vitest/node";
import type { TestSpecification } from "vitest/node";

// Longest first on a fresh clone (measured on 2 cores): the ClawHub install,
// mistakes, kill -9 and reload file; texts and pictures in and out; the browser.
const SLOW_E2E = ["lifecycle", "messaging", "sandbox"];

const e2eRank = (spec: TestSpecification): number => {
  const match = /[\\/]test[\\/]e2e[\\/]([^\\/]+)\.test\.ts$/.exec(spec.moduleId);
  if (!match) return Number.POSITIVE_INFINITY;
  const slow = SLOW_E2E.indexOf(match[1]!);
  return slow === -1 ? SLOW_E2E.length : slow;
};

export default class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const byVitest = await super.sort(files);
    const cached = files.every((spec) => this.ctx.cache.getTestSpecificationResult(spec));
    if (cached) return byVitest;
    // Array.prototype.sort is stable: within a rank, vitest's own order stays.
    return byVitest.sort((a, b) => e2eRank(a) - e2eRank(b));
  }
}
