// Nothing lost, in a real gateway: the inbound journal across a crash, delivery
// status callbacks, the Twilio-side probe and webhookPath hot reload.
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
const turnsFor = (text: string) => model.requests.filter((request) => request === text).length;

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
      holdTurns: true,
    }),
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
});

describe("inbound journal", () => {
  it("every text acknowledged before a kill -9 gets exactly one turn and one reply after the restart", async () => {
    const bodies = SENDERS.flatMap((sender, i) => [`journal ${i}a`, `journal ${i}b`].map((body) => ({ sender, body })));
    for (const { sender, body } of bodies) {
      const response = await emulator.sendInboundSms({ webhookUrl, from: sender, to: FROM, body });
      expect(response.status).toBe(200);
    }
    await sleep(1_000);
    expect(model.requests).toHaveLength(0);

    await gateway.kill();
    await editChannelConfig(gateway, (section) => {
      delete section.holdTurns;
    });
    await gateway.restart();
    await emulator.waitForMessages(bodies.length, { timeoutMs: 120_000 });
    for (const { body } of bodies) expect(turnsFor(body), body).toBe(1);

    await gateway.restart();
    await sleep(3_000);
    for (const { body } of bodies) expect(turnsFor(body), body).toBe(1);
    expect(emulator.messages).toHaveLength(bodies.length);
    const replied = emulator.messages.map((message) => `${message.to} ${message.body.split("\n")[0]}`).sort();
    expect(replied).toEqual(bodies.map(({ sender, body }) => `${sender} Echo: ${body}`).sort());
  }, 300_000);
});

describe("delivery status callbacks", () => {
  it("folds out-of-order and duplicate callbacks into delivered, rejects a forged one, and shows it in status", async () => {
    emulator.reset();
    const sent = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", SENDERS[0]!, "--message", "status please"]);
    expect(sent.code, sent.stderr).toBe(0);
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

    const status = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const text = status.stdout;
    expect(text).toContain(message!.sid);
    const entry = JSON.stringify(JSON.parse(text.slice(text.indexOf("{"))));
    expect(entry).toMatch(new RegExp(`"sid":"${message!.sid}","status":"delivered","errorCode":null,"conflicted":false`));
  }, 120_000);
});

describe("probe", () => {
  it("flags a number whose webhook differs from publicUrl, and passes when they match", async () => {
    emulator.setSmsUrl(FROM, "https://old.example.com/sms", "POST");
    const bad = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--probe", "--json"]);
    expect(bad.stdout + bad.stderr).toMatch(/not POST http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/webhook/);
    expect(bad.stdout + bad.stderr).toMatch(/set \\?"A message comes in\\?" to Webhook, HTTP POST/);

    emulator.setSmsUrl(FROM, webhookUrl, "POST");
    const good = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--probe", "--json"]);
    expect(good.stdout).toMatch(/Twilio posts inbound texts to http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/webhook/);
    expect(good.stdout).toMatch(/no 11200 webhook errors in the last 24 h/);
    expect(good.stdout).not.toMatch(/FAIL|"ok":\s*false/);

    emulator.addAlert({ requestUrl: webhookUrl });
    const alerted = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--probe", "--json"]);
    expect(alerted.stdout).toMatch(/could not deliver 1 webhook\(s\) in the last 24 h \(11200\)/);
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
