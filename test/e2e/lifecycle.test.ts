// One operator's gateway over its life, in a real OpenClaw (one boot and one
// crash restart for all of it, because each boot costs 25-60 CPU-seconds):
// 1. Install: the packed plugin is published to a loopback ClawHub registry
//    under its package.json name and installed with the documented
//    `openclaw plugins install <openclaw.install.clawhubSpec>`, with a verified sha256.
// 2. Mistakes are never silent: accounts that cannot start say why (one line
//    each) and make the channel fail readiness; status calls them invalid,
//    not "not configured"; doctor lists them with the key and the fix; the
//    probe shows a missing A2P 10DLC registration with its fix in text
//    output, and fails in its JSON. `config validate` needs no gateway: see
//    test/config/config-validate.test.ts.
// 3. The journal as the queue: two accounts on one path and one Twilio
//    account each see their own status callbacks; 50 queued texts survive a
//    kill -9 and are each answered once; 16 config reloads with texts in
//    flight lose none, answer none twice and never force a retirement.
// 4. Last, with the gateway down (OpenClaw refuses to install into a profile a
//    running gateway owns): a release ClawHub flags as malicious is refused
//    before anything is downloaded.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { CliResult, GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import type { ModelServer } from "../../sandbox/model/server.ts";
import { accountStatus, waitForIdleQueue } from "./support/channel-status.ts";
import { sendRpc } from "./support/send.ts";
import { startClawHubRegistry } from "./support/clawhub-registry.ts";
import type { ClawHubRegistry, PublishedRelease } from "./support/clawhub-registry.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; openclaw: { install: { clawhubSpec: string } } };
const SPEC = pkg.openclaw.install.clawhubSpec;
const INSTALL = ["plugins", "install", SPEC, "--force", "--accept-capabilities"];

const ACCOUNT_SID = `AC${"9".repeat(32)}`;
const TOKEN = "e2e-lifecycle-token-0123456789ab";
// The root account's number is in no Messaging Service: an unregistered US 10DLC number.
const FROM_A = "+15550009001";
const FROM_B = "+15550009002";
const UNRESOLVED = "+15550009003";
const OFF_PATH = "+15550009004";
const SENDERS = Array.from({ length: 10 }, (_, i) => `+1555125${String(i).padStart(4, "0")}`);
const QUEUED = 50;

let emulator: TwilioEmulator;
let registry: ClawHubRegistry;
let release: PublishedRelease;
let model: ModelServer;
let gateway: GatewayHandle;
let webhookUrl: string;
let probeText: Promise<CliResult> | undefined;
let doctorRun: Promise<CliResult> | undefined;

const downloads = (from: number) => registry.requests.slice(from).filter((request) => request.endsWith("/artifact/download"));
// A text that waited over 2 minutes reaches the model after a one-line "sent N minutes ago" note.
const turnsFor = (text: string) => model.requests.filter((request) => request === text || request.endsWith(`\n${text}`)).length;
/** Replies to `to` that echo `text` (the echo may start with the late note on a line of its own). */
const answersTo = (to: string, text: string) =>
  emulator.messages.filter((message) => message.to === to && message.body.split("\n").some((line) => line === `Echo: ${text}` || line === text)).length;

// `openclaw channels status --probe` and `openclaw doctor`, each run once
// (a CLI start costs 10-30 s) and started together by the first test that
// reads either, so they overlap each other and the tests in between.
const probeTextOutput = async () => {
  startCliChecks();
  const result = await probeText!;
  return result.stdout + result.stderr;
};
function startCliChecks(): void {
  if (probeText && doctorRun) return;
  probeText = gateway.cli(["channels", "status", "--channel", "twilio-sms", "--probe"], { timeoutMs: 120_000 });
  doctorRun = gateway.cli(["doctor", "--non-interactive"], { timeoutMs: 240_000 });
  // Awaited by their tests; until then a timeout must not count as an unhandled rejection.
  for (const run of [probeText, doctorRun]) run.catch(() => undefined);
}

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM_A, FROM_B, UNRESOLVED] }] });
  registry = await startClawHubRegistry();
  release = await registry.publish(inject("pluginTarball"));
  model = await startModelServer();
  // A fresh profile: `openclaw plugins install <clawhubSpec>` from the
  // registry (its output is gateway.install), then the channel config, then the boot.
  gateway = await startGateway({
    pluginSetup: "install",
    installSpec: SPEC,
    env: { OPENCLAW_CLAWHUB_URL: registry.url },
    modelUrl: model.url,
    // Some accounts are meant to fail, so /readyz never turns 200.
    waitFor: "started",
    // The gateway shares a busy CI box; a slow start is not what this file tests.
    startTimeoutMs: 300_000,
    channelConfig: ({ baseUrl }) => ({
      accountSid: ACCOUNT_SID,
      authToken: TOKEN,
      fromNumber: FROM_A,
      apiBaseUrl: emulator.url,
      publicUrl: `${baseUrl}/twilio-sms/webhook`,
      dmPolicy: "allowlist",
      allowFrom: SENDERS,
      holdTurns: true,
      accounts: {
        // Shares the path, the Twilio account and its token; only its number differs.
        b: { fromNumber: FROM_B, publicUrl: `${baseUrl}/twilio-sms/webhook` },
        // Same path and same number as the root: texts could not be told apart.
        clash: { fromNumber: FROM_A, publicUrl: `${baseUrl}/twilio-sms/webhook` },
        unresolved: {
          fromNumber: UNRESOLVED,
          webhookPath: "/twilio-sms/unresolved",
          authToken: { source: "env", provider: "default", id: "TWILIO_SMS_NOT_EXPORTED" },
        },
        nosender: { webhookPath: "/twilio-sms/nosender" },
        // publicUrl's path is not the account's webhookPath: JSON Schema cannot compare the two.
        offpath: { fromNumber: OFF_PATH, webhookPath: "/twilio-sms/offpath", publicUrl: `${baseUrl}/twilio-sms/other` },
      },
    }),
  });
  webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
}, 900_000);

afterAll(async () => {
  await gateway?.stop();
  await model?.close();
  await registry?.close();
  await emulator?.close();
});

describe("openclaw plugins install from ClawHub", () => {
  it("publishes under the name the declared spec asks for", () => {
    expect(SPEC).toBe(`clawhub:${pkg.name}`);
    expect(release.name).toBe(pkg.name);
  });

  it("installs the packed plugin with a verified sha256, loads it, and starts the channel", async () => {
    // The install ran in beforeAll, the same command as INSTALL.
    const result = gateway.install!;
    const output = result.stdout + result.stderr;
    expect(result.code, output).toBe(0);
    expect(output).toContain(`Package   ${release.name}@${release.version}`);
    expect(output).toContain("Outcome: Safe");
    expect(output).toContain("Installed plugin: twilio-sms");
    expect(downloads(0)).toHaveLength(1);

    await gateway.waitForLog(/\[twilio-sms:default\] listening on \/twilio-sms\/webhook/, 120_000);
    // What `openclaw plugins inspect twilio-sms` reads, over the running gateway's RPC.
    const report = (await gateway.rpc("plugins.inspect", { pluginId: "twilio-sms" })) as Record<string, Record<string, unknown>>;
    const shown = JSON.stringify({ ...report, overview: undefined });
    expect(report.plugin, shown).toMatchObject({ id: "twilio-sms", version: release.version, installed: true, enabled: true });
    expect(report.declared, shown).toMatchObject({ channels: ["twilio-sms"] });
    // The recorded integrity is the ClawHub artifact's sha256, the one the install verified.
    expect(report.source, shown).toMatchObject({
      kind: "clawhub",
      spec: SPEC,
      packageName: pkg.name,
      integrity: `sha256-${Buffer.from(release.sha256, "hex").toString("base64")}`,
    });
    expect(report.trust, shown).toMatchObject({ disposition: "clean" });

    const status = await gateway.rpc("channels.status", { channel: "twilio-sms" });
    expect(accountStatus(status, "default"), JSON.stringify(status)).toMatchObject({ running: true });
    expect(accountStatus(status, "b"), JSON.stringify(status)).toMatchObject({ running: true });
  }, 1_200_000);
});

describe("an account that cannot start is never silent", () => {
  it("logs one [twilio-sms:<id>] line with the reason and the key to fix", async () => {
    startCliChecks();
    await gateway.waitForLog(/\[twilio-sms:clash\] invalid config, not started: .*channels\.twilio-sms\.accounts\.clash\.webhookPath .*give channels\.twilio-sms\.accounts\.clash\.webhookPath its own path/, 120_000);
    await gateway.waitForLog(/\[twilio-sms:nosender\] invalid config, not started: channels\.twilio-sms\.accounts\.nosender\.fromNumber is not set/, 120_000);
    await gateway.waitForLog(
      /\[twilio-sms:offpath\] invalid config, not started: channels\.twilio-sms\.accounts\.offpath\.publicUrl ends in \/twilio-sms\/other but the gateway listens on \/twilio-sms\/offpath/,
      120_000,
    );
  }, 150_000);

  it("an env SecretRef that cannot resolve: the gateway parks the account and says so", async () => {
    // The host's secrets runtime isolates the account before the plugin runs (so no plugin line),
    // names the key in its log, and status reports the account as failing, not "not configured".
    await gateway.waitForLog(/SECRETS_OWNER_UNAVAILABLE.*channels\.twilio-sms\.accounts\.unresolved\.authToken/, 120_000);
    const out = await probeTextOutput();
    expect(out).toMatch(/twilio-sms unresolved: .*configured but unavailable/);
    expect(out).not.toMatch(/unresolved.*not configured/);
  }, 150_000);

  it("/readyz reports the channel as failing", async () => {
    const response = await fetch(`${gateway.baseUrl}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { failing?: string[] };
    expect(body.failing).toContain("twilio-sms");
  });

  it("status calls the accounts invalid, with the reason, never 'not configured'", async () => {
    // What `channels status --json` prints, over the gateway's RPC.
    const payload = await gateway.rpc("channels.status", { channel: "twilio-sms" });
    const text = JSON.stringify(payload);
    for (const id of ["clash", "nosender", "offpath"]) {
      const account = accountStatus(payload, id);
      expect(account?.configured, id).toBe(true);
      expect(String(account?.lastError ?? ""), id).toMatch(/^invalid config, not started: channels\.twilio-sms\.accounts\./);
    }
    expect(text).not.toContain(UNRESOLVED);
  }, 150_000);
});

describe("the probe shows a missing A2P 10DLC registration", () => {
  it("text output names the failed check and its fix", async () => {
    const out = await probeTextOutput();
    expect(out).toMatch(/deliverability: \+1\*+9001 is not in any Messaging Service, so it has no A2P 10DLC campaign; US carriers block texts from unregistered 10DLC numbers \(error 30034\)/);
    expect(out).toMatch(/register a brand and campaign in Twilio Console → Messaging → Regulatory compliance → A2P 10DLC/);
    expect(out).not.toContain(FROM_A);
  }, 150_000);

  it("the JSON output, on stdout alone, marks the probe failed (the command's exit code cannot)", async () => {
    const result = await gateway.cli(["channels", "status", "--channel", "twilio-sms", "--probe", "--json"], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    const root = accountStatus(JSON.parse(result.stdout), "default") as { probe?: { ok?: boolean } } | undefined;
    expect(root?.probe?.ok).toBe(false);
  }, 150_000);
});

describe("doctor", () => {
  it("lists each account that cannot start with the key and the fix, including the mistakes config validate cannot see", async () => {
    startCliChecks();
    const result = await doctorRun!;
    // Doctor wraps its notes in a box; join the wrapped lines back into sentences.
    const out = (result.stdout + result.stderr).replace(/\s*│\s*/g, " ").replace(/\s+/g, " ");
    expect(out).toMatch(/twilio-sms account "clash" cannot start: channels\.twilio-sms\.accounts\.clash\.webhookPath .*give channels\.twilio-sms\.accounts\.clash\.webhookPath its own path/);
    expect(out).toMatch(
      /twilio-sms account "offpath" cannot start: channels\.twilio-sms\.accounts\.offpath\.publicUrl ends in \/twilio-sms\/other but the gateway listens on \/twilio-sms\/offpath; set channels\.twilio-sms\.accounts\.offpath\.publicUrl to /,
    );
    expect(out).not.toContain(OFF_PATH);
  }, 300_000);
});

describe("status callbacks with two accounts on one path and one Twilio account", () => {
  it("each account's callbacks land in its own delivery status", async () => {
    emulator.reset();
    // Over the gateway's RPC (what `message send` calls): the CLI is not what this tests.
    const sendAs = (accountId: string, message: string) =>
      sendRpc(gateway.rpc, { channel: "twilio-sms", accountId, to: SENDERS[0]!, message }, () => emulator.messages.length);
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
    const restart = gateway.logs().length;
    await gateway.restart();
    // The resume line comes before the account's "listening" line (the reload below relies on that order).
    await gateway.waitForLog(/\[twilio-sms:default\] listening on/, 120_000, { from: restart });
    const sinceRestart = gateway.logs().slice(restart);
    const resumedAt = sinceRestart.indexOf(`[twilio-sms:default] resuming ${QUEUED} text(s) acknowledged before the last stop`);
    expect(resumedAt, sinceRestart).toBeGreaterThanOrEqual(0);
    expect(resumedAt).toBeLessThan(sinceRestart.indexOf("[twilio-sms:default] listening on"));
    await emulator.waitForMessages(QUEUED, { timeoutMs: 180_000 });
    for (const { body } of texts) expect(turnsFor(body), body).toBe(1);
    for (const { from, body } of texts) expect(answersTo(from, body), body).toBe(1);

    // Restarting the account afterwards runs nothing again: a config reload
    // restarts it through the same resume-from-journal path as a gateway start,
    // which logs what it resumes before its "listening" line.
    const before = gateway.logs().length;
    await editChannelConfig(gateway, (section) => {
      section.name = "queue after the crash";
    });
    await gateway.waitForLog(/\[twilio-sms:default\] listening on \/twilio-sms\/webhook/, 60_000, { from: before });
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
    // A duplicate could only come from a turn still queued or running (a text a
    // restart resumed from the journal): once the account reports none, no
    // further answer can be sent.
    await waitForIdleQueue(gateway.rpc, "default");
    for (const body of bodies) expect(turnsFor(body), body).toBe(1);
    expect(emulator.messages).toHaveLength(bodies.length);
    // The host gives a retiring plugin instance 5 s to finish its calls and clean up.
    expect(gateway.logs().slice(firstReload)).not.toMatch(/forced retirement|still has active calls/);
  }, 600_000);
});

describe("a release ClawHub flags as malicious", () => {
  it("stops before downloading anything and leaves the installed plugin alone", async () => {
    // OpenClaw refuses to install into a state dir that a running gateway owns.
    await gateway.kill();
    const installed = join(gateway.stateDir, "extensions", "twilio-sms", "package.json");
    const before = statSync(installed).mtimeMs;
    registry.setTrust(release.name, release.version, { scanStatus: "malicious", reasons: ["static:malicious"] }, "Static analysis found a credential stealer.");
    const from = registry.requests.length;
    const result = await gateway.cli(INSTALL, { timeoutMs: 300_000 });
    const output = result.stdout + result.stderr;
    expect(result.code, output).not.toBe(0);
    // For a blocked release OpenClaw's message is its audit box, not the error line.
    expect(output).toContain("ClawHub Security Audit");
    expect(output).toContain("Outcome: Blocked");
    expect(output).not.toContain("Installed plugin");
    expect(output).toContain("Static analysis found a credential stealer.");
    expect(registry.requests.slice(from).some((request) => request.endsWith("/security"))).toBe(true);
    expect(downloads(from)).toEqual([]);
    expect(statSync(installed).mtimeMs).toBe(before);
  }, 600_000);
});
