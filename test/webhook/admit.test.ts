import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/config/accounts.ts";
import { admit, keywordOf } from "../../src/webhook/admit.ts";
import type { InboundSms } from "../../src/webhook/form.ts";

const SID = "AC0123456789abcdef0123456789abcdef";
const MG = "MG0123456789abcdef0123456789abcdef";
const account = resolveAccount({ accountSid: SID, authToken: "t", fromNumber: "+15550001111" }, null, {});
const serviceAccount = resolveAccount({ accountSid: SID, authToken: "t", messagingServiceSid: MG }, null, {});
const disabled = resolveAccount({ accountSid: SID, authToken: "t", fromNumber: "+15550001111", dmPolicy: "disabled" }, null, {});

function sms(overrides: Partial<InboundSms> = {}): InboundSms {
  return {
    messageSid: "SM00000000000000000000000000000001",
    accountSid: SID,
    from: "+15551230001",
    to: "+15550001111",
    body: "hello",
    messagingServiceSid: undefined,
    numMedia: 0,
    optOutType: undefined,
    ...overrides,
  };
}

describe("admit", () => {
  it.each([
    ["an ordinary text", sms(), false, { kind: "dispatch" }],
    ["another Twilio account", sms({ accountSid: "ACffffffffffffffffffffffffffffffff" }), false, { kind: "drop", reason: "account-mismatch" }],
    ["another number on the same account", sms({ to: "+15550009999" }), false, { kind: "drop", reason: "recipient-mismatch" }],
    ["a short-code sender", sms({ from: "12345" }), false, { kind: "drop", reason: "non-e164-sender", senderKind: "short-code" }],
    ["an alphanumeric sender", sms({ from: "ACMEBANK" }), false, { kind: "drop", reason: "non-e164-sender", senderKind: "alphanumeric" }],
    ["an RCS address", sms({ from: "rcs:+15551230001" }), false, { kind: "drop", reason: "non-e164-sender", senderKind: "rcs" }],
    ["STOP", sms({ body: "STOP" }), false, { kind: "opt-out" }],
    ["stop, lower case and padded", sms({ body: "  stop. " }), false, { kind: "opt-out" }],
    ["OPTOUT", sms({ body: "optout" }), false, { kind: "opt-out" }],
    ["REVOKE", sms({ body: "Revoke" }), false, { kind: "opt-out" }],
    ["OptOutType=STOP with another word", sms({ body: "arrête", optOutType: "STOP" }), false, { kind: "opt-out" }],
    ["STOP inside a sentence", sms({ body: "please stop that" }), false, { kind: "dispatch" }],
    ["START", sms({ body: "START" }), true, { kind: "opt-in" }],
    ["UNSTOP while opted in", sms({ body: "unstop" }), false, { kind: "opt-in" }],
    ["YES while opted out", sms({ body: "yes" }), true, { kind: "opt-in" }],
    ["YES as an ordinary answer", sms({ body: "Yes" }), false, { kind: "dispatch" }],
    ["any other text while opted out", sms({ body: "hi again" }), true, { kind: "drop", reason: "opted-out" }],
    ["HELP", sms({ body: "help" }), false, { kind: "help" }],
    ["INFO", sms({ body: "INFO" }), false, { kind: "help" }],
    ["an empty text", sms({ body: "  " }), false, { kind: "drop", reason: "empty" }],
    ["a media-only MMS", sms({ body: "", numMedia: 1 }), false, { kind: "dispatch" }],
  ])("%s", (_name, event, optedOut, expected) => {
    expect(admit(event, account, optedOut)).toEqual(expected);
  });

  it("drops everything but keywords when dmPolicy is disabled", () => {
    expect(admit(sms(), disabled, false)).toEqual({ kind: "drop", reason: "dm-disabled" });
    expect(admit(sms({ body: "STOP" }), disabled, false)).toEqual({ kind: "opt-out" });
  });

  it("matches a Messaging Service account by MessagingServiceSid", () => {
    expect(admit(sms({ messagingServiceSid: MG, to: "+15557770000" }), serviceAccount, false)).toEqual({ kind: "dispatch" });
    expect(admit(sms({ to: "+15557770000" }), serviceAccount, false)).toEqual({ kind: "drop", reason: "recipient-mismatch" });
  });
});

describe("keywordOf", () => {
  it.each([
    ["STOP", "STOP"],
    [" Stop! ", "STOP"],
    ["stop all", undefined],
    ["😀", undefined],
  ])("%j → %j", (body, expected) => {
    expect(keywordOf(body)).toBe(expected);
  });
});
