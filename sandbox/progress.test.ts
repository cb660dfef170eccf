import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startStep } from "./progress.ts";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, write: (chunk: string) => writes.push(chunk) > 0 };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a progress step", () => {
  it("on a terminal, counts the seconds in place and ends with the duration", () => {
    const out = stream(true);
    const step = startStep("starting the gateway", out, Date.now);
    vi.advanceTimersByTime(8_000);
    expect(out.writes.at(-1)).toBe("\r\x1b[2K[sandbox] starting the gateway… 8 s");
    expect(step.done("ready")).toBe(8_000);
    expect(out.writes.at(-1)).toBe("\r\x1b[2K[sandbox] starting the gateway: ready in 8.0 s\n");
    vi.advanceTimersByTime(5_000);
    expect(out.writes.at(-1)).toBe("\r\x1b[2K[sandbox] starting the gateway: ready in 8.0 s\n");
  });

  it("in a log, writes one line when it starts and one when it ends", () => {
    const out = stream(false);
    const step = startStep("building the plugin", out, Date.now);
    vi.advanceTimersByTime(12_300);
    step.done();
    step.done();
    expect(out.writes).toEqual(["[sandbox] building the plugin…\n", "[sandbox] building the plugin: done in 12.3 s\n"]);
  });
});
