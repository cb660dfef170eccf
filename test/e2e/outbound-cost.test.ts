// What a reply costs and how sending fails, in a real gateway: `openclaw
// message send` → plugin → Twilio emulator, billed by the emulator's own
// segment count.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../emulator/index.ts";
import type { TwilioEmulator } from "../emulator/index.ts";
import { startGateway } from "../support/gateway.ts";
import type { GatewayHandle } from "../support/gateway.ts";

const FROM = "+15550002222";
const TO = "+15551230002";

let emulator: TwilioEmulator;
let gateway: GatewayHandle;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: "AC" + "2".repeat(32), authToken: "e2e-cost-token-0123456789abcdef", phoneNumbers: [FROM] }] });
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    channelConfig: { accountSid: emulator.accountSid, authToken: emulator.authToken, fromNumber: FROM, apiBaseUrl: emulator.url },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await emulator?.close();
});

const send = (message: string) => gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", TO, "--message", message]);
const billed = () => emulator.messages.reduce((sum, message) => sum + message.numSegments, 0);
const creates = () => emulator.requests.filter((request) => request.method === "POST");

/** Exactly `length` characters of plain words and sentences, nothing Markdown would touch. */
function plainText(length: number): string {
  const sentence = "The quick brown fox jumps over the lazy dog while the band plays on. ";
  return sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length - 1).trimEnd().padEnd(length - 1, "x") + ".";
}

describe("segment-aware sending", () => {
  it("bills a curly quote plus 1,400 GSM characters as 10 segments, not 21", async () => {
    emulator.reset();
    const text = `It’s ${plainText(1_396)}`;
    expect(text).toHaveLength(1_401);
    const result = await send(text);
    expect(result.code, result.stderr).toBe(0);
    expect(emulator.messages).toHaveLength(1);
    expect(emulator.messages[0]).toMatchObject({ encoding: "GSM-7", body: text.replace("’", "'") });
    expect(billed()).toBe(10);
  });
});

describe("failures that must not double-send", () => {
  it("delivers the reply once when Twilio answers 429 twice first", async () => {
    emulator.reset();
    emulator.failNext({ kind: "rate-limit" }, 2);
    const result = await send("Rate limits are retried after a pause.");
    expect(result.code, result.stderr).toBe(0);
    expect(creates().map((request) => request.status)).toEqual([429, 429, 201]);
    expect(emulator.messages.map((message) => message.body)).toEqual(["Rate limits are retried after a pause."]);
  });

  it("reports a 500 clearly, exits non-zero and sends exactly one request", async () => {
    emulator.reset();
    emulator.failNext({ kind: "server-error", status: 500 });
    const result = await send("This one meets a server error.");
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain("Twilio answered 500 (20500); the message may or may not have been created, so it was not resent");
    expect(output).not.toContain(TO);
    // Give any retry a moment to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(creates()).toHaveLength(1);
  });

  it("names the cause of a permanent refusal and stops after one request", async () => {
    emulator.reset();
    emulator.failNext({ kind: "twilio-error", status: 400, code: 21408 });
    const result = await send("Geo permissions block this one.");
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain("Twilio rejected +1******0002: texting that country is not enabled on the account (21408)");
    expect(creates()).toHaveLength(1);
  });
});

describe("spend guard in status", () => {
  it("shows maxSegmentsPerReply and the daily budget", async () => {
    const result = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/"maxSegmentsPerReply":\s*40/);
    expect(result.stdout).toMatch(/"dailySegmentsPerRecipient":\s*"off"/);
  });
});
