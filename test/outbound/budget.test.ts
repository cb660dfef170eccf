import { describe, expect, it } from "vitest";
import { addToTally, planReply, segmentsLeftToday, TRUNCATION_NOTICE, utcDay, type ReplyPlan } from "../../src/outbound/budget.ts";
import { chunkForSms, totalSegments } from "../../src/outbound/chunk.ts";

const sentence = "The quick brown fox jumps over the lazy dog. It was a sunny day and everyone was outside. ";
const longReply = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}. ${sentence.repeat(3).trim()}`).join("\n\n");

function sent(plan: ReplyPlan) {
  if (plan.kind !== "send") throw new Error(`expected a send, got ${plan.reason}`);
  return plan;
}

describe("daily tally", () => {
  it.each([
    ["no limit", undefined, undefined, "2026-11-24", Infinity],
    ["nothing sent yet", undefined, 50, "2026-11-24", 50],
    ["some sent today", { day: "2026-11-24", segments: 20 }, 50, "2026-11-24", 30],
    ["over the limit never goes negative", { day: "2026-11-24", segments: 70 }, 50, "2026-11-24", 0],
    ["yesterday's count is ignored", { day: "2026-11-23", segments: 50 }, 50, "2026-11-24", 50],
  ])("%s", (_name, tally, limit, day, left) => {
    expect(segmentsLeftToday(tally, limit, day)).toBe(left);
  });

  it.each([
    [undefined, "2026-11-24", 3, { day: "2026-11-24", segments: 3 }],
    [{ day: "2026-11-24", segments: 4 }, "2026-11-24", 3, { day: "2026-11-24", segments: 7 }],
    [{ day: "2026-11-23", segments: 4 }, "2026-11-24", 3, { day: "2026-11-24", segments: 3 }],
  ])("adds to %j on %s", (tally, day, segments, expected) => {
    expect(addToTally(tally, day, segments)).toEqual(expected);
  });

  it("days are UTC calendar days", () => {
    expect(utcDay(Date.UTC(2026, 10, 24, 23, 59, 59))).toBe("2026-11-24");
    expect(utcDay(Date.UTC(2026, 10, 25, 0, 0, 0))).toBe("2026-11-25");
  });
});

describe("planReply", () => {
  it("sends a reply under both caps untouched", () => {
    const plan = sent(planReply({ text: longReply.slice(0, 800), chunk: {}, maxSegmentsPerReply: 40, segmentsLeftToday: Infinity }));
    expect(plan.truncated).toBe(false);
    expect(plan.parts).toEqual(chunkForSms(longReply.slice(0, 800)));
  });

  it.each([1, 2, 3, 7, 10, 25])("cuts a %s-segment-capped reply at a boundary and ends it with the notice", (cap) => {
    const plan = sent(planReply({ text: longReply, chunk: {}, maxSegmentsPerReply: cap, segmentsLeftToday: Infinity }));
    expect(plan.truncated).toBe(true);
    expect(totalSegments(plan.parts)).toBeLessThanOrEqual(cap);
    const text = plan.parts.map((part) => part.text).join(" ");
    expect(text).toMatch(/\n\[\.\.\.truncated\]$/);
    // Cut between words: what is kept is a prefix of the reply ending on a whole word.
    const kept = text.slice(0, -"\n[...truncated]".length);
    const words = longReply.split(/\s+/);
    const keptWords = kept.split(/\s+/);
    expect(keptWords).toEqual(words.slice(0, keptWords.length));
    // And it keeps most of what the cap allows: within one segment of it.
    expect(totalSegments(plan.parts)).toBeGreaterThanOrEqual(cap - 1);
  });

  it("prefers a sentence end when one is close", () => {
    const plan = sent(planReply({ text: longReply, chunk: {}, maxSegmentsPerReply: 2, segmentsLeftToday: Infinity }));
    expect(plan.parts.at(-1)?.text).toMatch(/[.!?]\n\[\.\.\.truncated\]$/);
  });

  it("keeps the notice's ellipsis in a UCS-2 reply, where it costs one unit", () => {
    const plan = sent(planReply({ text: "Привет, как дела? ".repeat(60), chunk: {}, maxSegmentsPerReply: 3, segmentsLeftToday: Infinity }));
    expect(totalSegments(plan.parts)).toBeLessThanOrEqual(3);
    expect(plan.parts.at(-1)?.text.endsWith(`\n${TRUNCATION_NOTICE}`)).toBe(true);
  });

  it("hard-cuts one unbroken run that has no word end to use", () => {
    const url = `https://example.com/${"a".repeat(2_000)}`;
    const plan = sent(planReply({ text: url, chunk: {}, maxSegmentsPerReply: 2, segmentsLeftToday: Infinity }));
    expect(totalSegments(plan.parts)).toBe(2);
    expect(plan.parts.map((part) => part.text).join("")).toMatch(/^https:\/\/example\.com\/a+\n\[\.\.\.truncated\]$/);
  });

  it("counts part markers inside the cap", () => {
    const plan = sent(planReply({ text: longReply, chunk: { partMarkers: true, maxChars: 300 }, maxSegmentsPerReply: 8, segmentsLeftToday: Infinity }));
    expect(totalSegments(plan.parts)).toBeLessThanOrEqual(8);
    expect(plan.parts[0]?.text).toMatch(/^\(1\/\d\) /);
  });

  it("cuts to what the daily budget has left when that is lower than the reply cap", () => {
    const plan = sent(planReply({ text: longReply, chunk: {}, maxSegmentsPerReply: 40, segmentsLeftToday: 4 }));
    expect(plan.truncated).toBe(true);
    expect(totalSegments(plan.parts)).toBeLessThanOrEqual(4);
  });

  it("refuses once the daily budget is spent, naming the key and when it resets", () => {
    expect(planReply({ text: "hi", chunk: {}, maxSegmentsPerReply: 40, segmentsLeftToday: 0 })).toEqual({
      kind: "refuse",
      reason: "today's segment budget for this number is spent (dailySegmentsPerRecipient); it resets at 00:00 UTC",
    });
  });

  it("cuts a 100 KB reply to the cap", () => {
    const plan = sent(planReply({ text: longReply.repeat(30), chunk: {}, maxSegmentsPerReply: 40, segmentsLeftToday: Infinity }));
    expect(plan.truncated).toBe(true);
    expect(totalSegments(plan.parts)).toBeLessThanOrEqual(40);
  });
});
