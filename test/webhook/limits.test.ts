import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/accounts.ts";
import { createAcceptedBudget, createRejectedBudget } from "../../src/webhook/limits.ts";

describe("budgets", () => {
  it("limits accepted texts per sender and per account, naming the limit crossed", () => {
    const budget = createAcceptedBudget({ ...DEFAULT_LIMITS, messagesPerMinutePerSender: 2, messagesPerMinute: 3 });
    const now = 1_000_000;
    expect(budget.overBudget("+1", now)).toBeUndefined();
    expect(budget.overBudget("+1", now)).toBeUndefined();
    expect(budget.overBudget("+1", now)).toBe("messagesPerMinutePerSender");
    expect(budget.overBudget("+2", now)).toBeUndefined();
    expect(budget.overBudget("+3", now)).toBe("messagesPerMinute");
    expect(budget.overBudget("+3", now + 61_000)).toBeUndefined();
  });

  it("blocks an address after its rejected budget is spent", () => {
    let now = 5_000_000;
    const budget = createRejectedBudget(2, () => now);
    expect(budget.addressBlocked("10.0.0.1")).toBe(false);
    budget.rejected("10.0.0.1");
    budget.rejected("10.0.0.1");
    expect(budget.addressBlocked("10.0.0.1")).toBe(false);
    expect(budget.rejected("10.0.0.1")).toBe(true);
    expect(budget.addressBlocked("10.0.0.1")).toBe(true);
    expect(budget.addressBlocked("10.0.0.2")).toBe(false);
    now += 61_000;
    expect(budget.addressBlocked("10.0.0.1")).toBe(false);
  });
});
