// Starts the three pieces of the sandbox, wired together: the Twilio emulator
// (which also serves the phone page), a model, and a real OpenClaw gateway
// that loads the packed plugin, pointed at the emulator.
//
// The plugin is packed as npm would publish it and unpacked into the state
// folder, and the gateway loads it by path (`plugins.load.paths`, what
// `openclaw plugins install --link` writes): no `plugins install`, whose CLI
// start, scan and copy took 10-20 s of a cold start. A warm start (the
// plugin's build inputs hash the same) reuses profile and plugin as they are,
// so it costs one gateway boot.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build, buildIsStale, pluginSourceHash } from "./build.ts";
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, startTwilioEmulator } from "./emulator/index.ts";
import type { TwilioEmulator } from "./emulator/index.ts";
import { packPlugin, unpackPlugin } from "./gateway/plugin-package.ts";
import { deepMerge, startGateway } from "./gateway/runner.ts";
import type { GatewayHandle, StartGatewayOptions } from "./gateway/runner.ts";
import type { ModelChoice } from "./model/choose.ts";
import { startModelServer } from "./model/server.ts";
import type { ModelServer } from "./model/server.ts";
import { approvePairingCode } from "./pairing.ts";
import { loopbackPort } from "./ports.ts";
import { startStep } from "./progress.ts";
import type { ProgressStream } from "./progress.ts";

// 555-01xx numbers are reserved for fiction, so no real phone is ever texted.
export const AGENT_NUMBER = "+15555550100";
const SUGGESTED_SENDERS = ["+15555550123", "+15555550142", "+15555550199"];
const CHANNEL_ID = "twilio-sms";
const WEBHOOK_PATH = "/twilio-sms/webhook";
// Written after a start with a freshly unpacked plugin succeeded; names what that plugin was built from.
const INSTALLED_HASH_FILE = "plugin.sha256";
// The unpacked package the gateway loads, inside the state folder.
const PLUGIN_DIR = "plugin";
// About what a US carrier takes; quick enough to watch on the page.
const DELIVERY_TIMING = { sentAfterMs: 500, deliveredAfterMs: 1_500 };
// A sandbox profile holds a few test conversations, so OpenClaw's session
// clean-up (prune after 30 days, cap 5,000 sessions, 10 GB) has nothing to do;
// enforcing it planned a clean-up at every start that delayed the first answer
// by about 2 s (median 6.9 s → 4.9 s, test/bench/RESULTS.md). "warn" still logs
// a limit the profile reaches. Set here, not in the runner's base config: the
// e2e gateways keep OpenClaw's default, and with it the state-lock refusals a
// real start under load can bring.
const SANDBOX_CONFIG = { session: { maintenance: { mode: "warn" } } };

export type SandboxOptions = {
  repoRoot: string;
  /** Absolute state folder; the gateway's HOME, state, config and logs live in it. */
  dir: string;
  /** Preferred ports; a busy one falls back to any free port, 0 asks for one. */
  phonePort: number;
  gatewayPort: number;
  /** Preferred port of the echo model (its URL is in the gateway's config, so a stable one keeps the config unchanged). */
  modelPort: number;
  model: ModelChoice;
  log: (line: string) => void;
  /** Where progress lines go (default stderr). */
  progress?: ProgressStream;
  /**
   * Called with the phone page's URL as soon as the page is up, before the
   * plugin is built and the gateway boots; texts sent meanwhile wait on the phone.
   */
  onPhone?: (phoneUrl: string) => void;
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

/**
 * Whether an `npm start` from before the plugin was loaded by path installed
 * it into this profile (OpenClaw's managed npm projects are named after the
 * package). Left in place, OpenClaw would warn on every start that the
 * unpacked plugin overrides it.
 */
export function hasEarlierInstall(dir: string, packageName: string): boolean {
  const prefix = `${packageName.replace(/^@/, "").replace("/", "-")}-`;
  try {
    return readdirSync(join(dir, "state", "npm", "projects")).some((name) => name.startsWith(prefix));
  } catch {
    return false;
  }
}

function readInstalledHash(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, INSTALLED_HASH_FILE), "utf8").trim();
  } catch {
    return undefined;
  }
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  let emulator: TwilioEmulator | undefined;
  let model: ModelServer | undefined;
  let gateway: GatewayHandle | undefined;
  const packDir = join(options.dir, "pack");
  const pluginDir = join(options.dir, PLUGIN_DIR);
  const hashFile = join(options.dir, INSTALLED_HASH_FILE);

  const stop = async () => {
    // The gateway first, so it sends nothing to an emulator that is gone.
    await gateway?.stop();
    await model?.close();
    await emulator?.close();
    await rm(packDir, { recursive: true, force: true });
  };

  const step = (label: string) => startStep(label, options.progress);
  // The page is up in a second; the gateway takes 15-30 s. A person can open
  // the page and type meanwhile: the phone holds texts until this settles.
  const gatewayUp = Promise.withResolvers<GatewayHandle>();
  // A start that fails before the phone listens must still end in its own error, not an unhandled rejection.
  gatewayUp.promise.catch(() => undefined);

  try {
    // Both start in milliseconds, and serve while the plugin is built and the gateway boots.
    [emulator, model] = await Promise.all([
      startEmulator(options.phonePort),
      options.model.kind === "echo" ? startModelServer({ port: await loopbackPort(options.modelPort) }) : Promise.resolve(undefined),
    ]);
    // Replies then show sent and delivered on the phone, as a real handset's would.
    emulator.deliverMessages(DELIVERY_TIMING);
    const sourceHash = pluginSourceHash(options.repoRoot);
    const warm =
      readInstalledHash(options.dir) === sourceHash &&
      existsSync(join(options.dir, "openclaw.json")) &&
      existsSync(join(pluginDir, "openclaw.plugin.json"));
    const gatewayPort = await loopbackPort(options.gatewayPort);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const twilio = emulator;
    const phoneUrl = emulator.attachPhone({
      webhookUrl: `${gatewayUrl}${WEBHOOK_PATH}`,
      agentNumber: AGENT_NUMBER,
      pairingCommand: `openclaw pairing approve ${CHANNEL_ID}`,
      suggestedNumbers: SUGGESTED_SENDERS,
      agentReady: gatewayUp.promise,
      approvePairing: async (code) => approvePairingCode((await gatewayUp.promise).rpc, CHANNEL_ID, twilio.messages, code),
    });
    options.onPhone?.(phoneUrl);
    const emulatorUrl = emulator.url;
    const emulatorCdnOrigin = emulator.cdnOrigin;
    const gatewayOptions: StartGatewayOptions = {
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
        apiBaseUrl: emulatorUrl,
        // Media links redirect to the emulator's CDN host, as Twilio's go to mms.twiliocdn.com.
        mediaCdnHosts: [new URL(emulatorCdnOrigin).hostname],
      }),
      // The echo model needs no plugin but ours; a real agent may use any the user configured.
      ...(options.model.kind === "echo"
        ? { modelUrl: model!.url, modelInput: ["text", "image"] as ("text" | "image")[], allowPlugins: [], extraConfig: SANDBOX_CONFIG }
        : { extraConfig: deepMerge(SANDBOX_CONFIG, options.model.extraConfig), env: options.model.env, allowPlugins: "all" as const }),
    };

    if (warm) {
      const booting = step(`starting the gateway on 127.0.0.1:${gatewayPort} (plugin unchanged)`);
      gateway = await startGateway({ ...gatewayOptions, pluginSetup: "reuse" });
      booting.done("ready");
    } else {
      // A start cut short must not pass for a finished unpack next time.
      await rm(hashFile, { force: true });
      if (buildIsStale(options.repoRoot)) {
        const building = step("building the plugin (npm run build)");
        await build(options.repoRoot);
        building.done();
      }
      // Packed inside the state folder, so a start cut short leaves nothing in /tmp.
      await rm(packDir, { recursive: true, force: true });
      const packed = await packPlugin(options.repoRoot, packDir);
      await unpackPlugin(packed.tarball, pluginDir);
      await rm(packDir, { recursive: true, force: true });
      const { name } = JSON.parse(readFileSync(join(pluginDir, "package.json"), "utf8")) as { name: string };
      if (hasEarlierInstall(options.dir, name)) {
        const removing = step("removing the plugin install an earlier npm start left in this profile");
        const profile = await startGateway({ ...gatewayOptions, pluginSetup: "reuse", launch: false });
        const uninstall = await profile.cli(["plugins", "uninstall", CHANNEL_ID, "--force"], { timeoutMs: 120_000 });
        if (uninstall.code !== 0) throw new Error(`openclaw plugins uninstall ${CHANNEL_ID} failed (exit ${uninstall.code}):\n${uninstall.stdout}${uninstall.stderr}`);
        removing.done();
      }
      const booting = step(`starting the gateway on 127.0.0.1:${gatewayPort} with the freshly packed plugin`);
      gateway = await startGateway({ ...gatewayOptions, pluginSetup: "load", pluginDir });
      booting.done("ready");
      await writeFile(hashFile, `${sourceHash}\n`);
    }

    // The echo agent texts a picture back, so the phone shows MMS both ways.
    model?.echoPictures(join(gateway.stateDir, "media", "sandbox-echo"));
    gatewayUp.resolve(gateway);
    const running = gateway;
    return { phoneUrl, gatewayUrl: running.baseUrl, gatewayPid: () => running.pid(), stop };
  } catch (error) {
    gatewayUp.reject(error);
    await stop().catch(() => undefined);
    throw error;
  }
}
