// Inbound texts and pictures both ways, in one real gateway (one boot for
// both): signed webhooks from the Twilio emulator → plugin route → admission
// → agent turn (deterministic model) → SMS reply. Status codes, replays,
// budgets and backlog caps are proven in-process at the route boundary
// (test/webhook/route.boundary.test.ts); this file keeps what needs the real
// host: pairing, proxies, opt-outs, failed turns, a flood, reloads, and MMS on
// its own account: a picture texted in reaches the model as an image
// (credentials never reach the CDN), and the agent's picture reply and
// `message send --media` go out as an MMS whose files the emulator fetches
// from the plugin's own hosted links (several files in ONE message). Refusal
// reasons (oversize, wrong type, foreign redirect) are proven in-process in
// test/media/inbound.test.ts.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import { approvePairingCode } from "../../sandbox/pairing.ts";
import { GIF, PNG, png, sha256 } from "../support/pictures.ts";
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
// The MMS account: its own Twilio account, number and path; OTHER_SID is a
// second Twilio account whose media a forged webhook names.
const MMS_SID = `AC${"c".repeat(32)}`;
const MMS_TOKEN = "e2e-mms-token-0123456789abcdefgh";
const OTHER_SID = `AC${"d".repeat(32)}`;
const MMS_FROM = "+15550003333";
const MMS_PATH = "/twilio-sms/mms";
const HANDSET = "+15551230010";
// Its own session, so no earlier picture is in its history.
const FORGER = "+15551230011";
const FLATTENED_ECHO = (text: string) => `Echo: ${text}\n\n- item one\n- see docs (https://example.com)`;

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let webhookUrl: string;
let proxiedUrl: string;
let mmsUrl: string;

const turnsFor = (text: string) => model.requests.filter((request) => request === text).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  emulator = await startTwilioEmulator({
    accounts: [
      { accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM, PROXIED_FROM] },
      { accountSid: MMS_SID, authToken: MMS_TOKEN, phoneNumbers: [MMS_FROM] },
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
      allowFrom: [ALLOWED, BURST, STOPPER],
      limits: { messagesPerMinutePerSender: 10, maxConcurrentTurns: 2 },
      accounts: {
        proxied: { fromNumber: PROXIED_FROM, webhookPath: "/twilio-sms/proxied", publicUrl: PUBLIC_URL },
        mms: {
          accountSid: MMS_SID,
          authToken: MMS_TOKEN,
          fromNumber: MMS_FROM,
          webhookPath: MMS_PATH,
          allowFrom: [HANDSET, FORGER],
          mediaCdnHosts: [cdnHost],
          // The emulator fetches hosted files over loopback, like Twilio would over the tunnel.
          publicUrl: `${baseUrl}${MMS_PATH}`,
        },
      },
    }),
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
  proxiedUrl = `${gateway.baseUrl}/twilio-sms/proxied`;
  mmsUrl = `${gateway.baseUrl}${MMS_PATH}`;
}, 360_000);

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

describe("inbound MMS", () => {
  it("a picture texted in reaches the model request as an image, credentials never reach the CDN, and the picture the agent sends back is one MMS", async () => {
    emulator.reset();
    // The test model names each picture of the turn on a MEDIA: line of its reply, the host's way for a reply to carry a file.
    model.echoPictures(join(gateway.stateDir, "media", "echo"));
    const before = model.requests.length;
    const response = await emulator.sendInboundSms({ webhookUrl: mmsUrl, from: HANDSET, to: MMS_FROM, body: "what is this?", media: [{ contentType: "image/png", bytes: PNG }] });
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
    const response = await emulator.sendInboundSms({ webhookUrl: mmsUrl, from: FORGER, to: MMS_FROM, body: "", numMedia: 1, mediaUrls: [foreign] });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: FORGER, timeoutMs: 90_000 });
    expect(model.requests[before]).toMatch(/\[1 (picture|attachment) could not be downloaded \(not from this message\)\]/);
    expect(model.images[before]).toEqual([]);
    expect(emulator.requests.filter((request) => request.method === "GET" && request.path.includes("/Media/"))).toEqual([]);
    expect(emulator.cdnRequests).toEqual([]);
  }, 120_000);
});

/** Under the state dir's media folder: local files there are ones the host lets a send read. */
async function outgoingFolder(): Promise<string> {
  const folder = join(gateway.stateDir, "media", "outgoing");
  await mkdir(folder, { recursive: true });
  return folder;
}

describe("outbound MMS", () => {
  it("message send --media: the emulator fetches exactly the file's bytes and type from the plugin's link; the SID is MM…", async () => {
    emulator.reset();
    const file = join(await outgoingFolder(), "chart.png");
    await writeFile(file, PNG);
    const result = await gateway.cli(["message", "send", "--channel", "twilio-sms", "--account", "mms", "--target", HANDSET, "--media", file, "--message", "chart"], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const [message] = emulator.messages;
    expect(emulator.messages).toHaveLength(1);
    expect(message).toMatchObject({ to: HANDSET, from: MMS_FROM, body: "chart" });
    expect(message!.sid).toMatch(/^MM[0-9a-f]{32}$/);
    const get = message!.mediaFetches.find((fetch) => fetch.method === "GET");
    expect(get).toMatchObject({ status: 200, contentType: "image/png", size: PNG.length, sha256: sha256(PNG) });
    expect(get!.url.startsWith(`${mmsUrl}/media/`)).toBe(true);
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
    const folder = await outgoingFolder();
    const red = png({ width: 2, height: 2, rgba: [255, 0, 0, 255] });
    const files = [
      { name: "one.png", bytes: PNG, type: "image/png" },
      { name: "two.gif", bytes: GIF, type: "image/gif" },
      { name: "three.png", bytes: red, type: "image/png" },
    ];
    for (const file of files) await writeFile(join(folder, file.name), file.bytes);
    // The gateway's send RPC, which `message send --media a --media b` calls (the CLI itself ran above).
    const mediaUrls = files.map((file) => join(folder, file.name));
    const result = await gateway.rpc("send", { channel: "twilio-sms", accountId: "mms", to: HANDSET, message: "album", mediaUrls, idempotencyKey: randomUUID() });
    expect(emulator.messages).toHaveLength(1);
    const [message] = emulator.messages;
    expect(message).toMatchObject({ to: HANDSET, from: MMS_FROM, body: "album" });
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
