// Starts the three pieces of the sandbox, wired together: the Twilio emulator
// (which also serves the phone page), a model, and a real OpenClaw gateway
// with the packed plugin installed, pointed at the emulator.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, startTwilioEmulator } from "./emulator/index.ts";
import type { TwilioEmulator } from "./emulator/index.ts";
import { startGateway } from "./gateway/runner.ts";
import type { GatewayHandle } from "./gateway/runner.ts";
import { startModelServer } from "./model/server.ts";
import type { ModelServer } from "./model/server.ts";
import { packPlugin } from "./gateway/plugin-package.ts";
import type { ModelChoice } from "./model/choose.ts";
import { loopbackPort } from "./ports.ts";

// 555-01xx numbers are reserved for fiction, so no real phone is ever texted.
export const AGENT_NUMBER = "+15555550100";
const SUGGESTED_SENDERS = ["+15555550123", "+15555550142", "+15555550199"];
const CHANNEL_ID = "twilio-sms";
const WEBHOOK_PATH = "/twilio-sms/webhook";

export type SandboxOptions = {
  repoRoot: string;
  /** Absolute state folder; the gateway's HOME, state, config and logs live in it. */
  dir: string;
  /** Preferred ports; a busy one falls back to any free port, 0 asks for one. */
  phonePort: number;
  gatewayPort: number;
  model: ModelChoice;
  log: (line: string) => void;
};

export type Sandbox = {
  phoneUrl: string;
  gatewayUrl: string;
  gatewayPid(): number | undefined;
  stop(): Promise<void>;
};

async function startEmulator(preferredPort: number): Promise<TwilioEmulator> {
  const accounts = [{ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, phoneNumbers: [AGENT_NUMBER] }];
  try {
    return await startTwilioEmulator({ accounts, port: preferredPort });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    return startTwilioEmulator({ accounts, port: 0 });
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  let emulator: TwilioEmulator | undefined;
  let model: ModelServer | undefined;
  let gateway: GatewayHandle | undefined;
  let packDir: string | undefined;

  const stop = async () => {
    // The gateway first, so it sends nothing to an emulator that is gone.
    await gateway?.stop();
    await model?.close();
    await emulator?.close();
    if (packDir) await rm(packDir, { recursive: true, force: true });
  };

  try {
    emulator = await startEmulator(options.phonePort);
    if (options.model.kind === "echo") model = await startModelServer();
    // Packed inside the state folder, so a start cut short leaves nothing in /tmp.
    packDir = join(options.dir, "pack");
    await rm(packDir, { recursive: true, force: true });
    const packed = await packPlugin(options.repoRoot, packDir);
    const gatewayPort = await loopbackPort(options.gatewayPort);
    options.log(`installing the plugin and starting the gateway on 127.0.0.1:${gatewayPort}…`);
    gateway = await startGateway({
      pluginTarball: packed.tarball,
      rootDir: options.dir,
      port: gatewayPort,
      channelId: CHANNEL_ID,
      // The same keys a real Twilio number needs, plus apiBaseUrl; publicUrl is
      // what the emulator signs, as Twilio signs the URL configured on the number.
      channelConfig: ({ baseUrl }) => ({
        accountSid: DEFAULT_ACCOUNT_SID,
        authToken: DEFAULT_AUTH_TOKEN,
        fromNumber: AGENT_NUMBER,
        webhookPath: WEBHOOK_PATH,
        publicUrl: `${baseUrl}${WEBHOOK_PATH}`,
        apiBaseUrl: emulator!.url,
        // Media links redirect to the emulator's CDN host, as Twilio's go to mms.twiliocdn.com.
        mediaCdnHosts: [new URL(emulator!.cdnOrigin).hostname],
      }),
      ...(options.model.kind === "echo"
        ? { modelUrl: model!.url }
        : { extraConfig: options.model.extraConfig, env: options.model.env }),
    });
    await rm(packDir, { recursive: true, force: true });
    packDir = undefined;

    const cli = gateway.cli;
    const phoneUrl = emulator.attachPhone({
      webhookUrl: `${gateway.baseUrl}${WEBHOOK_PATH}`,
      agentNumber: AGENT_NUMBER,
      pairingCommand: `openclaw pairing approve ${CHANNEL_ID}`,
      suggestedNumbers: SUGGESTED_SENDERS,
      async approvePairing(code) {
        const result = await cli(["pairing", "approve", CHANNEL_ID, code], { timeoutMs: 60_000 });
        return { ok: result.code === 0, output: lastLines(`${result.stdout}\n${result.stderr}`, 12) };
      },
    });
    const running = gateway;
    return { phoneUrl, gatewayUrl: running.baseUrl, gatewayPid: () => running.pid(), stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
