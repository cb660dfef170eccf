// Mistakes are never silent, in a real gateway: accounts that cannot start say
// why (one line each) and make the channel fail readiness; status calls them
// invalid, not "not configured"; doctor lists them with the key and the fix;
// the probe shows a missing A2P 10DLC registration with its fix in text
// output, and fails in its JSON. `config validate` needs no gateway: see
// test/config/config-validate.test.ts.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startGateway } from "../../sandbox/gateway/runner.ts";
import type { CliResult, GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { accountStatus } from "./support/channel-status.ts";

const SID = `AC${"8".repeat(32)}`;
const TOKEN = "mistakes-token-0000000000000000";
const GOOD = "+15550005001";
const CLASH = "+15550005002";
const UNRESOLVED = "+15550005003";
const NO_SENDER_PATH = "/twilio-sms/nosender";
const OFF_PATH = "+15550005004";

let emulator: TwilioEmulator;
let gateway: GatewayHandle;
let probeText: Promise<CliResult> | undefined;

// `openclaw channels status --probe`, run once (each CLI start costs 10-30 s)
// and read by every test that checks what the user sees in it.
const probeTextOutput = async () => {
  const result = await (probeText ??= gateway.cli(["channels", "status", "--channel", "twilio-sms", "--probe"], { timeoutMs: 120_000 }));
  return result.stdout + result.stderr;
};

beforeAll(async () => {
  // GOOD is in no Messaging Service: an unregistered US 10DLC number.
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: SID, authToken: TOKEN, phoneNumbers: [GOOD, CLASH, UNRESOLVED] }] });
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    // Some accounts are meant to fail, so /readyz never turns 200.
    waitFor: "started",
    startTimeoutMs: 300_000,
    channelConfig: ({ baseUrl }) => ({
      accountSid: SID,
      authToken: TOKEN,
      apiBaseUrl: emulator.url,
      fromNumber: GOOD,
      publicUrl: `${baseUrl}/twilio-sms/webhook`,
      dmPolicy: "allowlist",
      accounts: {
        // Same path and same number as the root: texts could not be told apart.
        clash: { fromNumber: GOOD, publicUrl: `${baseUrl}/twilio-sms/webhook` },
        unresolved: {
          fromNumber: UNRESOLVED,
          webhookPath: "/twilio-sms/unresolved",
          authToken: { source: "env", provider: "default", id: "TWILIO_SMS_NOT_EXPORTED" },
        },
        nosender: { webhookPath: NO_SENDER_PATH },
        // publicUrl's path is not the account's webhookPath: JSON Schema cannot compare the two.
        offpath: { fromNumber: OFF_PATH, webhookPath: "/twilio-sms/offpath", publicUrl: `${baseUrl}/twilio-sms/other` },
      },
    }),
  });
}, 600_000);

afterAll(async () => {
  await gateway?.stop();
  await emulator?.close();
});

describe("an account that cannot start is never silent", () => {
  it("logs one [twilio-sms:<id>] line with the reason and the key to fix", async () => {
    await gateway.waitForLog(/\[twilio-sms:clash\] invalid config, not started: .*channels\.twilio-sms\.accounts\.clash\.webhookPath .*give channels\.twilio-sms\.accounts\.clash\.webhookPath its own path/, 120_000);
    await gateway.waitForLog(/\[twilio-sms:nosender\] invalid config, not started: channels\.twilio-sms\.accounts\.nosender\.fromNumber is not set/, 120_000);
    await gateway.waitForLog(
      /\[twilio-sms:offpath\] invalid config, not started: channels\.twilio-sms\.accounts\.offpath\.publicUrl ends in \/twilio-sms\/other but the gateway listens on \/twilio-sms\/offpath/,
      120_000,
    );
    // The good account still runs.
    await gateway.waitForLog(/\[twilio-sms:default\] listening on \/twilio-sms\/webhook/, 120_000);
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
    expect(out).toMatch(/deliverability: \+1\*+5001 is not in any Messaging Service, so it has no A2P 10DLC campaign; US carriers block texts from unregistered 10DLC numbers \(error 30034\)/);
    expect(out).toMatch(/register a brand and campaign in Twilio Console → Messaging → Regulatory compliance → A2P 10DLC/);
    expect(out).not.toContain(GOOD);
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
    const result = await gateway.cli(["doctor", "--non-interactive"], { timeoutMs: 240_000 });
    // Doctor wraps its notes in a box; join the wrapped lines back into sentences.
    const out = (result.stdout + result.stderr).replace(/\s*│\s*/g, " ").replace(/\s+/g, " ");
    expect(out).toMatch(/twilio-sms account "clash" cannot start: channels\.twilio-sms\.accounts\.clash\.webhookPath .*give channels\.twilio-sms\.accounts\.clash\.webhookPath its own path/);
    expect(out).toMatch(
      /twilio-sms account "offpath" cannot start: channels\.twilio-sms\.accounts\.offpath\.publicUrl ends in \/twilio-sms\/other but the gateway listens on \/twilio-sms\/offpath; set channels\.twilio-sms\.accounts\.offpath\.publicUrl to /,
    );
    expect(out).not.toContain(OFF_PATH);
  }, 300_000);
});
