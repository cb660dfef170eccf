// Every way to give the Auth Token, in one real gateway with five accounts:
// a plain string, authTokenFile, the TWILIO_AUTH_TOKEN fallback (default
// account only), an env SecretRef and a file SecretRef. Each account is its
// own Twilio account with its own token, so a text is only answered and a
// send only accepted when that account's token really resolved. Then the
// host's secrets commands against the same gateway: `secrets audit` flags the
// plain-text token, and `secrets reload` puts a changed SecretRef value to work.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildInboundSmsParams, postTwilioWebhook, startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";

type Source = { account: string; sid: string; token: string; from: string; path: string; sender: string };

const sid = (digit: string) => `AC${digit.repeat(32)}`;
const SOURCES: Source[] = [
  { account: "default", sid: sid("1"), token: "env-fallback-token-000000000001", from: "+15550003001", path: "/twilio-sms/webhook", sender: "+15551239001" },
  { account: "plain", sid: sid("2"), token: "plain-string-token-000000000002", from: "+15550003002", path: "/twilio-sms/plain", sender: "+15551239002" },
  { account: "file", sid: sid("3"), token: "token-file-token-00000000000003", from: "+15550003003", path: "/twilio-sms/file", sender: "+15551239003" },
  { account: "envref", sid: sid("4"), token: "env-secretref-token-0000000004", from: "+15550003004", path: "/twilio-sms/envref", sender: "+15551239004" },
  { account: "fileref", sid: sid("5"), token: "file-secretref-token-000000005", from: "+15550003005", path: "/twilio-sms/fileref", sender: "+15551239005" },
];
const bySource = (account: string) => SOURCES.find((source) => source.account === account)!;

let emulator: TwilioEmulator;
let model: ModelServer;
let gateway: GatewayHandle;
let secretsDir: string;
let secretsJson: string;

beforeAll(async () => {
  emulator = await startTwilioEmulator({
    accounts: SOURCES.map((source) => ({ accountSid: source.sid, authToken: source.token, phoneNumbers: [source.from] })),
  });
  model = await startModelServer();
  secretsDir = await mkdtemp(join(tmpdir(), "twilio-sms-secrets-"));
  const tokenFile = join(secretsDir, "auth-token");
  await writeFile(tokenFile, `${bySource("file").token}\n`, { mode: 0o600 });
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
    channelConfig: {
      accountSid: bySource("default").sid,
      fromNumber: bySource("default").from,
      apiBaseUrl: emulator.url,
      allowFrom: [bySource("default").sender],
      accounts: {
        plain: account(bySource("plain"), { authToken: bySource("plain").token }),
        file: account(bySource("file"), { authTokenFile: tokenFile }),
        envref: account(bySource("envref"), { authToken: { source: "env", provider: "default", id: "TWILIO_SMS_ENVREF_TOKEN" } }),
        fileref: account(bySource("fileref"), { authToken: { source: "file", provider: "vault", id: "/twilio/fileref" } }),
      },
    },
  });
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
    for (const source of SOURCES) expect(gateway.logs()).not.toContain(source.token);
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
