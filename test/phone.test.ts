import { describe, expect, it } from "vitest";
import { TargetError } from "../src/errors.ts";
import { addressNumber, classifySender, normalizeAllowEntry, parseTarget, rcsNumber } from "../src/phone.ts";
import { maskPhone } from "../src/mask.ts";

describe("parseTarget", () => {
  it.each([
    ["+15551230001", "+15551230001"],
    [" +1 (555) 123-0001 ", "+15551230001"],
    ["twilio:+15551230001", "+15551230001"],
    ["TWILIO:+447700900123", "+447700900123"],
  ])("accepts %j", (raw, expected) => {
    expect(parseTarget(raw)).toBe(expected);
  });

  it.each([
    ["sms:+15551230001", /prefix "sms:" is not ours/],
    ["twilio-sms:+15551230001", /prefix "twilio-sms:" is not ours/],
    ["15551230001", /is not a phone number; use E\.164/],
    ["+0123456789", /is not a phone number/],
    ["alice", /is not a phone number/],
    ["twilio:", /is not a phone number/],
  ])("refuses %j with a clear TargetError", (raw, message) => {
    expect(() => parseTarget(raw)).toThrow(TargetError);
    expect(() => parseTarget(raw)).toThrow(message);
  });

  it("never echoes a full number in its error", () => {
    expect(() => parseTarget("+1555123000112345678")).toThrow(/"\+155\*+5678"/);
  });
});

describe("classifySender", () => {
  it.each([
    ["+15551230001", "e164"],
    ["12345", "short-code"],
    ["MyBrand", "alphanumeric"],
    ["rcs:+15551230001", "rcs"],
    ["", "unknown"],
  ])("%j is %s", (raw, kind) => {
    expect(classifySender(raw)).toBe(kind);
  });
});

describe("normalizeAllowEntry", () => {
  it.each([
    ["*", "*"],
    ["twilio:+15551230001", "+15551230001"],
    ["sms:+1 555 123 0001", "+15551230001"],
    ["+15551230001", "+15551230001"],
  ])("%j → %j", (raw, expected) => {
    expect(normalizeAllowEntry(raw)).toBe(expected);
  });
});

describe("maskPhone", () => {
  it("keeps the country code and the last four digits", () => {
    expect(maskPhone("+15551230001")).toBe("+1******0001");
    expect(maskPhone("+447700900123")).toBe("+44******0123");
  });
});

describe("RCS addresses", () => {
  it.each([
    ["rcs:+15551234567", "+15551234567"],
    ["RCS:+15551234567", "+15551234567"],
    ["rcs:acme_agent", undefined],
    ["+15551234567", undefined],
  ])("rcsNumber(%s) = %s", (raw, expected) => {
    expect(rcsNumber(raw)).toBe(expected);
  });

  it("is the same person as the number: opt-outs and budgets key on it", () => {
    expect(addressNumber("rcs:+15551234567")).toBe("+15551234567");
    expect(addressNumber("+15551234567")).toBe("+15551234567");
  });

  it("masks like a number and keeps the prefix", () => {
    expect(maskPhone("rcs:+15551234567")).toBe("rcs:+1******4567");
  });
});
