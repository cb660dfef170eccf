// Texts and pictures in and out, in one real gateway (one boot for all of it,
// because each boot and its first agent turn cost 40-60 CPU-seconds):
// - inbound: signed webhooks from the Twilio emulator → plugin route →
//   admission → agent turn (deterministic model) → SMS reply. Status codes,
//   replays, budgets and backlog caps are proven in-process at the route
//   boundary (test/webhook/route.boundary.test.ts); this file keeps what needs
//   the real host: pairing, proxies, opt-outs, failed turns, a flood, reloads;
// - MMS on its own account: a picture texted in reaches the model as an image
//   (credentials never reach the CDN), and the agent's picture reply and
//   `openclaw message send --media` go out as an MMS whose files the emulator
//   fetches from the plugin's own hosted links (several files in ONE message).
//   Refusal reasons (oversize, wrong type, foreign redirect) are proven
//   in-process in test/media/inbound.test.ts;
// - every way to give the Auth Token: the TWILIO_AUTH_TOKEN fallback (the
//   root account), a plain string, authTokenFile, an env SecretRef and a file
//   SecretRef. Each account is its own Twilio account with its own token, so
//   a text is only answered and a send only accepted when that account's
//   token really resolved. Then the host's secrets commands: `secrets audit`
//   flags the plain-text token, and `secrets reload` puts a changed SecretRef
//   value to work;
// - on the "send" account, the gateway's `send` RPC (what `openclaw message
//   send` calls; the CLI itself runs once, with --media) → plugin → Twilio
//   emulator: flattening, splitting, targets, status, segment cost and
//   failures that must not double-send; delivery status callbacks, the
//   Twilio-side probe and a webhookPath hot reload (last: it moves the route).
// The journal across a kill -9 is in lifecycle.test.ts.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildInboundSmsParams, postTwilioWebhook, startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { approvePairingCode } from "../../sandbox/pairing.ts";
import { GIF, PNG, png, sha256 } from "../support/pictures.ts";
import { accountStatus, waitForIdleQueue } from "./support/channel-status.ts";
import { sendRpc } from "./support/send.ts";
import { until } from "./support/until.ts";

// The root ("default") account: its token comes from TWILIO_AUTH_TOKEN.
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

type Source = { account: string; sid: string; token: string; from: string; path: string; sender: string };

const sid = (digit: string) => `AC${digit.repeat(32)}`;
const SOURCES: Source[] = [
  { account: "default", sid: ACCOUNT_SID, token: TOKEN, from: FROM, path: "/twilio-sms/webhook", sender: "+15551239001" },
  { account: "plain", sid: sid("2"), token: "plain-string-token-000000000002", from: "+15550003002", path: "/twilio-sms/plain", sender: "+15551239002" },
  { account: "file", sid: sid("3"), token: "token-file-token-00000000000003", from: "+15550003003", path: "/twilio-sms/file", sender: "+15551239003" },
  { account: "envref", sid: sid("4"), token: "env-secretref-token-0000000004", from: "+15550003004", path: "/twilio-sms/envref", sender: "+15551239004" },
  { account: "fileref", sid: sid("5"), token: "file-secretref-token-000000005", from: "+15550003005", path: "/twilio-sms/fileref", sender: "+15551239005" },
];
// The "send" account: its own Twilio account, its number registered (a
// verified A2P campaign) so a probe can pass as a whole, and its token in a
// file, so the secrets audit's one plain-text finding stays the "plain" account's.
const SEND_SID = `AC${"e".repeat(32)}`;
const SEND_TOKEN = "e2e-send-token-0123456789abcdef";
const SEND_FROM = "+15550001112";
const SEND_TO = "+15551230001";
const SEND_SENDERS = ["+15551240001", "+15551240002", "+15551240003"];
const SEND_PATH = "/twilio-sms/send";
const bySource = (account: string) => SOURCES.find((source) => source.account === account)!;

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let secretsDir: string;
let secretsJson: string;
let webhookUrl: string;
let proxiedUrl: string;
let mmsUrl: string;
let sendUrl: string;

const turnsFor = (text: string) => model.requests.filter((request) => request === text).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The gateway's `send` RPC on the twilio-sms channel (what `openclaw message send` calls), resent only after OpenClaw's state-lock refusal. */
const sendOverRpc = (params: Record<string, unknown>) => sendRpc(gateway.rpc, { channel: "twilio-sms", ...params }, () => emulator.messages.length);

beforeAll(async () => {
  emulator = await startTwilioEmulator({
    accounts: [
      { accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM, PROXIED_FROM] },
      { accountSid: MMS_SID, authToken: MMS_TOKEN, phoneNumbers: [MMS_FROM] },
      { accountSid: OTHER_SID, authToken: "e2e-mms-other-token-0123456789ab", phoneNumbers: ["+15550004444"] },
      ...SOURCES.filter((source) => source.account !== "default").map((source) => ({ accountSid: source.sid, authToken: source.token, phoneNumbers: [source.from] })),
      {
        accountSid: SEND_SID,
        authToken: SEND_TOKEN,
        phoneNumbers: [SEND_FROM],
        messagingServices: [{ sid: `MG${"9".repeat(32)}`, phoneNumbers: [SEND_FROM], campaignStatus: "VERIFIED" }],
      },
    ],
  });
  model = await startModelServer();
  secretsDir = await mkdtemp(join(tmpdir(), "twilio-sms-secrets-"));
  const tokenFile = (name: string, token: string) => writeFile(join(secretsDir, name), `${token}\n`, { mode: 0o600 }).then(() => join(secretsDir, name));
  const fileToken = await tokenFile("auth-token", bySource("file").token);
  const sendTokenFile = await tokenFile("send-token", SEND_TOKEN);
  const mmsTokenFile = await tokenFile("mms-token", MMS_TOKEN);
  // The env fallback is the root account's alone; the proxied account shares its Twilio account.
  const proxiedTokenFile = await tokenFile("proxied-token", TOKEN);
  secretsJson = join(secretsDir, "secrets.json");
  await writeFile(secretsJson, JSON.stringify({ twilio: { fileref: bySource("fileref").token } }), { mode: 0o600 });
  await chmod(secretsDir, 0o700);

  const account = (source: Source, token: Record<string, unknown>) => ({
    accountSid: source.sid,
    fromNumber: source.from,
    webhookPath: source.path,
    allowFrom: [source.sender],
    ...token,
  });
  const cdnHost = new URL(emulator.cdnOrigin).hostname;
  gateway = await startGateway({
    pluginDir: inject("pluginDir"),
    modelUrl: model.url,
    modelInput: ["text", "image"],
    // Many accounts and a secrets provider: start-up is slower than other files' on a busy machine.
    startTimeoutMs: 300_000,
    gatewayEnv: { TWILIO_AUTH_TOKEN: TOKEN, TWILIO_SMS_ENVREF_TOKEN: bySource("envref").token },
    extraConfig: {
      secrets: { providers: { vault: { source: "file", path: secretsJson, mode: "json" } } },
      // TWILIO_AUTH_TOKEN in the environment makes the host offer (and try to
      // download) the official `sms` plugin; an operator who picked this one says no.
      plugins: { entries: { sms: { enabled: false } } },
    },
    channelConfig: ({ baseUrl }) => ({
      accountSid: ACCOUNT_SID,
      fromNumber: FROM,
      apiBaseUrl: emulator.url,
      allowFrom: [ALLOWED, BURST, STOPPER, bySource("default").sender],
      limits: { messagesPerMinutePerSender: 10, maxConcurrentTurns: 2 },
      accounts: {
        proxied: { fromNumber: PROXIED_FROM, webhookPath: "/twilio-sms/proxied", publicUrl: PUBLIC_URL, authTokenFile: proxiedTokenFile },
        mms: {
          accountSid: MMS_SID,
          authTokenFile: mmsTokenFile,
          fromNumber: MMS_FROM,
          webhookPath: MMS_PATH,
          allowFrom: [HANDSET, FORGER],
          mediaCdnHosts: [cdnHost],
          // The emulator fetches hosted files over loopback, like Twilio would over the tunnel.
          publicUrl: `${baseUrl}${MMS_PATH}`,
        },
        plain: account(bySource("plain"), { authToken: bySource("plain").token }),
        file: account(bySource("file"), { authTokenFile: fileToken }),
        envref: account(bySource("envref"), { authToken: { source: "env", provider: "default", id: "TWILIO_SMS_ENVREF_TOKEN" } }),
        fileref: account(bySource("fileref"), { authToken: { source: "file", provider: "vault", id: "/twilio/fileref" } }),
        send: {
          accountSid: SEND_SID,
          authTokenFile: sendTokenFile,
          fromNumber: SEND_FROM,
          webhookPath: SEND_PATH,
          publicUrl: `${baseUrl}${SEND_PATH}`,
          allowFrom: SEND_SENDERS,
        },
      },
    }),
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
  proxiedUrl = `${gateway.baseUrl}/twilio-sms/proxied`;
  mmsUrl = `${gateway.baseUrl}${MMS_PATH}`;
  sendUrl = `${gateway.baseUrl}${SEND_PATH}`;
}, 600_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
  if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
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
    // Handled before the approval, or it would be answered as an approved sender's text.
    await waitForIdleQueue(gateway.rpc, "default");
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

    const send = (message: string) => sendOverRpc({ to: STOPPER, message });
    await expect(send("are you there?")).rejects.toThrow(/has opted out \(texted STOP\)/);
    expect(emulator.requests.filter((request) => request.method === "POST")).toHaveLength(0);

    await emulator.sendInboundSms({ webhookUrl, from: STOPPER, to: FROM, body: "START" });
    await send("welcome back");
    expect(emulator.messages.map((message) => [message.to, message.body])).toEqual([[STOPPER, "welcome back"]]);

    // Neither keyword started a turn: one sender's texts run in order, so once the
    // next text is answered, a turn for either would have reached the model first.
    // (Waiting for the answer also keeps it from landing in the next test.)
    await emulator.sendInboundSms({ webhookUrl, from: STOPPER, to: FROM, body: "after the keywords" });
    await emulator.waitForMessages(2, { timeoutMs: 60_000 });
    expect(emulator.messages[1]).toMatchObject({ to: STOPPER, body: FLATTENED_ECHO("after the keywords") });
    expect(turnsFor("after the keywords")).toBe(1);
    expect(turnsFor("STOP")).toBe(0);
    expect(turnsFor("START")).toBe(0);
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
    // Its turn, retries included, is over: nothing more can come of it.
    await waitForIdleQueue(gateway.rpc, "default");
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
    /** When the default and the proxied account last started, from one status read. */
    const startTimes = async () => {
      const status = await gateway.rpc("channels.status", { channel: "twilio-sms" });
      return ["default", "proxied"].map((id) => accountStatus(status, id)?.lastStartAt as number);
    };
    const [defaultStart, proxiedStart] = await startTimes();
    expect([defaultStart, proxiedStart]).toEqual([expect.any(Number), expect.any(Number)]);
    const from = gateway.logs().length;
    await editChannelConfig(gateway, (section) => {
      (section.accounts as Record<string, Record<string, unknown>>).proxied!.helpReply = "Text STOP to opt out.";
    });
    await gateway.waitForLog(/\[twilio-sms:proxied\] listening on \/twilio-sms\/proxied/, 30_000, { from });
    const [defaultNow, proxiedNow] = await startTimes();
    expect(proxiedNow).toBeGreaterThan(proxiedStart!);
    // The default account kept running through the reload, and answers a text sent after it.
    expect(defaultNow).toBe(defaultStart);
    const response = await emulator.sendInboundSms({ webhookUrl, from: ALLOWED, to: FROM, body: "still here" });
    expect(response.status).toBe(200);
    await emulator.waitForMessages(1, { to: ALLOWED, timeoutMs: 60_000 });
    expect(gateway.logs().slice(from)).not.toMatch(/\[twilio-sms:default\] listening on/);
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
    await until("the link to answer 404", async () => ((await fetch(get!.url, { method: "HEAD" })).status === 404 ? true : undefined));
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
    const result = await sendOverRpc({ accountId: "mms", to: HANDSET, message: "album", mediaUrls });
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

describe("each token source starts its account", () => {
  it.each(SOURCES.map((source) => [source.account, source] as const))("%s: an inbound text is answered", { timeout: 200_000 }, async (_name, source) => {
    const inbound = await emulator.sendInboundSms({ webhookUrl: `${gateway.baseUrl}${source.path}`, from: source.sender, to: source.from, body: `hello ${source.account}` });
    expect(inbound.status, inbound.body).toBe(200);
    // The first agent turns of a fresh gateway are slow on a busy machine.
    const [reply] = await emulator.waitForMessages(1, { to: source.sender, timeoutMs: 180_000 });
    // Accepted (signature checked with this account's token) and answered through Twilio with it.
    expect(reply).toMatchObject({ accountSid: source.sid, from: source.from });
  });

  it("message send goes out from each account", async () => {
    const target = "+15551238888";
    for (const source of SOURCES) {
      const message = `from ${source.account}`;
      // The gateway's `send` RPC (what `message send --account` calls) resolves the account's token.
      await sendOverRpc({ accountId: source.account, to: target, message });
      const sent = emulator.messages.filter((message) => message.to === target && message.body === `from ${source.account}`);
      expect(sent, source.account).toHaveLength(1);
      expect(sent[0]).toMatchObject({ accountSid: source.sid, from: source.from });
    }
  });

  it("the token never reaches the gateway log", () => {
    for (const token of [...SOURCES.map((source) => source.token), SEND_TOKEN, MMS_TOKEN]) expect(gateway.logs()).not.toContain(token);
  });
});

describe("the host's secrets commands", () => {
  it("secrets audit flags the plain-text token, and only that one, without printing it", { timeout: 150_000 }, async () => {
    const result = await gateway.cli(["secrets", "audit", "--check"], { timeoutMs: 120_000 });
    const out = result.stdout + result.stderr;
    expect(result.code, out).not.toBe(0);
    const ours = out.split("\n").filter((line) => line.includes("PLAINTEXT_FOUND") && line.includes("twilio-sms"));
    expect(ours, out).toHaveLength(1);
    expect(ours[0]).toMatch(/accounts\.plain\.authToken/);
    for (const source of SOURCES) expect(out).not.toContain(source.token);
  });

  it("secrets reload puts a changed SecretRef value to work in the running account", { timeout: 300_000 }, async () => {
    const source = bySource("fileref");
    const rotated = "file-secretref-rotated-00000099";
    // HELP is answered by Twilio itself (no helpReply), so a webhook the account accepts sends nothing.
    const help = (authToken: string) =>
      postTwilioWebhook({
        url: `${gateway.baseUrl}${source.path}`,
        authToken,
        params: buildInboundSmsParams({ accountSid: source.sid, from: source.sender, to: source.from, body: "HELP" }),
      });
    expect((await help(rotated)).status).toBe(403);

    const original = await readFile(secretsJson, "utf8");
    try {
      await writeFile(secretsJson, JSON.stringify({ twilio: { fileref: rotated } }), { mode: 0o600 });
      // What `openclaw secrets reload` calls.
      await gateway.rpc("secrets.reload", {});
      // The account picks the new value up when it restarts with the new snapshot; wait for that, bounded,
      // and slowly: more than 30 refused webhooks a minute from one address would be answered 429.
      const deadline = Date.now() + 120_000;
      let status = (await help(rotated)).status;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        status = (await help(rotated)).status;
      }
      expect(status).toBe(200);
      expect((await help(source.token)).status).toBe(403);
      expect(gateway.logs()).not.toContain(rotated);
    } finally {
      await writeFile(secretsJson, original, { mode: 0o600 });
      await gateway.rpc("secrets.reload", {});
    }
  });
});

/**
 * The "send" account's entry in `openclaw channels status [--probe] --json`, over the
 * gateway's RPC (the other accounts' probes fail: no publicUrl, no campaign).
 */
const sendAccountStatus = async (probe = false) =>
  JSON.stringify(accountStatus(await gateway.rpc("channels.status", { channel: "twilio-sms", probe }), "send"));

/** Sends through the gateway like `openclaw message send`; rejects with the error the CLI would print. */
const send = (message: string, to = SEND_TO) => sendOverRpc({ accountId: "send", to, message });

describe("sending through the gateway", () => {
  it("message send: flattens Markdown and sends exactly one SMS from the configured number, answering with its SID", async () => {
    emulator.reset();
    const result = await send("**Hi** [docs](https://example.com)");
    const messages = emulator.messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: SEND_TO, from: SEND_FROM, body: "Hi docs (https://example.com)", encoding: "GSM-7", numSegments: 1 });
    expect(JSON.stringify(result)).toContain(messages[0]!.sid);
  });

  it("accepts the twilio: prefix", async () => {
    emulator.reset();
    await send("prefixed", `twilio:${SEND_TO}`);
    expect(emulator.messages.map((message) => [message.to, message.body])).toEqual([[SEND_TO, "prefixed"]]);
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
    expect(status).not.toContain(SEND_TOKEN);
    expect(status).not.toContain(SEND_FROM);
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
    expect(error.message).not.toContain(SEND_TO);
    // One request, counted once the send has failed. Nothing sends it again later: the plugin's retries end
    // when the send returns, and OpenClaw's delivery queue retries a failed send only when the plugin marks it
    // as never dispatched (PlatformMessageNotDispatchedError), which this plugin does not.
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
    await sendOverRpc({ accountId: "send", to: SEND_SENDERS[0]!, message: "status please" });
    const [message] = emulator.messages;
    expect(message!.statusCallback).toBe(sendUrl);

    expect(await emulator.sendStatusCallback(message!.sid, "delivered")).toBeLessThan(300);
    expect(await emulator.sendStatusCallback(message!.sid, "sent")).toBeLessThan(300);
    expect(await emulator.sendStatusCallback(message!.sid, "delivered")).toBeLessThan(300);
    const forged = await postTwilioWebhook({
      url: sendUrl,
      authToken: "not-the-token",
      params: { MessageSid: message!.sid, SmsSid: message!.sid, MessageStatus: "failed", ErrorCode: "30008", AccountSid: SEND_SID },
    });
    expect(forged.status).toBe(403);

    const entry = await sendAccountStatus();
    expect(entry).toContain(message!.sid);
    expect(entry).toMatch(new RegExp(`"sid":"${message!.sid}","status":"delivered","errorCode":null,"conflicted":false`));
  }, 120_000);
});

describe("probe", () => {
  it("flags a number whose webhook differs from publicUrl, and passes when they match", async () => {
    emulator.setSmsUrl(SEND_FROM, "https://old.example.com/sms", "POST");
    const bad = await sendAccountStatus(true);
    expect(bad).toMatch(/not POST http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/send/);
    expect(bad).toMatch(/set \\"A message comes in\\" to Webhook, HTTP POST/);

    emulator.setSmsUrl(SEND_FROM, sendUrl, "POST");
    const good = await sendAccountStatus(true);
    expect(good).toMatch(/Twilio posts inbound texts to http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/send/);
    expect(good).toMatch(/no 11200 webhook errors in the last 24 h/);
    expect(good).not.toMatch(/FAIL|"ok":false/);

    emulator.addAlert({ accountSid: SEND_SID, requestUrl: sendUrl });
    const alerted = await sendAccountStatus(true);
    expect(alerted).toMatch(/could not deliver 1 webhook\(s\) in the last 24 h \(11200\)/);
  }, 120_000);
});

describe("webhookPath hot reload", () => {
  it("moves the route when webhookPath changes, without a gateway restart", async () => {
    const pid = gateway.pid();
    const movedUrl = `${gateway.baseUrl}/twilio-sms/moved`;
    await editChannelConfig(gateway, (section) => {
      const account = (section.accounts as Record<string, Record<string, unknown>>).send!;
      account.webhookPath = "/twilio-sms/moved";
      account.publicUrl = movedUrl;
    });
    const params = () => buildInboundSmsParams({ accountSid: SEND_SID, from: SEND_SENDERS[1]!, to: SEND_FROM, body: "moved?" });
    await until("the new path to answer", async () => {
      const response = await postTwilioWebhook({ url: movedUrl, authToken: SEND_TOKEN, params: params() });
      return response.status === 200 ? true : undefined;
    });
    const seen: number[] = [];
    await until(
      "the old path to answer 404",
      async () => {
        const old = await postTwilioWebhook({ url: sendUrl, authToken: SEND_TOKEN, params: params() });
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
