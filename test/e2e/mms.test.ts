// Pictures both ways in a real gateway, with the emulator as Twilio: an MMS
// texted in reaches the model as an image (credentials never reach the CDN),
// the agent's picture reply and `message send --media` go out as an MMS whose
// files the emulator fetches from the plugin's own hosted links (several files
// in ONE message). Refusal reasons (oversize, wrong type,
// foreign redirect) are proven in-process in test/media/inbound.test.ts.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { GIF, PNG, png, sha256 } from "../support/pictures.ts";

const ACCOUNT_SID = `AC${"c".repeat(32)}`;
const TOKEN = "e2e-mms-token-0123456789abcdefgh";
const OTHER_SID = `AC${"d".repeat(32)}`;
const FROM = "+15550003333";
const HANDSET = "+15551230010";
// Its own session, so no earlier picture is in its history.
const FORGER = "+15551230011";
const WEBHOOK_PATH = "/twilio-sms/webhook";

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
    startTimeoutMs: 300_000,
    channelConfig: ({ baseUrl }) => ({
      accountSid: ACCOUNT_SID,
      authToken: TOKEN,
      fromNumber: FROM,
      apiBaseUrl: emulator.url,
      allowFrom: [HANDSET, FORGER],
      mediaCdnHosts: [cdnHost],
      // The emulator fetches hosted files over loopback, like Twilio would over the tunnel.
      publicUrl: `${baseUrl}${WEBHOOK_PATH}`,
    }),
  });
  webhookUrl = `${gateway.baseUrl}${WEBHOOK_PATH}`;
}, 360_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
});

describe("inbound MMS", () => {
  it("a picture texted in reaches the model request as an image, credentials never reach the CDN, and the picture the agent sends back is one MMS", async () => {
    emulator.reset();
    // The test model names each picture of the turn on a MEDIA: line of its reply, the host's way for a reply to carry a file.
    model.echoPictures(join(gateway.stateDir, "media", "echo"));
    const before = model.requests.length;
    const response = await emulator.sendInboundSms({ webhookUrl, from: HANDSET, to: FROM, body: "what is this?", media: [{ contentType: "image/png", bytes: PNG }] });
    expect(response.status).toBe(200);
    const [reply] = await emulator.waitForMessages(1, { to: HANDSET, timeoutMs: 90_000 });
    const diagnosis = () => `reply: ${reply?.body}\n${gateway.logs().split("\n").filter((line) => /twilio|media|image|error/i.test(line)).slice(-30).join("\n")}`;
    expect(model.requests.slice(before), diagnosis()).toHaveLength(1);
    expect(model.requests[before]).toContain("what is this?");
    expect(model.requests[before]).not.toContain("could not be downloaded");
    const images = model.images[before]!;
    expect(images).toHaveLength(1);
    const [, mime, data] = /^data:([^;]+);base64,(.*)$/s.exec(images[0]!) ?? [];
    expect(mime).toBe("image/png");
    expect(sha256(Buffer.from(data!, "base64"))).toBe(sha256(PNG));
    expect(emulator.cdnRequests.length).toBeGreaterThan(0);
    expect(emulator.cdnRequests.every((request) => request.authorization === false)).toBe(true);

    // The reply: the agent's text and its picture in one MMS, fetched from the plugin's link byte for byte.
    expect(emulator.messages.filter((message) => message.to === HANDSET), diagnosis()).toHaveLength(1);
    expect(reply!.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(reply!.body).toContain("Echo: what is this?");
    expect(reply!.body).not.toContain("MEDIA:");
    expect(reply!.mediaUrls).toHaveLength(1);
    expect(reply!.mediaFetches.find((fetch) => fetch.method === "GET")).toMatchObject({ status: 200, contentType: "image/png", sha256: sha256(PNG) });
    model.echoPictures(undefined);
  }, 120_000);

  it("a forged webhook naming another account's media URL downloads nothing; the agent is told", async () => {
    emulator.reset();
    const before = model.requests.length;
    const foreign = `${emulator.url}/2010-04-01/Accounts/${OTHER_SID}/Messages/MM${"e".repeat(32)}/Media/ME${"f".repeat(32)}`;
    const response = await emulator.sendInboundSms({ webhookUrl, from: FORGER, to: FROM, body: "", numMedia: 1, mediaUrls: [foreign] });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: FORGER, timeoutMs: 90_000 });
    expect(model.requests[before]).toMatch(/\[1 (picture|attachment) could not be downloaded \(not from this message\)\]/);
    expect(model.images[before]).toEqual([]);
    expect(emulator.requests.filter((request) => request.method === "GET" && request.path.includes("/Media/"))).toEqual([]);
    expect(emulator.cdnRequests).toEqual([]);
  }, 120_000);
});

describe("outbound MMS", () => {
  it("message send --media: the emulator fetches exactly the file's bytes and type from the plugin's link; the SID is MM…", async () => {
    emulator.reset();
    // Under the state dir's media folder: a local file the host lets a send read.
    const folder = join(gateway.stateDir, "media", "outgoing");
    await mkdir(folder, { recursive: true });
    const file = join(folder, "chart.png");
    await writeFile(file, PNG);
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--target", HANDSET, "--media", file, "--message", "chart"], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const [message] = emulator.messages;
    expect(emulator.messages).toHaveLength(1);
    expect(message).toMatchObject({ to: HANDSET, from: FROM, body: "chart" });
    expect(message!.sid).toMatch(/^MM[0-9a-f]{32}$/);
    const get = message!.mediaFetches.find((fetch) => fetch.method === "GET");
    expect(get).toMatchObject({ status: 200, contentType: "image/png", size: PNG.length, sha256: sha256(PNG) });
    expect(get!.url.startsWith(`${gateway.baseUrl}${WEBHOOK_PATH}/media/`)).toBe(true);
    expect(result.stdout).toContain(message!.sid);

    // A changed token is unknown: 404, nothing served.
    const url = new URL(get!.url);
    const token = url.pathname.split("/").pop()!;
    const tampered = `${url.origin}${url.pathname.slice(0, -token.length)}${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const refused = await fetch(tampered);
    expect(refused.status).toBe(404);
    expect((await refused.arrayBuffer()).byteLength).toBeLessThan(200);

    // The link works until the message is final, then it is revoked.
    expect((await fetch(get!.url, { method: "HEAD" })).status).toBe(200);
    expect(await emulator.sendStatusCallback(message!.sid, "delivered")).toBe(204);
    const gone = await waitForStatus(get!.url, 404, 30_000);
    expect(gone).toBe(404);
  }, 180_000);
});

describe("outbound MMS with several files", () => {
  it("a send with three files: ONE MMS with three MediaUrls and the text, each file fetched with its exact bytes and type", async () => {
    emulator.reset();
    const folder = join(gateway.stateDir, "media", "outgoing");
    await mkdir(folder, { recursive: true });
    const red = png({ width: 2, height: 2, rgba: [255, 0, 0, 255] });
    const files = [
      { name: "one.png", bytes: PNG, type: "image/png" },
      { name: "two.gif", bytes: GIF, type: "image/gif" },
      { name: "three.png", bytes: red, type: "image/png" },
    ];
    for (const file of files) await writeFile(join(folder, file.name), file.bytes);
    // The gateway's send RPC, which `message send --media a --media b` calls (the CLI itself ran above).
    const mediaUrls = files.map((file) => join(folder, file.name));
    const result = await gateway.rpc("send", { channel: "twilio-sms", to: HANDSET, message: "album", mediaUrls, idempotencyKey: randomUUID() });
    expect(emulator.messages).toHaveLength(1);
    const [message] = emulator.messages;
    expect(message).toMatchObject({ to: HANDSET, from: FROM, body: "album" });
    expect(message!.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(message!.mediaUrls).toHaveLength(3);
    const gets = message!.mediaUrls.map((url) => message!.mediaFetches.find((fetch) => fetch.url === url && fetch.method === "GET"));
    expect(gets.map((get) => [get?.status, get?.contentType, get?.size, get?.sha256])).toEqual(
      files.map((file) => [200, file.type, file.bytes.length, sha256(file.bytes)]),
    );
    expect(JSON.stringify(result)).toContain(message!.sid);
  }, 180_000);
});

async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await fetch(url, { method: "HEAD" })).status;
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}
