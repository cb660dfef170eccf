import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/config/accounts.ts";
import { admit, keywordOf, replyAddress } from "../../src/webhook/admit.ts";
import { readWebhook } from "../../src/webhook/form.ts";
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
    ["an RCS text (From rcs:+E164, read as the number)", sms({ from: "+15551230001", channel: "rcs", to: "rcs:+15550001111" }), false, { kind: "dispatch" }],
    ["an RCS sender that is not a number", sms({ from: "rcs:acme_agent" }), false, { kind: "drop", reason: "non-e164-sender", senderKind: "rcs" }],
    ["STOP over RCS", sms({ from: "+15551230001", channel: "rcs", body: "STOP" }), false, { kind: "opt-out" }],
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

describe("RCS", () => {
  const rcsForm = (from: string, to: string) => ({
    MessageSid: "MM00000000000000000000000000000001",
    AccountSid: SID,
    From: from,
    To: to,
    Body: "look",
    NumMedia: "1",
    MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages/MM00000000000000000000000000000001/Media/ME${"0".repeat(32)}`,
    MediaContentType0: "image/jpeg",
    MessagingServiceSid: MG,
    SmsStatus: "received",
  });

  it("reads From rcs:+E164 as the number, marked as RCS, with its media like an MMS", () => {
    const parsed = readWebhook(rcsForm("rcs:+15551230001", "rcs:acme_agent"));
    if (parsed.kind !== "message") throw new Error(parsed.kind);
    expect(parsed.event).toMatchObject({ from: "+15551230001", channel: "rcs", to: "rcs:acme_agent", numMedia: 1 });
    expect(parsed.event.media).toEqual([{ index: 0, url: expect.stringContaining("/Media/ME"), declaredType: "image/jpeg" }]);
    expect(readWebhook(rcsForm("+15551230001", "+15550001111"))).toMatchObject({ event: { from: "+15551230001" } });
    expect((readWebhook(rcsForm("+15551230001", "+15550001111")) as { event: object }).event).not.toHaveProperty("channel");
  });

  it("an RCS text addressed to the RCS agent reaches the Messaging Service account; a number account only when To names its number", () => {
    const parsed = readWebhook(rcsForm("rcs:+15551230001", "rcs:acme_agent"));
    if (parsed.kind !== "message") throw new Error(parsed.kind);
    expect(admit(parsed.event, serviceAccount, false)).toEqual({ kind: "dispatch" });
    expect(admit({ ...parsed.event, messagingServiceSid: undefined }, account, false)).toEqual({ kind: "drop", reason: "recipient-mismatch" });
    expect(admit({ ...parsed.event, messagingServiceSid: undefined, to: "rcs:+15550001111" }, account, false)).toEqual({ kind: "dispatch" });
  });

  it("replies over RCS through a Messaging Service, by SMS to the same number from a plain number", () => {
    const rcs = sms({ from: "+15551230001", channel: "rcs" });
    expect(replyAddress(rcs, serviceAccount)).toBe("rcs:+15551230001");
    expect(replyAddress(rcs, account)).toBe("+15551230001");
    expect(replyAddress(sms(), serviceAccount)).toBe("+15551230001");
  });
});
