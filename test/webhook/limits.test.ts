import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/accounts.ts";
import { createAcceptedBudget, createRejectedBudget, createTurnGate } from "../../src/webhook/limits.ts";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("createTurnGate", () => {
  it("never runs more than maxConcurrent turns and refuses beyond the queue", async () => {
    const gate = createTurnGate(2, 1);
    const releases = [deferred(), deferred(), deferred()];
    let peak = 0;
    let active = 0;
    const runs = releases.map((release) => {
      expect(gate.tryReserve()).toBe(true);
      return gate.run(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await release.promise;
        active -= 1;
      });
    });
    expect(gate.tryReserve()).toBe(false);
    await Promise.resolve();
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(1);
    for (const release of releases) release.resolve();
    await Promise.all(runs);
    expect(peak).toBe(2);
    expect(gate.running).toBe(0);
    expect(gate.tryReserve()).toBe(true);
  });

  it("idle resolves once the last turn ends", async () => {
    const gate = createTurnGate(1, 0);
    const release = deferred();
    gate.tryReserve();
    const run = gate.run(() => release.promise);
    let idle = false;
    const waiting = gate.idle(5_000).then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    release.resolve();
    await run;
    await waiting;
    expect(idle).toBe(true);
  });
});

describe("budgets", () => {
  it("limits accepted texts per sender and per account", () => {
    const budget = createAcceptedBudget({ ...DEFAULT_LIMITS, messagesPerMinutePerSender: 2, messagesPerMinute: 3 });
    const now = 1_000_000;
    expect(budget.overBudget("+1", now)).toBe(false);
    expect(budget.overBudget("+1", now)).toBe(false);
    expect(budget.overBudget("+1", now)).toBe(true);
    expect(budget.overBudget("+2", now)).toBe(false);
    expect(budget.overBudget("+3", now)).toBe(true);
    expect(budget.overBudget("+3", now + 61_000)).toBe(false);
  });

  it("blocks an address after its rejected budget is spent", () => {
    const budget = createRejectedBudget(2);
    expect(budget.addressBlocked("10.0.0.1")).toBe(false);
    budget.rejected("10.0.0.1");
    budget.rejected("10.0.0.1");
    expect(budget.addressBlocked("10.0.0.1")).toBe(false);
    expect(budget.rejected("10.0.0.1")).toBe(true);
    expect(budget.addressBlocked("10.0.0.1")).toBe(true);
    expect(budget.addressBlocked("10.0.0.2")).toBe(false);
  });
});
