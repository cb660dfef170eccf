// The send pipeline against the Twilio emulator through the real twilio client:
// what is retried, what is not, and what the error tells a person.
import { describe, expect, it } from "vitest";
import { isChannelPartialDeliveryError } from "openclaw/plugin-sdk/channel-inbound";
import { buildReceipt, SmsSendError } from "../../src/outbound/receipts.ts";
import { sendSms, type SendAccount, type SendClock, type SendSmsParams } from "../../src/outbound/send.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";
import { startTwilioEmulator, type TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { loopbackPort } from "../../sandbox/ports.ts";
import { useTwilioEmulator } from "../support/emulator-fixture.ts";

const FROM = "+15550001111";
const TO = "+15551230001";
const MASKED_TO = "+1******0001";
const ACCOUNT: SendAccount = { textChunkLimit: 1530, maxSegmentsPerReply: 40, partMarkers: false, smartEncoding: true };
/** Three GSM-7 parts of about ten segments each. */
const THREE_PARTS = Array.from({ length: 3 }, (_, i) => `Part ${i + 1}. ${"word ".repeat(290).trim()}.`).join("\n\n");

const emulator = useTwilioEmulator();

/** Time passes only when the sender sleeps, so backoff is observable and instant. It starts at the real time, which Twilio's timestamps are compared with. */
function fakeClock(): SendClock & { sleeps: number[] } {
  let now = Date.now();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random: () => 0.5,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
}

function send(overrides: Partial<SendSmsParams> = {}) {
  const client = createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: emulator().url });
  return sendSms({ client, account: ACCOUNT, sender: { kind: "number", fromNumber: FROM }, to: TO, text: "Hello there", clock: fakeClock(), ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error("expected the send to fail");
  return outcome.error;
}

const creates = () => emulator().requests.filter((request) => request.method === "POST");

describe("rate limits", () => {
  it("429 then success delivers exactly one message after one backoff", async () => {
    emulator().failNext({ kind: "rate-limit" });
    const clock = fakeClock();
    const parts = await send({ clock });
    expect(parts).toHaveLength(1);
    expect(emulator().messages).toHaveLength(1);
    expect(creates().map((request) => request.status)).toEqual([429, 201]);
    expect(clock.sleeps).toEqual([375]);
  });

  it("waits at least Retry-After", async () => {
    emulator().failNext({ kind: "rate-limit", retryAfterSeconds: 2 }, 2);
    const clock = fakeClock();
    await send({ clock });
    expect(emulator().messages).toHaveLength(1);
    for (const ms of clock.sleeps) expect(ms).toBeGreaterThanOrEqual(2_000);
    expect(clock.sleeps).toHaveLength(2);
  });

  it("gives up after the attempt budget with nothing sent and says so", async () => {
    emulator().failNext({ kind: "rate-limit" }, 10);
    const error = await failure(send());
    expect(error).toBeInstanceOf(SmsSendError);
    expect((error as SmsSendError).message).toBe(
      `twilio-sms: Twilio rejected ${MASKED_TO}: still rate limited (429, code 20429) after 5 attempts; nothing was sent, try again shortly.`,
    );
    expect(creates()).toHaveLength(5);
    expect(emulator().messages).toHaveLength(0);
  });

  it("stops waiting when the send is aborted", async () => {
    emulator().failNext({ kind: "rate-limit" }, 3);
    const controller = new AbortController();
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      controller.abort(new Error("gateway stopping"));
      return sleep(ms, signal);
    };
    await expect(send({ clock, signal: controller.signal })).rejects.toThrow("gateway stopping");
    expect(creates()).toHaveLength(1);
  });
});

describe("a request that never reached Twilio created nothing, so it is retried", () => {
  const closedPortUrl = async () => `http://127.0.0.1:${await loopbackPort(0)}`;
  const clientAt = (apiBaseUrl: string) => createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl });

  it("a refused connection is retried with the 429 backoff, and the text goes out once Twilio listens", async () => {
    const url = await closedPortUrl();
    const clock = fakeClock();
    const sleep = clock.sleep;
    let late: TwilioEmulator | undefined;
    clock.sleep = async (ms, signal) => {
      late ??= await startTwilioEmulator({ port: Number(new URL(url).port), accounts: [{ accountSid: emulator().accountSid, authToken: emulator().authToken }] });
      return sleep(ms, signal);
    };
    try {
      const parts = await send({ client: clientAt(url), clock });
      expect(clock.sleeps).toEqual([375]);
      expect(late?.messages.map((message) => message.sid)).toEqual(parts.map((part) => part.sid));
    } finally {
      await late?.close();
    }
  });

  it("refused every time: gives up after the attempt budget and says nothing was created", async () => {
    const clock = fakeClock();
    const error = (await failure(send({ client: clientAt(await closedPortUrl()), clock }))) as SmsSendError;
    expect(error).toMatchObject({ outcome: "not-sent", attempts: 5, httpStatus: undefined });
    expect(error.message).toBe(
      `twilio-sms: SMS to ${MASKED_TO} was not sent: still could not connect to Twilio (ECONNREFUSED) after 5 attempts; nothing was created, try again shortly.`,
    );
    expect(clock.sleeps).toHaveLength(4);
  });
});

describe("an unknown outcome is looked up in Twilio's message list, never resent blindly", () => {
  const lookups = () => emulator().requests.filter((request) => request.method === "GET");

  it.each([
    ["a timeout after Twilio created the message", { kind: "stall", ms: 5_000 } as const],
    ["a dropped connection after Twilio created the message", { kind: "drop" } as const],
    ["a 500 after Twilio stored the message", { kind: "server-error", status: 500, afterCreate: true } as const],
  ])("%s: found, reported sent with its SID, and not resent", async (_name, fault) => {
    emulator().failNext(fault);
    const client = createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: emulator().url }, { timeoutMs: 300 });
    const clock = fakeClock();
    const parts = await send({ client, clock });
    const [message] = emulator().messages;
    expect(parts).toEqual([{ index: 0, sid: message?.sid, status: "queued", segments: 1, encoding: "GSM-7" }]);
    expect(creates()).toHaveLength(1);
    expect(lookups()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([
    ["500", { kind: "server-error", status: 500 } as const, "Twilio answered 500 (20500)"],
    ["502 (HTML page)", { kind: "server-error", status: 502 } as const, "Twilio answered 502"],
    ["503", { kind: "server-error", status: 503 } as const, "Twilio answered 503 (20503)"],
  ])("%s with no message created: looked up three times over 7 s, then reported unknown and not resent", async (_name, fault, answer) => {
    emulator().failNext(fault);
    const clock = fakeClock();
    const error = (await failure(send({ clock }))) as SmsSendError;
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error.outcome).toBe("unknown-outcome");
    expect(error.message).toBe(
      `twilio-sms: SMS to ${MASKED_TO}: ${answer}; it did not show up in Twilio's message list within 7 s, but it may still have been created, so it was not resent.`,
    );
    expect(creates()).toHaveLength(1);
    expect(lookups()).toHaveLength(3);
    expect(clock.sleeps).toEqual([2_000, 5_000]);
  });

  it("an identical text sent earlier in the same reply is not taken for the lost part", async () => {
    emulator().failNext({ kind: "delay", ms: 0 });
    emulator().failNext({ kind: "server-error", status: 500 });
    const error = await failure(send({ text: "Same words.\n\nSame words.", account: { ...ACCOUNT, textChunkLimit: 12 } }));
    expect(isChannelPartialDeliveryError(error)).toBe(true);
    expect((error as { cause: SmsSendError }).cause.outcome).toBe("unknown-outcome");
    expect(creates()).toHaveLength(2);
  });
});

describe("permanent refusals fail after exactly one request", () => {
  it.each([
    [400, 21211, "the recipient is not a valid phone number (21211)"],
    [400, 21408, "texting that country is not enabled on the account (21408)"],
    [400, 21610, "the number opted out by texting STOP (21610); nothing is sent until they text START"],
    [400, 21612, "Twilio cannot reach that number by SMS from this sender (21612)"],
    [400, 21614, "the number cannot receive SMS (likely a landline) (21614)"],
    [400, 21617, "the message was longer than 1,600 characters (21617)"],
    [400, 21606, "the sender number is not an SMS-capable number on this account (21606)"],
    [400, 21212, "the sender number is not valid (21212)"],
    [400, 21608, "trial accounts can only text verified numbers (21608)"],
    [400, 21602, "the message body was empty (21602)"],
    [400, 21603, "no sender was given (21603)"],
    [400, 21604, "no recipient was given (21604)"],
    [401, 20003, "the Account SID or Auth Token is wrong (20003)"],
  ])("%s / %s", async (status, code, cause) => {
    emulator().failNext({ kind: "twilio-error", status, code, message: `Rejected ${TO}` });
    const error = (await failure(send())) as SmsSendError;
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ outcome: "rejected", twilioCode: code, httpStatus: status, attempts: 1 });
    expect(error.message).toContain(`twilio-sms: Twilio rejected ${MASKED_TO}: ${cause}`);
    expect(error.message).not.toContain(TO);
    expect(creates()).toHaveLength(1);
    expect(emulator().messages).toHaveLength(0);
  });

  it("a real opt-out on the emulator is reported as 21610", async () => {
    emulator().optOut(TO);
    const error = (await failure(send())) as SmsSendError;
    expect(error.twilioCode).toBe(21610);
    expect(creates()).toHaveLength(1);
  });

  it("a wrong Auth Token is reported as 20003 and never shows the token", async () => {
    const client = createTwilioClient({ accountSid: emulator().accountSid, authToken: "wrong-token-0123456789", apiBaseUrl: emulator().url });
    const error = (await failure(send({ client }))) as SmsSendError;
    expect(error.twilioCode).toBe(20003);
    expect(`${error.message} ${String((error.cause as Error).message)}`).not.toMatch(/wrong-token|fedcba98/);
  });
});

describe("multi-part replies", () => {
  it("sends every part in order and returns each part's SID, status and segments", async () => {
    const parts = await send({ text: THREE_PARTS });
    expect(parts).toHaveLength(3);
    expect(parts.map((part) => part.sid)).toEqual(emulator().messages.map((message) => message.sid));
    expect(parts.map((part) => part.segments)).toEqual(emulator().messages.map((message) => message.numSegments));
    expect(parts.map((part) => part.status)).toEqual(["queued", "queued", "queued"]);
    const receipt = buildReceipt(parts);
    expect(receipt.platformMessageIds).toEqual(parts.map((part) => part.sid));
    expect(receipt.parts.map((part) => part.raw?.meta)).toEqual(
      parts.map((part, i) => ({ status: "queued", segments: part.segments, encoding: "GSM-7", part: i + 1 })),
    );
    const words = (text: string) => text.split(/\s+/);
    expect(words(emulator().messages.map((message) => message.body).join(" "))).toEqual(words(THREE_PARTS));
  });

  it("when part 2 is refused, reports part 1 as delivered through the SDK's partial-delivery error and sends no more", async () => {
    emulator().failNext({ kind: "delay", ms: 0 });
    emulator().failNext({ kind: "twilio-error", status: 400, code: 21610 });
    const error = await failure(send({ text: THREE_PARTS }));
    expect(isChannelPartialDeliveryError(error)).toBe(true);
    const partial = error as Error & { deliveryResult: { visibleReplySent: boolean; messageIds: string[]; receipt: { platformMessageIds: string[] } } };
    const [delivered] = emulator().messages;
    expect(partial.deliveryResult.visibleReplySent).toBe(true);
    expect(partial.deliveryResult.messageIds).toEqual([delivered?.sid]);
    expect(partial.deliveryResult.receipt.platformMessageIds).toEqual([delivered?.sid]);
    expect(partial.cause).toBeInstanceOf(SmsSendError);
    expect(partial.cause).toMatchObject({ partIndex: 1, totalParts: 3, twilioCode: 21610 });
    // The SDK appends the cause chain after " | ".
    expect(partial.message).toMatch(
      /^twilio-sms: Twilio rejected \+1\*{6}0001: the number opted out by texting STOP \(21610\); nothing is sent until they text START\. Part 1 of 3 went out \(SM\w{4}…\w{4}\); part 2 failed and the rest were not sent\.( \||$)/,
    );
    expect(creates()).toHaveLength(2);
    expect(emulator().messages).toHaveLength(1);
  });

  it("when part 3 meets a 500 after Twilio stored it, the lookup finds it and the reply completes without a resend", async () => {
    emulator().failNext({ kind: "delay", ms: 0 }, 2);
    emulator().failNext({ kind: "server-error", afterCreate: true });
    const parts = await send({ text: THREE_PARTS });
    expect(parts.map((part) => part.sid)).toEqual(emulator().messages.map((message) => message.sid));
    expect(parts).toHaveLength(3);
    expect(creates()).toHaveLength(3);
  });

  it("when part 3 meets a 500, nothing is resent and the two delivered parts are reported", async () => {
    emulator().failNext({ kind: "delay", ms: 0 }, 2);
    emulator().failNext({ kind: "server-error" });
    const error = await failure(send({ text: THREE_PARTS }));
    expect(isChannelPartialDeliveryError(error)).toBe(true);
    expect((error as Error).message).toContain("Parts 1–2 of 3 went out");
    expect((error as { cause: SmsSendError }).cause.outcome).toBe("unknown-outcome");
    expect(creates()).toHaveLength(3);
  });

  it("when part 1 fails, nothing went out and the plain error is thrown", async () => {
    emulator().failNext({ kind: "twilio-error", status: 400, code: 21211 });
    const error = await failure(send({ text: THREE_PARTS }));
    expect(isChannelPartialDeliveryError(error)).toBe(false);
    expect((error as Error).message).toMatch(/Part 1 of 3 failed and the rest were not sent\.$/);
    expect(creates()).toHaveLength(1);
  });
});

describe("spend guard and options", () => {
  it("cuts a reply over maxSegmentsPerReply and bills no more than the cap", async () => {
    await send({ text: THREE_PARTS, account: { ...ACCOUNT, maxSegmentsPerReply: 12 } });
    const billed = emulator().messages.reduce((sum, message) => sum + message.numSegments, 0);
    expect(billed).toBeLessThanOrEqual(12);
    expect(emulator().messages.at(-1)?.body).toMatch(/\n\[\.\.\.truncated\]$/);
  });

  it("passes part markers through", async () => {
    await send({ text: THREE_PARTS, account: { ...ACCOUNT, partMarkers: true } });
    expect(emulator().messages.map((message) => message.body.slice(0, 6))).toEqual(["(1/3) ", "(2/3) ", "(3/3) "]);
  });

  it("smartEncoding false leaves a curly quote in UCS-2", async () => {
    await send({ text: "It’s fine", account: { ...ACCOUNT, smartEncoding: false } });
    expect(emulator().messages[0]).toMatchObject({ body: "It’s fine", encoding: "UCS-2" });
  });
});
