import { describe, expect, it } from "vitest";
import { describeTwilioCode, type RetryClass } from "../../src/twilio/codes.ts";

describe("describeTwilioCode", () => {
  it.each<[number, RetryClass]>([
    [20003, "never"],
    [20429, "after-backoff"],
    [20500, "unknown-outcome"],
    [20503, "unknown-outcome"],
    ...[21211, 21212, 21408, 21602, 21603, 21604, 21606, 21608, 21610, 21612, 21614, 21617].map((code) => [code, "never"] as [number, RetryClass]),
    [30001, "after-backoff"],
    [30002, "never"],
    [30003, "after-backoff"],
    [30004, "never"],
    [30005, "never"],
    [30006, "never"],
    [30007, "never"],
    [30008, "after-backoff"],
    [30022, "after-backoff"],
    [30023, "after-backoff"],
    [30024, "never"],
    [30032, "never"],
    [30033, "never"],
    [30034, "never"],
    [30035, "never"],
  ])("%s is %s, with a cause that reads after \"Twilio rejected +1…: \"", (code, retry) => {
    const info = describeTwilioCode(code);
    expect(info?.retry).toBe(retry);
    // No capital (but "Twilio") and no closing period: the cause is spliced into a sentence.
    expect(info?.cause).toMatch(/^(Twilio\b|[a-z]).*[^.]$/);
    if (info?.fix) expect(info.fix).toMatch(/^[a-z].*[^.]$/);
  });

  it("knows nothing of a missing or unlisted code", () => {
    expect(describeTwilioCode(undefined)).toBeUndefined();
    expect(describeTwilioCode(21999)).toBeUndefined();
  });
});
