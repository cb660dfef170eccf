import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import { useTempStateDirs } from "./temp-state.ts";

const stateDir = useTempStateDirs();

describe("opt-out ledger", () => {
  it("records, answers and clears per account, durably, without storing the number", () => {
    const dir = stateDir();
    const db = openDatabase(dir);
    const ledger = createOptOutLedger(db);
    ledger.record("a", "+15551230001", "keyword", 5);
    expect(ledger.isOptedOut("a", "+15551230001")).toBe(true);
    expect(ledger.isOptedOut("b", "+15551230001")).toBe(false);
    expect(JSON.stringify(db.prepare("SELECT * FROM opt_outs").all())).not.toContain("5551230001");
    db.close();
    const again = openDatabase(dir);
    const reopened = createOptOutLedger(again);
    expect(reopened.isOptedOut("a", "+15551230001")).toBe(true);
    expect(reopened.clear("a", "+15551230001")).toBe(true);
    expect(reopened.isOptedOut("a", "+15551230001")).toBe(false);
    again.close();
  });
});
