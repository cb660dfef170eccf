// The delivery section of channel status: every status Twilio reported is shown, known or not.
import { describe, expect, it } from "vitest";
import { summarizeDeliveries } from "../../src/status/deliveries.ts";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore } from "../../src/store/deliveries.ts";
import { useTempStateDirs } from "../store/temp-state.ts";

const stateDir = useTempStateDirs();

describe("summarizeDeliveries", () => {
  it("shows partially_delivered, read and a status Twilio added later, each as reported", () => {
    const db = openDatabase(stateDir());
    const store = createDeliveryStore(db, "a");
    for (const sid of ["SM1", "SM2", "SM3", "SM4"]) store.recordSent(sid, "queued", 1);
    store.apply("SM1", { status: "partially_delivered", errorCode: undefined, at: 2 });
    store.apply("SM2", { status: "delivered", errorCode: undefined, at: 2 });
    store.apply("SM2", { status: "read", errorCode: undefined, at: 3 });
    store.apply("SM3", { status: "carrier_accepted", errorCode: undefined, at: 2 });
    store.apply("SM4", { status: "undelivered", errorCode: 30003, at: 2 });
    const summary = summarizeDeliveries(store, 10);
    expect(Object.fromEntries(summary.recent.map((record) => [record.sid, record.status]))).toEqual({
      SM1: "partially_delivered",
      SM2: "read",
      SM3: "carrier_accepted",
      SM4: "undelivered",
    });
    expect(summary.unknownStatuses).toEqual(["carrier_accepted"]);
    expect(summary.failuresLast24h).toEqual({ "undelivered:30003": 1 });
    expect(summary.causes["30003"]).toMatch(/unreachable/);
    db.close();
  });

  it("lists no unknown statuses when every status is documented", () => {
    const db = openDatabase(stateDir());
    const store = createDeliveryStore(db, "a");
    store.recordSent("SM1", "accepted", 1);
    store.apply("SM1", { status: "scheduled", errorCode: undefined, at: 2 });
    expect(summarizeDeliveries(store, 10).unknownStatuses).toEqual([]);
    db.close();
  });
});
