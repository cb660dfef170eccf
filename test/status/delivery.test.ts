import { describe, expect, it } from "vitest";
import { foldStatus } from "../../src/status/delivery.ts";
import type { DeliveryState } from "../../src/status/delivery.ts";

function run(statuses: (string | [string, number])[]): DeliveryState | undefined {
  let state: DeliveryState | undefined;
  statuses.forEach((entry, at) => {
    const [status, errorCode] = Array.isArray(entry) ? entry : [entry, undefined];
    state = foldStatus(state, { status, errorCode, at });
  });
  return state;
}

describe("foldStatus", () => {
  it.each([
    ["in order", ["queued", "sending", "sent", "delivered"], "delivered"],
    ["delivered before sent", ["queued", "delivered", "sent"], "delivered"],
    ["duplicates", ["queued", "sent", "sent", "delivered", "delivered"], "delivered"],
    ["sent after queued out of order", ["sent", "queued", "sending"], "sent"],
    ["accepted (Messaging Service) then queued", ["accepted", "queued"], "queued"],
    ["failure after sent", ["queued", "sent", ["undelivered", 30003]], "undelivered"],
    ["read after delivered", ["delivered", "read"], "read"],
  ])("%s ends in the furthest status", (_name, statuses, expected) => {
    const state = run(statuses as (string | [string, number])[]);
    expect(state?.status).toBe(expected);
    expect(state?.conflicted).toBe(false);
  });

  it("never leaves a terminal status, and flags a conflicting one", () => {
    const state = run(["sent", "delivered", ["failed", 30008], "sending"]);
    expect(state).toMatchObject({ status: "delivered", errorCode: null, conflicted: true });
  });

  it("keeps the error code of the failure", () => {
    expect(run(["queued", ["undelivered", 30007]])).toMatchObject({ status: "undelivered", errorCode: 30007 });
  });

  it.each([
    ["scheduled, then sent", ["scheduled", "queued", "sent"], "sent"],
    ["canceled while scheduled", ["scheduled", "canceled"], "canceled"],
    ["partially delivered", ["queued", "sent", "partially_delivered"], "partially_delivered"],
    ["a late sent after partially delivered", ["partially_delivered", "sent"], "partially_delivered"],
    ["read after partially delivered", ["partially_delivered", "read"], "read"],
    ["a late delivered after read", ["sent", "read", "delivered"], "read"],
  ])("%s", (_name, statuses, expected) => {
    const state = run(statuses);
    expect(state?.status).toBe(expected);
    expect(state?.conflicted).toBe(false);
  });

  it("partially_delivered is final: a different final status after it is a conflict", () => {
    expect(run(["partially_delivered", ["failed", 30008]])).toMatchObject({ status: "partially_delivered", conflicted: true });
  });

  it("a read receipt after a failure contradicts it", () => {
    expect(run([["undelivered", 30003], "read"])).toMatchObject({ status: "undelivered", errorCode: 30003, conflicted: true });
  });

  it("keeps an unknown status instead of dropping it, until a known status follows", () => {
    expect(run(["sent", "carrier_accepted"])).toMatchObject({ status: "carrier_accepted", conflicted: false });
    expect(run(["sent", "carrier_accepted", "delivered"])?.status).toBe("delivered");
    expect(run(["sent", "carrier_accepted", "queued"])?.status).toBe("queued");
  });

  it("an unknown status never replaces a final one", () => {
    expect(run(["delivered", "carrier_accepted"])).toMatchObject({ status: "delivered", conflicted: false });
  });
});
