// Outbound in a real gateway: `openclaw message send` → plugin → Twilio emulator:
// flattening, splitting, targets, status, segment cost and failures that must not double-send.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";

const FROM = "+15550001111";
const TO = "+15551230001";

let emulator: TwilioEmulator;
let gateway: GatewayHandle;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: "AC" + "1".repeat(32), authToken: "e2e-send-token-0123456789abcdef", phoneNumbers: [FROM] }] });
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

describe("openclaw message send --channel twilio-sms", () => {
  it("flattens Markdown and sends exactly one SMS from the configured number", async () => {
    emulator.reset();
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", TO, "--message", "**Hi** [docs](https://example.com)", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const messages = emulator.messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: TO, from: FROM, body: "Hi docs (https://example.com)", encoding: "GSM-7", numSegments: 1 });
    expect(result.stdout).toContain(messages[0]!.sid);
  });

  it("accepts the twilio: prefix", async () => {
    emulator.reset();
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", `twilio:${TO}`, "--message", "prefixed"]);
    expect(result.code, result.stderr).toBe(0);
    expect(emulator.messages.map((message) => [message.to, message.body])).toEqual([[TO, "prefixed"]]);
  });

  it("splits a 5,000-character text into ordered parts within the limit that add up to the original", async () => {
    emulator.reset();
    const words = Array.from({ length: 1000 }, (_, i) => `w${(i * 7919) % 1000}`);
    let text = "";
    for (const word of words) {
      if (text.length + word.length + 1 > 5000) break;
      text += (text ? " " : "") + word;
    }
    text = text.padEnd(5000, "x");
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", TO, "--message", text]);
    expect(result.code, result.stderr).toBe(0);
    const bodies = emulator.messages.map((message) => message.body);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) {
      expect(body.length).toBeLessThanOrEqual(1530);
      expect(body).toBe(body.trim());
    }
    expect(bodies.join(" ")).toBe(text);
  });

  it("refuses a target that is not a phone number before calling Twilio", async () => {
    emulator.reset();
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", "sms:+15551230001", "--message", "nope"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Unknown target "sms:\+15551230001" for Twilio SMS\. Hint: an E\.164 phone number/);
    expect(emulator.requests).toHaveLength(0);
  });

  it("shows the account configured in channel status without the token", async () => {
    const result = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(emulator.authToken);
    expect(result.stdout).not.toContain(FROM);
    const status = JSON.parse(result.stdout);
    expect(JSON.stringify(status)).toMatch(/"configured":\s*true/);
  });

  it("is loaded by the gateway as the twilio-sms channel", async () => {
    const result = await gateway.cli(["plugins", "inspect", "twilio-sms", "--runtime", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{")));
    expect(JSON.stringify(report)).toContain('"twilio-sms"');
    expect(JSON.stringify(report)).toMatch(/"status":\s*"loaded"/);
  }, 60_000);
});

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
    expect(output).toContain(
      "Twilio answered 500 (20500); it did not show up in Twilio's message list within 7 s, but it may still have been created, so it was not resent",
    );
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
    expect(result.stdout + result.stderr).toContain("Twilio rejected +1******0001: texting that country is not enabled on the account (21408)");
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
