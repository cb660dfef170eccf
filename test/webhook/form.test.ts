// Telling an inbound text from a delivery status callback, by status and never by a missing Body.
import { describe, expect, it } from "vitest";
import { buildInboundSmsParams } from "../../sandbox/emulator/index.ts";
import { parseForm, readWebhook } from "../../src/webhook/form.ts";

const ACCOUNT = "AC" + "1".repeat(32);
const SID = "SM" + "a".repeat(32);
const form = (params: Record<string, string>) => parseForm(new URLSearchParams(params).toString());

/** The fields Twilio posts to a StatusCallback URL (research twilio.md §3). */
const callback = (status: string, extra: Record<string, string> = {}) =>
  form({ AccountSid: ACCOUNT, ApiVersion: "2010-04-01", MessageSid: SID, SmsSid: SID, MessageStatus: status, SmsStatus: status, From: "+15550001111", To: "+15551230001", ...extra });

describe("readWebhook", () => {
  it("reads Twilio's inbound payload (SmsStatus=received) as a message", () => {
    const params = buildInboundSmsParams({ accountSid: ACCOUNT, from: "+15551230001", to: "+15550001111", body: "hello" });
    expect(params.SmsStatus).toBe("received");
    const parsed = readWebhook(form(params));
    expect(parsed).toMatchObject({ kind: "message", event: { from: "+15551230001", to: "+15550001111", body: "hello" } });
  });

  it("reads an inbound text with MessageStatus=received and no Body (a picture) as a message", () => {
    const parsed = readWebhook(form({ AccountSid: ACCOUNT, MessageSid: SID, MessageStatus: "received", From: "+15551230001", To: "+15550001111", NumMedia: "1" }));
    expect(parsed).toMatchObject({ kind: "message", event: { body: "", numMedia: 1 } });
  });

  it("reads a status callback that carries a Body as a status callback", () => {
    const parsed = readWebhook(callback("delivered", { Body: "Your reply" }));
    expect(parsed).toEqual({ kind: "status", event: { messageSid: SID, accountSid: ACCOUNT, status: "delivered", errorCode: undefined } });
  });

  it.each(["accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed", "canceled", "partially_delivered", "read", "some_future_status"])(
    "reads MessageStatus=%s as a status callback",
    (status) => {
      expect(readWebhook(callback(status))).toMatchObject({ kind: "status", event: { status } });
    },
  );

  it("keeps the error code of a failed delivery", () => {
    expect(readWebhook(callback("undelivered", { ErrorCode: "30003" }))).toMatchObject({ kind: "status", event: { errorCode: 30003 } });
  });

  it("falls back to SmsStatus when MessageStatus is absent", () => {
    expect(readWebhook(form({ AccountSid: ACCOUNT, SmsSid: SID, SmsStatus: "sent" }))).toMatchObject({ kind: "status", event: { status: "sent" } });
  });

  it("refuses a form without MessageSid, or an inbound text without From", () => {
    expect(readWebhook(form({ AccountSid: ACCOUNT, MessageStatus: "sent" }))).toMatchObject({ kind: "invalid" });
    expect(readWebhook(form({ AccountSid: ACCOUNT, MessageSid: SID, SmsStatus: "received", To: "+15550001111" }))).toMatchObject({ kind: "invalid" });
  });
});
