// Outbound and credentials, in one real gateway with six accounts (one boot):
// - every way to give the Auth Token: a plain string, authTokenFile, the
//   TWILIO_AUTH_TOKEN fallback (default account only), an env SecretRef and a
//   file SecretRef. Each account is its own Twilio account with its own token,
//   so a text is only answered and a send only accepted when that account's
//   token really resolved. Then the host's secrets commands: `secrets audit`
//   flags the plain-text token, and `secrets reload` puts a changed SecretRef
//   value to work;
// - on the "send" account, the gateway's `send` RPC (what `openclaw message
//   send` calls) → plugin → Twilio emulator: flattening, splitting, targets,
//   status, segment cost and failures that must not double-send. The real
//   `openclaw message send` CLI runs in inbound.test.ts (with --media); here
//   the RPC skips its 15 s of start-up;
// - delivery status callbacks, the Twilio-side probe and a webhookPath hot
//   reload (last: it moves the route). The journal across a kill -9 is in queue.test.ts.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildInboundSmsParams, postTwilioWebhook, startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { accountStatus } from "./support/channel-status.ts";

type Source = { account: string; sid: string; token: string; from: string; path: string; sender: string };

const sid = (digit: string) => `AC${digit.repeat(32)}`;
const SOURCES: Source[] = [
  { account: "default", sid: sid("1"), token: "env-fallback-token-000000000001", from: "+15550003001", path: "/twilio-sms/webhook", sender: "+15551239001" },
  { account: "plain", sid: sid("2"), token: "plain-string-token-000000000002", from: "+15550003002", path: "/twilio-sms/plain", sender: "+15551239002" },
  { account: "file", sid: sid("3"), token: "token-file-token-00000000000003", from: "+15550003003", path: "/twilio-sms/file", sender: "+15551239003" },
  { account: "envref", sid: sid("4"), token: "env-secretref-token-0000000004", from: "+15550003004", path: "/twilio-sms/envref", sender: "+15551239004" },
  { account: "fileref", sid: sid("5"), token: "file-secretref-token-000000005", from: "+15550003005", path: "/twilio-sms/fileref", sender: "+15551239005" },
];
// The "send" account: its own Twilio account, its number registered (a
// verified A2P campaign) so a probe can pass as a whole, and its token in a
// file, so the secrets audit's one plain-text finding stays the "plain" account's.
const ACCOUNT_SID = `AC${"e".repeat(32)}`;
const TOKEN = "e2e-send-token-0123456789abcdef";
const FROM = "+15550001111";
const TO = "+15551230001";
const SENDERS = ["+15551240001", "+15551240002", "+15551240003"];
const SEND_PATH = "/twilio-sms/send";
const bySource = (account: string) => SOURCES.find((source) => source.account === account)!;

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let secretsDir: string;
let secretsJson: string;
let webhookUrl: string;

beforeAll(async () => {
  emulator = await startTwilioEmulator({
    accounts: [
      ...SOURCES.map((source) => ({ accountSid: source.sid, authToken: source.token, phoneNumbers: [source.from] })),
      {
        accountSid: ACCOUNT_SID,
        authToken: TOKEN,
        phoneNumbers: [FROM],
        messagingServices: [{ sid: `MG${"9".repeat(32)}`, phoneNumbers: [FROM], campaignStatus: "VERIFIED" }],
      },
    ],
  });
  model = await startModelServer();
  secretsDir = await mkdtemp(join(tmpdir(), "twilio-sms-secrets-"));
  const tokenFile = join(secretsDir, "auth-token");
  await writeFile(tokenFile, `${bySource("file").token}\n`, { mode: 0o600 });
  const sendTokenFile = join(secretsDir, "send-token");
  await writeFile(sendTokenFile, `${TOKEN}\n`, { mode: 0o600 });
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
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    modelUrl: model.url,
    // Five accounts and a secrets provider: start-up is slower than the other suites' on a busy machine.
    startTimeoutMs: 300_000,
    gatewayEnv: { TWILIO_AUTH_TOKEN: bySource("default").token, TWILIO_SMS_ENVREF_TOKEN: bySource("envref").token },
    extraConfig: {
      secrets: { providers: { vault: { source: "file", path: secretsJson, mode: "json" } } },
      // TWILIO_AUTH_TOKEN in the environment makes the host offer (and try to
      // download) the official `sms` plugin; an operator who picked this one says no.
      plugins: { entries: { sms: { enabled: false } } },
    },
    channelConfig: ({ baseUrl }) => ({
      accountSid: bySource("default").sid,
      fromNumber: bySource("default").from,
      apiBaseUrl: emulator.url,
      allowFrom: [bySource("default").sender],
      accounts: {
        plain: account(bySource("plain"), { authToken: bySource("plain").token }),
        file: account(bySource("file"), { authTokenFile: tokenFile }),
        envref: account(bySource("envref"), { authToken: { source: "env", provider: "default", id: "TWILIO_SMS_ENVREF_TOKEN" } }),
        fileref: account(bySource("fileref"), { authToken: { source: "file", provider: "vault", id: "/twilio/fileref" } }),
        send: {
          accountSid: ACCOUNT_SID,
          authTokenFile: sendTokenFile,
          fromNumber: FROM,
          webhookPath: SEND_PATH,
          publicUrl: `${baseUrl}${SEND_PATH}`,
          allowFrom: SENDERS,
        },
      },
    }),
  });
  webhookUrl = `${gateway.baseUrl}${SEND_PATH}`;
}, 600_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await emulator?.close();
  if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
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
      await gateway.rpc("send", { channel: "twilio-sms", accountId: source.account, to: target, message, idempotencyKey: randomUUID() });
      const sent = emulator.messages.filter((message) => message.to === target && message.body === `from ${source.account}`);
      expect(sent, source.account).toHaveLength(1);
      expect(sent[0]).toMatchObject({ accountSid: source.sid, from: source.from });
    }
  });

  it("the token never reaches the gateway log", () => {
    for (const token of [...SOURCES.map((source) => source.token), TOKEN]) expect(gateway.logs()).not.toContain(token);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * The "send" account's entry in `openclaw channels status [--probe] --json`, over the
 * gateway's RPC (the other accounts' probes fail: no publicUrl, no campaign).
 */
const sendAccountStatus = async (probe = false) =>
  JSON.stringify(accountStatus(await gateway.rpc("channels.status", { channel: "twilio-sms", probe }), "send"));

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

/** Sends through the gateway like `openclaw message send`; rejects with the error the CLI would print. */
const send = (message: string, to = TO) => gateway.rpc("send", { channel: "twilio-sms", accountId: "send", to, message, idempotencyKey: randomUUID() });

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
    await gateway.rpc("send", { channel: "twilio-sms", accountId: "send", to: SENDERS[0]!, message: "status please", idempotencyKey: randomUUID() });
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

    const entry = await sendAccountStatus();
    expect(entry).toContain(message!.sid);
    expect(entry).toMatch(new RegExp(`"sid":"${message!.sid}","status":"delivered","errorCode":null,"conflicted":false`));
  }, 120_000);
});

describe("probe", () => {
  it("flags a number whose webhook differs from publicUrl, and passes when they match", async () => {
    emulator.setSmsUrl(FROM, "https://old.example.com/sms", "POST");
    const bad = await sendAccountStatus(true);
    expect(bad).toMatch(/not POST http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/send/);
    expect(bad).toMatch(/set \\"A message comes in\\" to Webhook, HTTP POST/);

    emulator.setSmsUrl(FROM, webhookUrl, "POST");
    const good = await sendAccountStatus(true);
    expect(good).toMatch(/Twilio posts inbound texts to http:\/\/127\.0\.0\.1:\d+\/twilio-sms\/send/);
    expect(good).toMatch(/no 11200 webhook errors in the last 24 h/);
    expect(good).not.toMatch(/FAIL|"ok":false/);

    emulator.addAlert({ accountSid: ACCOUNT_SID, requestUrl: webhookUrl });
    const alerted = await sendAccountStatus(true);
    expect(alerted).toMatch(/could not deliver 1 webhook\(s\) in the last 24 h \(11200\)/);
  }, 120_000);
});

describe("config hot reload", () => {
  it("moves the route when webhookPath changes, without a gateway restart", async () => {
    const pid = gateway.pid();
    const movedUrl = `${gateway.baseUrl}/twilio-sms/moved`;
    await editChannelConfig(gateway, (section) => {
      const account = (section.accounts as Record<string, Record<string, unknown>>).send!;
      account.webhookPath = "/twilio-sms/moved";
      account.publicUrl = movedUrl;
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
