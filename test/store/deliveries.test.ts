import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore, DELIVERY_RETENTION_MS } from "../../src/store/deliveries.ts";
import { useTempStateDirs } from "./temp-state.ts";

const stateDir = useTempStateDirs();

describe("delivery store", () => {
  it("folds callbacks for SIDs we sent and ignores others", () => {
    const db = openDatabase(stateDir());
    const store = createDeliveryStore(db, "a");
    store.recordSent("SM1", "queued", 1);
    expect(store.apply("SM1", { status: "delivered", errorCode: undefined, at: 2 })?.status).toBe("delivered");
    expect(store.apply("SM1", { status: "sent", errorCode: undefined, at: 3 })?.status).toBe("delivered");
    expect(store.apply("SM404", { status: "delivered", errorCode: undefined, at: 3 })).toBeUndefined();
    expect(store.recent(5)).toEqual([{ messageSid: "SM1", status: "delivered", errorCode: null, conflicted: false, createdAt: 1, updatedAt: 2 }]);
    db.close();
  });

  it("counts failures by status and code, and prunes old rows", () => {
    const db = openDatabase(stateDir());
    const store = createDeliveryStore(db, "a");
    store.recordSent("SM1", "queued", 1);
    store.recordSent("SM2", "queued", 1);
    store.recordSent("SM3", "queued", 1);
    store.apply("SM1", { status: "undelivered", errorCode: 30003, at: 10 });
    store.apply("SM2", { status: "undelivered", errorCode: 30003, at: 10 });
    store.apply("SM3", { status: "failed", errorCode: 30007, at: 10 });
    expect(store.failureCounts(5)).toEqual({ "undelivered:30003": 2, "failed:30007": 1 });
    store.prune(10 + DELIVERY_RETENTION_MS + 1);
    expect(store.recent(5)).toEqual([]);
    db.close();
  });
});

describe("delivery summary", () => {
  it("explains failure codes in plain language", async () => {
    const { summarizeDeliveries } = await import("../../src/status/deliveries.ts");
    const db = openDatabase(stateDir());
    const store = createDeliveryStore(db, "a");
    store.recordSent("SM1", "queued", 1);
    store.apply("SM1", { status: "undelivered", errorCode: 30003, at: 10 });
    const summary = summarizeDeliveries(store, 20);
    expect(summary.recent[0]).toMatchObject({ sid: "SM1", status: "undelivered", errorCode: 30003 });
    expect(summary.recent[0]!.cause).toMatch(/unreachable/i);
    expect(summary.failuresLast24h).toEqual({ "undelivered:30003": 1 });
    expect(summary.causes["30003"]).toBe(summary.recent[0]!.cause);
    db.close();
  });
});
