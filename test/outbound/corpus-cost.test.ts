// A cost target on data, not a timing: the committed corpus of assistant
// replies must bill at most 5% over its lower bound (see test/bench/cost.ts).
import { describe, expect, it } from "vitest";
import { costRows, loadCorpus } from "../bench/cost.ts";

describe("segments billed for the benchmark corpus", () => {
  const corpus = loadCorpus();
  const total = costRows(corpus).at(-1)!;

  it("has at least 50 replies", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
  });

  it("bills at most 1.05 × the lower bound", () => {
    expect(total.ours).toBeLessThanOrEqual(1.05 * total.lowerBound);
  });

  it("bills less than a plain 1,500-character split", () => {
    expect(total.ours).toBeLessThan(total.plainSplit);
  });
});
