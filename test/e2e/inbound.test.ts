// Inbound in a real gateway: signed webhooks from the Twilio emulator → plugin
// route → admission → agent turn (deterministic model) → SMS reply. Status
// codes, replays, budgets and backlog caps are proven in-process at the route
// boundary (test/webhook/route.boundary.test.ts); this file keeps what needs
// the real host: pairing, proxies, opt-outs, failed turns, a flood, reloads.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import { approvePairingCode } from "../../sandbox/pairing.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";

const ACCOUNT_SID = `AC${"a".repeat(32)}`;
const TOKEN = "e2e-inbound-token-0123456789abcd";
const FROM = "+15550001111";
const PROXIED_FROM = "+15550002222";
// A proxy forwards the same path; publicUrl must end in the account's webhookPath.
const PUBLIC_URL = "https://sms.example.com/twilio-sms/proxied";
const ALLOWED = "+15551230002";
const BURST = "+15551230003";
const STRANGER = "+15551230004";
const STOPPER = "+15551230005";
const FLATTENED_ECHO = (text: string) => `Echo: ${text}\n\n- item one\n- see docs (https://example.com)`;

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let webhookUrl: string;
let proxiedUrl: string;

const turnsFor = (text: string) => model.requests.filter((request) => request === text).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM, PROXIED_FROM] }] });
  model = await startModelServer();
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    modelUrl: model.url,
    channelConfig: {
      accountSid: ACCOUNT_SID,
      authToken: TOKEN,
      fromNumber: FROM,
      apiBaseUrl: emulator.url,
      allowFrom: [ALLOWED, BURST, STOPPER],
      limits: { messagesPerMinutePerSender: 10, maxConcurrentTurns: 2 },
      accounts: { proxied: { fromNumber: PROXIED_FROM, webhookPath: "/twilio-sms/proxied", publicUrl: PUBLIC_URL } },
    },
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
  proxiedUrl = `${gateway.baseUrl}/twilio-sms/proxied`;
});

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
});

describe("pairing", () => {
  it("sends one pairing code; after approval the next text reaches the agent and the reply arrives as plain SMS", async () => {
    emulator.reset();
    const first = await emulator.sendInboundSms({ webhookUrl, from: STRANGER, to: FROM, body: "hi, who is this?" });
    expect(first.status).toBe(200);
    const [pairingSms] = await emulator.waitForMessages(1, { to: STRANGER, timeoutMs: 30_000 });
    const code = /Pairing code: (\S+)/.exec(pairingSms!.body)?.[1];
    expect(code, pairingSms!.body).toBeTruthy();
    expect(pairingSms!.body).toContain(`openclaw pairing approve twilio-sms ${code}`);

    await emulator.sendInboundSms({ webhookUrl, from: STRANGER, to: FROM, body: "hello?" });
    await sleep(1_500);
    expect(emulator.messages.filter((message) => message.to === STRANGER)).toHaveLength(1);
    expect(turnsFor("hi, who is this?") + turnsFor("hello?")).toBe(0);

    // What `openclaw pairing approve twilio-sms <code>` does, over the gateway's RPC.
    const approve = await approvePairingCode(gateway.rpc, "twilio-sms", emulator.messages, code!);
    expect(approve, approve.output).toMatchObject({ ok: true });
    const [, approved] = await emulator.waitForMessages(2, { to: STRANGER, timeoutMs: 30_000 });
    expect(approved!.body).toMatch(/^You're approved/);

    await emulator.sendInboundSms({ webhookUrl, from: STRANGER, to: FROM, body: "hello" });
    const messages = await emulator.waitForMessages(3, { to: STRANGER, timeoutMs: 60_000 });
    expect(turnsFor("hello")).toBe(1);
    expect(messages[2]).toMatchObject({ from: FROM, body: FLATTENED_ECHO("hello") });
  }, 120_000);
});

describe("signatures behind a proxy", () => {
  it("accepts a webhook signed over publicUrl and rejects a spoofed X-Forwarded-Host", async () => {
    emulator.reset();
    const good = await emulator.sendInboundSms({ webhookUrl: proxiedUrl, signUrl: PUBLIC_URL, from: ALLOWED, to: PROXIED_FROM, body: "via the proxy" });
    expect(good.status).toBe(200);
    const [reply] = await emulator.waitForMessages(1, { to: ALLOWED, timeoutMs: 60_000 });
    expect(reply).toMatchObject({ from: PROXIED_FROM, body: FLATTENED_ECHO("via the proxy") });

    // Signed over the host a proxy would claim, for the account with publicUrl and for the one without.
    const spoofHost = (url: string, to: string) =>
      emulator.sendInboundSms({
        webhookUrl: url,
        signUrl: `https://evil.example${new URL(url).pathname}`,
        headers: { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
        from: ALLOWED,
        to,
        body: "spoofed host",
      });
    expect((await spoofHost(proxiedUrl, PROXIED_FROM)).status).toBe(403);
    expect((await spoofHost(webhookUrl, FROM)).status).toBe(403);
    expect(turnsFor("spoofed host")).toBe(0);
  }, 90_000);
});

describe("opt-out keywords", () => {
  it("STOP starts no turn and blocks later sends; START allows them again", async () => {
    emulator.reset();
    const stop = await emulator.sendInboundSms({ webhookUrl, from: STOPPER, to: FROM, body: "STOP" });
    expect(stop.status).toBe(200);
    await sleep(2_000);
    expect(turnsFor("STOP")).toBe(0);

    const send = (message: string) => gateway.rpc("send", { channel: "twilio-sms", to: STOPPER, message, idempotencyKey: randomUUID() });
    await expect(send("are you there?")).rejects.toThrow(/has opted out \(texted STOP\)/);
    expect(emulator.requests.filter((request) => request.method === "POST")).toHaveLength(0);

    await emulator.sendInboundSms({ webhookUrl, from: STOPPER, to: FROM, body: "START" });
    await sleep(2_000);
    expect(turnsFor("START")).toBe(0);
    await send("welcome back");
    expect(emulator.messages.map((message) => [message.to, message.body])).toEqual([[STOPPER, "welcome back"]]);
  }, 90_000);
});

describe("turns that cannot answer normally", () => {
  it("a media-only MMS whose link is not this message's still reaches the agent, with a note", async () => {
    emulator.reset();
    const before = model.requests.length;
    const response = await emulator.sendInboundSms({ webhookUrl, from: ALLOWED, to: FROM, body: "", numMedia: 1, mediaUrls: ["https://api.twilio.com/media/ME1"] });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: ALLOWED, timeoutMs: 60_000 });
    const turns = model.requests.slice(before);
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatch(/\[1 (picture|attachment) could not be downloaded \(not from this message\)\]/);
  }, 90_000);

  it("a failed turn gets the sender one short message instead of silence", async () => {
    emulator.reset();
    model.failNext(1, { status: 400 });
    const response = await emulator.sendInboundSms({ webhookUrl, from: ALLOWED, to: FROM, body: "this turn will fail" });
    expect(response.status).toBe(200);
    const [notice] = await emulator.waitForMessages(1, { to: ALLOWED, timeoutMs: 60_000 });
    expect(notice!.body).not.toContain("Echo:");
    expect(notice!.body.length).toBeLessThan(200);
    await sleep(3_000);
    expect(emulator.messages.filter((message) => message.to === ALLOWED)).toHaveLength(1);
  }, 90_000);
});

describe("a flood from one sender", () => {
  it("300 signed webhooks in a few seconds: health answers throughout, turns stay within the caps, no crash", async () => {
    emulator.reset();
    const turnsBefore = model.requests.length;
    let healthy = 0;
    let unhealthy = 0;
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const response = await fetch(`${gateway.baseUrl}/readyz`).catch(() => undefined);
        if (response?.ok) healthy += 1;
        else unhealthy += 1;
        await sleep(100);
      }
    })();
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => emulator.sendInboundSms({ webhookUrl, from: BURST, to: FROM, body: `flood ${batch * 30 + i}` })),
      );
      statuses.push(...results.map((result) => result.status));
    }
    flooding = false;
    await probe;
    const accepted = statuses.filter((status) => status === 200).length;
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(accepted).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(290);
    expect(unhealthy).toBe(0);
    expect(healthy).toBeGreaterThan(0);
    await emulator.waitForMessages(accepted, { to: BURST, timeoutMs: 120_000 });
    expect(model.requests.length - turnsBefore).toBe(accepted);
    const ready = await fetch(`${gateway.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  }, 180_000);
});

describe("config hot reload", () => {
  it("editing one named account restarts only that account", async () => {
    emulator.reset();
    const from = gateway.logs().length;
    await editChannelConfig(gateway, (section) => {
      (section.accounts as Record<string, Record<string, unknown>>).proxied!.helpReply = "Text STOP to opt out.";
    });
    await gateway.waitForLog(/\[twilio-sms:proxied\] listening on \/twilio-sms\/proxied/, 30_000, { from });
    await sleep(2_000);
    expect(gateway.logs().slice(from)).not.toMatch(/\[twilio-sms:default\] listening on/);
    const response = await emulator.sendInboundSms({ webhookUrl, from: ALLOWED, to: FROM, body: "still here" });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: ALLOWED, timeoutMs: 60_000 });
  }, 90_000);
});
