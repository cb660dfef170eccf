// Pictures both ways in a real gateway, with the emulator as Twilio: an MMS
// texted in reaches the model as an image (credentials never reach the CDN),
// and `message send --media` goes out as an MMS whose file the emulator fetches
// from the plugin's own hosted link. Refusal reasons (oversize, wrong type,
// foreign redirect) are proven in-process in test/media/inbound.test.ts.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";

const ACCOUNT_SID = `AC${"c".repeat(32)}`;
const TOKEN = "e2e-mms-token-0123456789abcdefgh";
const OTHER_SID = `AC${"d".repeat(32)}`;
const FROM = "+15550003333";
const HANDSET = "+15551230010";
const WEBHOOK_PATH = "/twilio-sms/webhook";
// A 1×1 transparent PNG.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1c1d1f00000000049454e44ae426082",
  "hex",
);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let webhookUrl: string;

beforeAll(async () => {
  emulator = await startTwilioEmulator({
    accounts: [
      { accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM] },
      { accountSid: OTHER_SID, authToken: "e2e-mms-other-token-0123456789ab", phoneNumbers: ["+15550004444"] },
    ],
  });
  model = await startModelServer();
  const cdnHost = new URL(emulator.cdnOrigin).hostname;
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    modelUrl: model.url,
    modelInput: ["text", "image"],
    startTimeoutMs: 200_000,
    channelConfig: ({ baseUrl }) => ({
      accountSid: ACCOUNT_SID,
      authToken: TOKEN,
      fromNumber: FROM,
      apiBaseUrl: emulator.url,
      allowFrom: [HANDSET],
      mediaCdnHosts: [cdnHost],
      // The emulator fetches hosted files over loopback, like Twilio would over the tunnel.
      publicUrl: `${baseUrl}${WEBHOOK_PATH}`,
    }),
  });
  webhookUrl = `${gateway.baseUrl}${WEBHOOK_PATH}`;
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
});

async function waitFor<T>(read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("inbound MMS", () => {
  it("a picture texted in reaches the model request as an image, and credentials never reach the CDN", async () => {
    emulator.reset();
    const before = model.requests.length;
    const response = await emulator.sendInboundSms({ webhookUrl, from: HANDSET, to: FROM, body: "what is this?", media: [{ contentType: "image/png", bytes: PNG }] });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: HANDSET, timeoutMs: 90_000 });
    expect(model.requests.slice(before)).toHaveLength(1);
    expect(model.requests[before]).toContain("what is this?");
    expect(model.requests[before]).not.toContain("could not be downloaded");
    const images = model.images[before]!;
    expect(images).toHaveLength(1);
    const [, mime, data] = /^data:([^;]+);base64,(.*)$/s.exec(images[0]!) ?? [];
    expect(mime).toBe("image/png");
    expect(sha256(Buffer.from(data!, "base64"))).toBe(sha256(PNG));
    expect(emulator.cdnRequests.length).toBeGreaterThan(0);
    expect(emulator.cdnRequests.every((request) => request.authorization === false)).toBe(true);
  }, 120_000);

  it("a forged webhook naming another account's media URL downloads nothing; the agent is told", async () => {
    emulator.reset();
    const before = model.requests.length;
    const foreign = `${emulator.url}/2010-04-01/Accounts/${OTHER_SID}/Messages/MM${"e".repeat(32)}/Media/ME${"f".repeat(32)}`;
    const response = await emulator.sendInboundSms({ webhookUrl, from: HANDSET, to: FROM, body: "", numMedia: 1, mediaUrls: [foreign] });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: HANDSET, timeoutMs: 90_000 });
    expect(model.requests[before]).toContain("[1 attachment could not be downloaded (not from this message)]");
    expect(model.images[before]).toEqual([]);
    expect(emulator.requests.filter((request) => request.method === "GET" && request.path.includes("/Media/"))).toEqual([]);
    expect(emulator.cdnRequests).toEqual([]);
  }, 120_000);
});
