// Outbound and what follows it, in one real gateway (one boot for both):
// - the gateway's `send` RPC (what `openclaw message send` calls) → plugin →
//   Twilio emulator: flattening, splitting, targets, status, segment cost and
//   failures that must not double-send. The real `openclaw message send`
//   CLI runs in inbound.test.ts (with --media); here the RPC skips its 15 s
//   of start-up;
// - delivery status callbacks, the Twilio-side probe and a webhookPath hot
//   reload (last: it moves the route). The journal across a kill -9 is in queue.test.ts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildInboundSmsParams, postTwilioWebhook, startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";

const ACCOUNT_SID = `AC${"d".repeat(32)}`;
const TOKEN = "e2e-send-token-0123456789abcdef";
const FROM = "+15550001111";
const TO = "+15551230001";
const SENDERS = ["+15551240001", "+15551240002", "+15551240003"];

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let webhookUrl: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `openclaw channels status [--probe] --json`, over the gateway's RPC. */
const channelStatus = async (probe = false) => JSON.stringify(await gateway.rpc("channels.status", { channel: "twilio-sms", probe }));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A connection reset while the route is handed over is "not yet", not a failure.
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

beforeAll(async () => {
  // FROM is registered (verified A2P campaign), so a probe can pass as a whole.
  emulator = await startTwilioEmulator({
    accounts: [
      {
        accountSid: ACCOUNT_SID,
        authToken: TOKEN,
        phoneNumbers: [FROM],
        messagingServices: [{ sid: `MG${"9".repeat(32)}`, phoneNumbers: [FROM], campaignStatus: "VERIFIED" }],
      },
    ],
  });
  model = await startModelServer();
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    modelUrl: model.url,
    channelConfig: ({ baseUrl }) => ({
      accountSid: ACCOUNT_SID,
      authToken: TOKEN,
      fromNumber: FROM,
      apiBaseUrl: emulator.url,
      publicUrl: `${baseUrl}/twilio-sms/webhook`,
      allowFrom: SENDERS,
    }),
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
});

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
});

/** Sends through the gateway like `openclaw message send`; rejects with the error the CLI would print. */
const send = (message: string, to = TO) => gateway.rpc("send", { channel: "twilio-sms", to, message, idempotencyKey: randomUUID() });

describe("sending through the gateway", () => {
  it("message send: flattens Markdown and sends exactly one SMS from the configured number, answering with its SID", async () => {
    emulator.reset();
    const result = await send("**Hi** [docs](https://example.com)");
    const messages = emulator.messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: TO, from: FROM, body: "Hi docs (https://example.com)", encoding: "GSM-7", numSegments: 1 });
    expect(JSON.stringify(result)).toContain(messages[0]!.sid);
  });

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
    expect(status).not.toContain(TOKEN);
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
    await sleep(1_500);
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

describe("delivery status callbacks", () => {
  it("folds out-of-order and duplicate callbacks into delivered, rejects a forged one, and shows it in status", async () => {
    emulator.reset();
    await gateway.rpc("send", { channel: "twilio-sms", to: SENDERS[0]!, message: "status please", idempotencyKey: randomUUID() });
    const [message] = emulator.messages;
    expect(message!.statusCallback).toBe(webhookUrl);

    expect(await emulator.sendStatusCallback(message!.sid, "delivered")).toBeLessThan(300);
    expect(await emulator.sendStatusCallback(message!.sid, "sent")).toBeLessThan(300);
    expect(await emulator.sendStatusCallback(message!.sid, "delivered")).toBeLessThan(300);
    const forged = await postTwilioWebhook({
      url: webhookUrl,
      authToken: "not-the-token",
      params: { MessageSid: message!.sid, SmsSid: message!.sid, MessageStatus: "failed", ErrorCode: "30008", AccountSid: ACCOUNT_SID },
    });
    expect(forged.status).toBe(403);

    const entry = await channelStatus();
    expect(entry).toContain(message!.sid);
    expect(entry).toMatch(new RegExp(`"sid":"${message!.sid}","status":"delivered","errorCode":null,"conflicted":false`));
  }, 120_000);
});

describe("probe", () => {
  it("flags a number whose webhook differs from publicUrl, and passes when they match", async () => {
    emulator.setSmsUrl(FROM, "https://old.example.com/sms", "POST");
    const bad = await channelStatus(true);
    expect(bad).toMatch(/not POST http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/webhook/);
    expect(bad).toMatch(/set \\"A message comes in\\" to Webhook, HTTP POST/);

    emulator.setSmsUrl(FROM, webhookUrl, "POST");
    const good = await channelStatus(true);
    expect(good).toMatch(/Twilio posts inbound texts to http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/webhook/);
    expect(good).toMatch(/no 11200 webhook errors in the last 24 h/);
    expect(good).not.toMatch(/FAIL|"ok":false/);

    emulator.addAlert({ requestUrl: webhookUrl });
    const alerted = await channelStatus(true);
    expect(alerted).toMatch(/could not deliver 1 webhook\(s\) in the last 24 h \(11200\)/);
  }, 120_000);
});

describe("config hot reload", () => {
  it("moves the route when webhookPath changes, without a gateway restart", async () => {
    const pid = gateway.pid();
    const movedUrl = `${gateway.baseUrl}/twilio-sms/moved`;
    await editChannelConfig(gateway, (section) => {
      section.webhookPath = "/twilio-sms/moved";
      section.publicUrl = movedUrl;
    });
    const params = () => buildInboundSmsParams({ accountSid: ACCOUNT_SID, from: SENDERS[1]!, to: FROM, body: "moved?" });
    await until("the new path to answer", async () => {
      const response = await postTwilioWebhook({ url: movedUrl, authToken: TOKEN, params: params() });
      return response.status === 200 ? true : undefined;
    });
    const seen: number[] = [];
    await until(
      "the old path to answer 404",
      async () => {
        const old = await postTwilioWebhook({ url: webhookUrl, authToken: TOKEN, params: params() });
        seen.push(old.status);
        return old.status === 404 ? true : undefined;
      },
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the old path answered ${[...new Set(seen)].join(", ")}`);
    });
    expect(gateway.pid()).toBe(pid);
  }, 90_000);
});
