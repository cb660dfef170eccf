// The journal as the queue, in a real gateway: 50 queued texts survive a kill -9
// and are each answered once; two accounts on one path and one Twilio account
// each see their own status callbacks; 16 config reloads with texts in flight
// lose none, answer none twice and never make the host force a retirement. One gateway for all three, to keep npm test fast.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { accountStatus } from "./support/channel-status.ts";

const ACCOUNT_SID = `AC${"9".repeat(32)}`;
const TOKEN = "e2e-queue-token-0123456789abcdef";
const FROM_A = "+15550009001";
const FROM_B = "+15550009002";
const SENDERS = Array.from({ length: 10 }, (_, i) => `+1555125${String(i).padStart(4, "0")}`);
const QUEUED = 50;

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let webhookUrl: string;
let rootDir: string | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A text that waited over 2 minutes reaches the model after a one-line "sent N minutes ago" note.
const turnsFor = (text: string) => model.requests.filter((request) => request === text || request.endsWith(`\n${text}`)).length;
/** Replies to `to` that echo `text` (the echo may start with the late note on a line of its own). */
const answersTo = (to: string, text: string) =>
  emulator.messages.filter((message) => message.to === to && message.body.split("\n").some((line) => line === `Echo: ${text}` || line === text)).length;

beforeAll(async () => {
  // Its own folder, removed in afterAll: a kill -9 and restarts must find their state where they left it.
  rootDir = await mkdtemp(join(tmpdir(), "twilio-sms-queue-e2e-"));
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM_A, FROM_B] }] });
  model = await startModelServer();
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    modelUrl: model.url,
    rootDir,
    // The gateway shares a busy CI box; a slow start is not what this file tests.
    startTimeoutMs: 300_000,
    channelConfig: ({ baseUrl }) => ({
      accountSid: ACCOUNT_SID,
      authToken: TOKEN,
      fromNumber: FROM_A,
      apiBaseUrl: emulator.url,
      publicUrl: `${baseUrl}/twilio-sms/webhook`,
      allowFrom: SENDERS,
      holdTurns: true,
      // Account "b" shares the path, the Twilio account and its token; only its number differs.
      accounts: { b: { fromNumber: FROM_B, publicUrl: `${baseUrl}/twilio-sms/webhook` } },
    }),
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
}, 480_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
  if (rootDir && process.env.KEEP_E2E_STATE !== "1") await rm(rootDir, { recursive: true, force: true, maxRetries: 3 });
});

describe("status callbacks with two accounts on one path and one Twilio account", () => {
  it("each account's callbacks land in its own delivery status", async () => {
    emulator.reset();
    // Over the gateway's RPC (what `message send` calls): the CLI is not what this tests.
    const sendAs = (accountId: string, message: string) =>
      gateway.rpc("send", { channel: "twilio-sms", accountId, to: SENDERS[0]!, message, idempotencyKey: randomUUID() });
    await sendAs("default", "from account a");
    await sendAs("b", "from account b");
    const messageA = emulator.messages.find((message) => message.from === FROM_A)!;
    const messageB = emulator.messages.find((message) => message.from === FROM_B)!;
    expect(messageA.statusCallback).toBe(webhookUrl);
    expect(messageB.statusCallback).toBe(webhookUrl);

    expect(await emulator.sendStatusCallback(messageB.sid, "delivered")).toBe(204);
    expect(await emulator.sendStatusCallback(messageA.sid, "undelivered", { errorCode: 30003 })).toBe(204);

    const json = await gateway.rpc("channels.status", { channel: "twilio-sms" });
    const a = JSON.stringify(accountStatus(json, "default"));
    const b = JSON.stringify(accountStatus(json, "b"));
    expect(a).toContain(`"sid":"${messageA.sid}","status":"undelivered","errorCode":30003`);
    expect(a).not.toContain(messageB.sid);
    expect(b).toContain(`"sid":"${messageB.sid}","status":"delivered"`);
    expect(b).not.toContain(messageA.sid);
  }, 120_000);
});

describe("a crash with texts queued", () => {
  it(`${QUEUED} texts acknowledged before a kill -9 are each answered exactly once after the restart`, async () => {
    emulator.reset();
    const texts = Array.from({ length: QUEUED }, (_, i) => ({ from: SENDERS[i % SENDERS.length]!, body: `queued text ${i}` }));
    const statuses = await Promise.all(texts.map(({ from, body }) => emulator.sendInboundSms({ webhookUrl, from, to: FROM_A, body })));
    expect(statuses.map((response) => response.status)).toEqual(Array(QUEUED).fill(200));
    expect(model.requests.filter((request) => request.startsWith("queued text"))).toHaveLength(0);

    await gateway.kill();
    await editChannelConfig(gateway, (section) => {
      delete section.holdTurns;
    });
    await gateway.restart();
    await emulator.waitForMessages(QUEUED, { timeoutMs: 180_000 });
    for (const { body } of texts) expect(turnsFor(body), body).toBe(1);
    for (const { from, body } of texts) expect(answersTo(from, body), body).toBe(1);

    // Restarting the account afterwards runs nothing again: a config reload
    // restarts it through the same resume-from-journal path as a gateway start.
    const before = gateway.logs().length;
    await editChannelConfig(gateway, (section) => {
      section.name = "queue after the crash";
    });
    await gateway.waitForLog(/\[twilio-sms:default\] listening on \/twilio-sms\/webhook/, 60_000, { from: before });
    await sleep(3_000);
    expect(gateway.logs().slice(before)).not.toMatch(/resuming \d+ text/);
    expect(emulator.messages).toHaveLength(QUEUED);
    for (const { body } of texts) expect(turnsFor(body), body).toBe(1);
  }, 300_000);
});

describe("config reloads", () => {
  it("16 consecutive reloads, with texts in flight, lose no text, answer none twice and never force a retirement", async () => {
    emulator.reset();
    const firstReload = gateway.logs().length;
    const bodies: string[] = [];
    for (let reload = 0; reload < 16; reload += 1) {
      const before = gateway.logs().length;
      const body = `during reload ${reload}`;
      bodies.push(body);
      const response = await emulator.sendInboundSms({ webhookUrl, from: SENDERS[reload % SENDERS.length]!, to: FROM_A, body });
      expect(response.status).toBe(200);
      await editChannelConfig(gateway, (section) => {
        section.name = `queue reload ${reload}`;
      });
      await gateway.waitForLog(/\[twilio-sms:default\] listening on \/twilio-sms\/webhook/, 60_000, { from: before });
    }
    await emulator.waitForMessages(bodies.length, { timeoutMs: 120_000 });
    // A late duplicate would show up within a few seconds of the last answer.
    await sleep(6_000);
    for (const body of bodies) expect(turnsFor(body), body).toBe(1);
    expect(emulator.messages).toHaveLength(bodies.length);
    // The host gives a retiring plugin instance 5 s to finish its calls and clean up.
    expect(gateway.logs().slice(firstReload)).not.toMatch(/forced retirement|still has active calls/);
  }, 600_000);
});
