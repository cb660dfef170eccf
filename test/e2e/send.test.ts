// Outbound in a real gateway: the gateway's `send` RPC (what `openclaw message
// send` calls) → plugin → Twilio emulator: flattening, splitting, targets,
// status, segment cost and failures that must not double-send. One test runs
// the real CLI, the user's own path; the rest skip its seconds of start-up.
import { randomUUID } from "node:crypto";
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

/** Sends through the gateway like `openclaw message send`; rejects with the error the CLI would print. */
const send = (message: string, to = TO) => gateway.rpc("send", { channel: "twilio-sms", to, message, idempotencyKey: randomUUID() });

describe("sending through the gateway", () => {
  it("openclaw message send: flattens Markdown and sends exactly one SMS from the configured number", async () => {
    emulator.reset();
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", TO, "--message", "**Hi** [docs](https://example.com)", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const messages = emulator.messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: TO, from: FROM, body: "Hi docs (https://example.com)", encoding: "GSM-7", numSegments: 1 });
    expect(result.stdout).toContain(messages[0]!.sid);
  }, 120_000);

  it("accepts the twilio: prefix", async () => {
    emulator.reset();
    await send("prefixed", `twilio:${TO}`);
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
    await send(text);
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
    await expect(send("nope", "sms:+15551230001")).rejects.toThrow(/target prefix "sms:" is not ours; use a bare E\.164 number \(\+15551230001\) or twilio:\+15551230001/);
    expect(emulator.requests).toHaveLength(0);
  });

  it("shows the account configured in channel status without the token", async () => {
    const status = JSON.stringify(await gateway.rpc("channels.status", { channel: "twilio-sms" }));
    expect(status).not.toContain(emulator.authToken);
    expect(status).not.toContain(FROM);
    expect(status).toMatch(/"configured":true/);
  });

  it("is the one plugin the gateway loaded (plugins.allow keeps the bundled ones out)", async () => {
    const health = (await gateway.rpc("health")) as { plugins: { loaded: string[]; errors: unknown[] } };
    expect(health.plugins).toMatchObject({ loaded: ["twilio-sms"], errors: [] });
  });
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
    await send(text);
    expect(emulator.messages).toHaveLength(1);
    expect(emulator.messages[0]).toMatchObject({ encoding: "GSM-7", body: text.replace("’", "'") });
    expect(billed()).toBe(10);
  });
});

describe("failures that must not double-send", () => {
  it("delivers the reply once when Twilio answers 429 twice first", async () => {
    emulator.reset();
    emulator.failNext({ kind: "rate-limit" }, 2);
    await send("Rate limits are retried after a pause.");
    expect(creates().map((request) => request.status)).toEqual([429, 429, 201]);
    expect(emulator.messages.map((message) => message.body)).toEqual(["Rate limits are retried after a pause."]);
  });

  it("reports a 500 clearly, fails the send and sends exactly one request", async () => {
    emulator.reset();
    emulator.failNext({ kind: "server-error", status: 500 });
    const error = (await send("This one meets a server error.").catch((failure: unknown) => failure)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain("Twilio answered 500 (20500); it did not show up in Twilio's message list within 7 s, but it may still have been created, so it was not resent");
    expect(error.message).not.toContain(TO);
    // Give any retry a moment to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(creates()).toHaveLength(1);
  });

  it("names the cause of a permanent refusal and stops after one request", async () => {
    emulator.reset();
    emulator.failNext({ kind: "twilio-error", status: 400, code: 21408 });
    await expect(send("Geo permissions block this one.")).rejects.toThrow("Twilio rejected +1******0001: texting that country is not enabled on the account (21408)");
    expect(creates()).toHaveLength(1);
  });
});

describe("spend guard in status", () => {
  it("shows maxSegmentsPerReply and the daily budget", async () => {
    const status = JSON.stringify(await gateway.rpc("channels.status", { channel: "twilio-sms" }));
    expect(status).toContain('"spendGuard":{"maxSegmentsPerReply":40,"dailySegmentsPerRecipient":"off"}');
  });
});
