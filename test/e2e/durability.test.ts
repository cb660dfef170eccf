// Nothing lost, in a real gateway: delivery status callbacks, the Twilio-side
// probe and webhookPath hot reload. The journal across a kill -9 is in queue.test.ts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildInboundSmsParams, postTwilioWebhook, startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";

const ACCOUNT_SID = `AC${"d".repeat(32)}`;
const TOKEN = "e2e-durable-token-0123456789abcd";
const FROM = "+15550003333";
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
