// Runs a real OpenClaw gateway (the installed `openclaw` package) with the
// packed plugin, in an isolated state folder: a throw-away one for end-to-end
// tests, or the sandbox's own (`npm start`, sandbox/start.ts).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gatewayRpc } from "./rpc.ts";
import type { GatewayRpc } from "./rpc.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OPENCLAW_ENTRY = join(REPO_ROOT, "node_modules", "openclaw", "openclaw.mjs");
// OpenClaw 2026.9.x needs Node >= 24.16; the project carries one for hosts whose node is older.
const PROJECT_NODE = join(REPO_ROOT, "node_modules", "node", "bin", "node");

const DEFAULT_CHANNEL_ID = "twilio-sms";
const DEFAULT_MODEL_ID = "echo-1";
const MODEL_PROVIDER_ID = "e2e-model";
// Twilio's magic "valid" test number: no test sender uses it, so owner-only
// behaviour (heartbeat delivery, first-owner bootstrap) never targets a test phone.
const OWNER_NUMBER = "+15005550006";
const LOG_CAP_CHARS = 8 * 1024 * 1024;

export type JsonObject = { [key: string]: unknown };

export type GatewayAddress = { port: number; baseUrl: string };

/**
 * How the plugin gets into the gateway's profile:
 * - "load" (default): the gateway loads the unpacked package in `pluginDir`
 *   by path (`plugins.load.paths`, what `openclaw plugins install --link`
 *   writes), so a start costs no install;
 * - "install": `openclaw plugins install <installSpec>`, as a user installs it
 *   (the ClawHub end-to-end test);
 * - "reuse": `rootDir` already holds a profile whose config loads the plugin (a warm sandbox).
 */
export type PluginSetup = "load" | "install" | "reuse";

export type StartGatewayOptions = {
  pluginSetup?: PluginSetup;
  /** The unpacked plugin package (`unpackPlugin`) for `pluginSetup: "load"`. */
  pluginDir?: string;
  /** What `pluginSetup: "install"` installs, e.g. a `clawhub:` spec. The command's output is `handle.install`. */
  installSpec?: string;
  /**
   * Plugins the gateway may load (`plugins.allow`), besides the channel's own.
   * The gateway otherwise loads every bundled plugin enabled by default
   * (browser, canvas, github, …), which costs seconds and nothing here uses.
   * `"all"` leaves the host's default.
   */
  allowPlugins?: string[] | "all";
  /** Value for `channels.<channelId>`; a function gets the port first (webhook URLs need it). */
  channelConfig: JsonObject | ((address: GatewayAddress) => JsonObject);
  /** Defaults to "twilio-sms". */
  channelId?: string;
  /** `http://127.0.0.1:<port>/v1` of the deterministic model server; makes it the default model. */
  modelUrl?: string;
  modelId?: string;
  /** What the model accepts; defaults to text only. `["text", "image"]` makes the host send pictures to it. */
  modelInput?: ("text" | "image")[];
  /** Deep-merged over everything the harness writes (objects merge, arrays/scalars replace). */
  extraConfig?: JsonObject;
  env?: Record<string, string>;
  /** Defaults to a free loopback port. */
  port?: number;
  /**
   * Folder for HOME, state, config and logs, created if missing and kept on
   * stop() (the sandbox's state survives restarts). Defaults to a fresh temp
   * folder that stop() deletes.
   */
  rootDir?: string;
  /**
   * "ready" (default) waits for GET /readyz = 200, which also needs every
   * configured channel account healthy. "started" waits for /startupz = 200,
   * for tests that expect the channel to fail.
   */
  waitFor?: "ready" | "started";
  startTimeoutMs?: number;
  /**
   * false: write the profile and config but start no gateway; the first
   * `restart()` starts it. For tests that install the plugin their own way
   * first (OpenClaw refuses to install into a profile a running gateway owns).
   */
  launch?: boolean;
  /**
   * Variables for the gateway process only, not for CLI calls. TWILIO_* in a
   * CLI's environment makes `plugins install` try to fetch the official `sms`
   * plugin from ClawHub, so env-fallback tests set them here.
   */
  gatewayEnv?: Record<string, string>;
};

export type CliResult = { code: number | null; stdout: string; stderr: string };

export type GatewayHandle = {
  port: number;
  baseUrl: string;
  token: string;
  /** Root of the throw-away folder (HOME, state, config and logs live here). */
  rootDir: string;
  stateDir: string;
  configPath: string;
  /** What `openclaw plugins install` printed, with `pluginSetup: "install"`. */
  install?: CliResult;
  /** The running gateway process, if any (it changes on restart). */
  pid(): number | undefined;
  /** Runs `openclaw <args>` with the gateway's isolated env; never throws on a non-zero exit. */
  cli(args: string[], options?: { timeoutMs?: number; input?: string }): Promise<CliResult>;
  /**
   * Calls a gateway RPC method (`openclaw gateway call <method>` without the
   * CLI's start-up cost) and resolves with its payload; throws GatewayRpcError
   * when the gateway answers with an error.
   */
  rpc: GatewayRpc;
  /** Gateway stdout+stderr so far, over every (re)start, without colour codes (last 8 MiB). */
  logs(): string;
  /** Resolves with the first match in `logs().slice(from)`, now or later. */
  waitForLog(pattern: RegExp, timeoutMs?: number, options?: { from?: number }): Promise<RegExpMatchArray>;
  restart(): Promise<void>;
  /** SIGKILL the gateway, as a crash would; `restart()` brings it back on the same state. */
  kill(): Promise<void>;
  /** Stops the gateway and deletes the folder (kept when KEEP_E2E_STATE=1 or when `rootDir` was given). */
  stop(): Promise<void>;
};

export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function deepMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

export function nodeBinary(): string {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 24) return process.execPath;
  if (existsSync(PROJECT_NODE)) return PROJECT_NODE;
  throw new Error(`OpenClaw needs Node 24; running ${process.version} and ${PROJECT_NODE} is missing`);
}

// Inherited variables that would leak the developer's setup into the gateway:
// - OPENCLAW_* (ports, tokens, profiles) and TWILIO_* (incl. TWILIO_EDGE/REGION,
//   which rewrite the Twilio API host), real model keys;
// - VITEST*/NODE_ENV=test: OpenClaw's isVitestRuntimeEnv() switches on
//   test-only shortcuts when it sees them, so the gateway would not behave as shipped;
// - NODE_V8_COVERAGE: coverage runs would make every child dump profiles.
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(OPENCLAW_|TWILIO_|CLAWHUB_|VITEST)/.test(key)) continue;
    if (/_API_KEY$/.test(key) || key === "NODE_V8_COVERAGE" || key === "NODE_ENV") continue;
    env[key] = value;
  }
  return env;
}

function buildEnv(root: string, stateDir: string, configPath: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const node = nodeBinary();
  const realHome = process.env.HOME ?? tmpdir();
  return {
    ...inheritedEnv(),
    // npm (used by `plugins install npm-pack:`) resolves `node` from PATH.
    PATH: `${join(node, "..")}:${process.env.PATH ?? ""}`,
    HOME: join(root, "home"),
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_NO_AUTO_UPDATE: "1",
    OPENCLAW_DISABLE_BONJOUR: "1",
    OPENCLAW_NO_RESPAWN: "1",
    // Without it, heartbeats and background jobs call the model mid-test.
    OPENCLAW_SKIP_CRON: "1",
    DO_NOT_TRACK: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    // HOME is fresh, so point npm at the real cache: dependency installs then
    // come from disk instead of the registry on every gateway.
    npm_config_cache: process.env.npm_config_cache ?? join(realHome, ".npm"),
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

// Written after the install: before it, the allowlist would name a plugin the
// host cannot find. The memory slot loads memory-core whatever the allowlist says.
function pluginPolicy(channelId: string, allowPlugins: string[] | "all"): JsonObject {
  return allowPlugins === "all" ? {} : { plugins: { allow: [channelId, ...allowPlugins], slots: { memory: "none" } } };
}

function baseConfig(port: number, token: string, channelId: string, logFile: string): JsonObject {
  return {
    gateway: { mode: "local", bind: "loopback", port, auth: { mode: "token", token } },
    update: { checkOnStart: false },
    // Keeps start-up off catalog.openclaw.ai.
    models: { catalogRefresh: { enabled: false } },
    // Different test phones must not share one conversation.
    session: { dmScope: "per-channel-peer" },
    // With no owner, the first `pairing approve` writes one into the config,
    // which hot-reloads (restarts) the channel in the middle of a test.
    commands: { ownerAllowFrom: [`${channelId}:${OWNER_NUMBER}`] },
    agents: { defaults: { heartbeat: { every: "0m" } } },
    logging: { file: logFile },
  };
}

function modelConfig(modelUrl: string, modelId: string, input: ("text" | "image")[]): JsonObject {
  return {
    models: {
      mode: "merge",
      providers: {
        [MODEL_PROVIDER_ID]: {
          api: "openai-completions",
          baseUrl: modelUrl,
          apiKey: "e2e-not-a-secret",
          models: [
            {
              id: modelId,
              name: "E2E echo model",
              input,
              reasoning: false,
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 128_000,
              maxTokens: 4096,
            },
          ],
        },
      },
    },
    agents: { defaults: { model: { primary: `${MODEL_PROVIDER_ID}/${modelId}` } } },
  };
}

const ANSI_RE = /\x1b\[[0-9;]*[A-Za-z]/g;

function tail(text: string, lines = 60): string {
  return text.split("\n").slice(-lines).join("\n");
}

// The gateway starts helpers in their own sessions (its spawn broker calls
// setsid), so killing the process group is not enough to leave no orphans.
export function descendantPids(rootPid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process exited while we were reading.
    }
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signalTree(pid: number, descendants: number[], signal: NodeJS.Signals): void {
  for (const target of [-pid, ...descendants]) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone.
    }
  }
}

// Last line of defence when a test file dies without calling stop(): the
// worker's exit still takes every gateway and CLI child down with it.
const livePids = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  livePids.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const live of livePids) signalTree(live, descendantPids(live), "SIGKILL");
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

type CliContext = { root: string; env: NodeJS.ProcessEnv; node: string; logTail: () => string };

function runCli(context: CliContext, args: string[], cliOptions: { timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  const timeoutMs = cliOptions.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(context.node, [OPENCLAW_ENTRY, ...args], {
      cwd: context.root,
      env: context.env,
      detached: true,
      stdio: [cliOptions.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (child.pid !== undefined) track(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    if (cliOptions.input !== undefined) child.stdin?.end(cliOptions.input);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signalTree(child.pid, descendantPids(child.pid), "SIGKILL");
      reject(
        new Error(
          `openclaw ${args.join(" ")} timed out after ${timeoutMs} ms\n--- stdout ---\n${tail(stdout, 30)}\n` +
            `--- stderr ---\n${tail(stderr, 30)}\n--- gateway log tail ---\n${tail(context.logTail(), 30)}`,
        ),
      );
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) livePids.delete(child.pid);
      resolve({ code, stdout: stdout.replace(ANSI_RE, ""), stderr: stderr.replace(ANSI_RE, "") });
    });
  });
}

/** `openclaw plugins install <spec>` into the profile `context` points at. */
async function installPlugin(context: CliContext, spec: string): Promise<CliResult> {
  const install = await runCli(context, ["plugins", "install", spec, "--force", "--accept-capabilities"], {
    // The host scans the package (and a ClawHub install downloads it); on a busy 2-core machine that can take minutes.
    timeoutMs: 300_000,
  });
  if (install.code !== 0) {
    throw new Error(`openclaw plugins install failed (exit ${install.code})\n--- stdout ---\n${tail(install.stdout)}\n--- stderr ---\n${tail(install.stderr)}`);
  }
  return install;
}

export async function startGateway(options: StartGatewayOptions): Promise<GatewayHandle> {
  const setup = options.pluginSetup ?? "load";
  if (setup === "load" && (!options.pluginDir || !existsSync(join(options.pluginDir, "openclaw.plugin.json")))) {
    throw new Error(
      `startGateway: no unpacked plugin in ${JSON.stringify(options.pluginDir)}; ` +
        "the vitest globalSetup packs and unpacks it from dist/ — run `npm run build` first",
    );
  }
  if (setup === "install" && !options.installSpec) throw new Error('startGateway: pluginSetup "install" needs an installSpec');
  const channelId = options.channelId ?? DEFAULT_CHANNEL_ID;
  const root = options.rootDir ?? (await mkdtemp(join(tmpdir(), "openclaw-e2e-")));
  const stateDir = join(root, "state");
  const configPath = join(root, "openclaw.json");
  await mkdir(join(root, "home"), { recursive: true });
  await mkdir(stateDir, { recursive: true });
  const port = options.port ?? (await getFreePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  // A reused profile keeps its token: every config change makes the next
  // start re-run the host's state migrations (about 4 s), so a warm start
  // must leave the config byte-for-byte as it was.
  const earlierConfig = setup === "reuse" && existsSync(configPath) ? await readFile(configPath, "utf8") : undefined;
  const installedBefore = earlierConfig === undefined ? undefined : (JSON.parse(earlierConfig) as JsonObject);
  const earlierToken = ((installedBefore?.gateway as JsonObject | undefined)?.auth as JsonObject | undefined)?.token;
  const token = typeof earlierToken === "string" && earlierToken !== "" ? earlierToken : randomBytes(16).toString("hex");
  const env = buildEnv(root, stateDir, configPath, options.env ?? {});
  const node = nodeBinary();
  // 17-23 s on an idle 2-core machine; minutes when other gateways share the cores.
  const startTimeoutMs = options.startTimeoutMs ?? 240_000;
  const keep = options.rootDir !== undefined || process.env.KEEP_E2E_STATE === "1";

  let logText = "";
  const logEvents = new EventEmitter();
  logEvents.setMaxListeners(0); // one listener per pending waitForLog
  const appendLog = (chunk: string) => {
    logText += chunk.replace(ANSI_RE, "");
    if (logText.length > LOG_CAP_CHARS) logText = logText.slice(-LOG_CAP_CHARS);
    logEvents.emit("data");
  };

  let gateway: ChildProcess | undefined;
  let gatewayExit: Promise<number | null> | undefined;

  const cli = (args: string[], cliOptions: { timeoutMs?: number; input?: string } = {}) =>
    runCli({ root, env, node, logTail: () => logText }, args, cliOptions);

  async function waitUntilServing(child: ChildProcess, exit: Promise<number | null>): Promise<void> {
    const path = options.waitFor === "started" ? "/startupz" : "/readyz";
    const deadline = Date.now() + startTimeoutMs;
    let exited = false;
    void exit.then(() => (exited = true));
    let lastAnswer = "no answer yet";
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(
          `gateway exited (code ${child.exitCode}, signal ${child.signalCode}) before ${path} answered 200\n` +
            `--- gateway log tail ---\n${tail(logText)}`,
        );
      }
      try {
        const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(2_000) });
        const body = await res.text();
        if (res.status === 200) return;
        lastAnswer = `${res.status} ${body.slice(0, 500)}`;
      } catch (err) {
        lastAnswer = String((err as Error).cause ?? err);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `gateway on ${baseUrl} not ${options.waitFor ?? "ready"} after ${startTimeoutMs} ms; last ${path}: ${lastAnswer}\n` +
        `--- gateway log tail ---\n${tail(logText)}`,
    );
  }

  async function launch(): Promise<void> {
    if (logText.length > 0) appendLog(`\n----- e2e harness: gateway restart -----\n`);
    const child = spawn(node, [OPENCLAW_ENTRY, "gateway", "run"], {
      cwd: root,
      env: { ...env, ...options.gatewayEnv },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) track(child.pid);
    child.stdout?.setEncoding("utf8").on("data", appendLog);
    child.stderr?.setEncoding("utf8").on("data", appendLog);
    gateway = child;
    gatewayExit = exitOf(child);
    try {
      await waitUntilServing(child, gatewayExit);
    } catch (err) {
      await terminate("SIGKILL");
      // The gateway only says "config is invalid"; the validator names the key.
      if (/config is invalid/i.test(logText)) {
        const validate = await cli(["config", "validate"], { timeoutMs: 30_000 }).catch(() => undefined);
        if (validate) (err as Error).message += `\n--- openclaw config validate ---\n${tail(validate.stdout + validate.stderr, 20)}`;
      }
      throw err;
    }
  }

  async function terminate(signal: NodeJS.Signals, graceMs = 20_000): Promise<void> {
    const child = gateway;
    const exit = gatewayExit;
    gateway = undefined;
    gatewayExit = undefined;
    if (!child || child.pid === undefined || !exit) return;
    const descendants = descendantPids(child.pid);
    signalTree(child.pid, [], signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exit.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      appendLog(`\n----- e2e harness: gateway ignored ${signal} for ${graceMs} ms; SIGKILL -----\n`);
      signalTree(child.pid, descendantPids(child.pid), "SIGKILL");
      await exit;
    }
    // Helpers in their own sessions normally follow the gateway out; make sure.
    signalTree(child.pid, descendants, "SIGKILL");
    livePids.delete(child.pid);
  }

  let stopped = false;
  async function cleanup(): Promise<void> {
    if (keep) {
      if (options.rootDir === undefined) process.stderr.write(`[e2e] KEEP_E2E_STATE=1: gateway state kept in ${root}\n`);
      await writeFile(join(root, "gateway-output.log"), logText).catch(() => undefined);
      return;
    }
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  }

  const handle: GatewayHandle = {
    port,
    baseUrl,
    token,
    rootDir: root,
    stateDir,
    configPath,
    pid: () => gateway?.pid,
    cli,
    rpc: gatewayRpc(baseUrl, token),
    logs: () => logText,
    waitForLog(pattern, timeoutMs = 30_000, { from = 0 } = {}) {
      const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = logText.slice(from).match(re);
          if (!match) return false;
          logEvents.off("data", check);
          clearTimeout(timer);
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          logEvents.off("data", check);
          reject(new Error(`no gateway log line matched ${re} within ${timeoutMs} ms\n--- gateway log tail ---\n${tail(logText)}`));
        }, timeoutMs);
        if (!check()) logEvents.on("data", check);
      });
    },
    async restart() {
      await terminate("SIGTERM");
      await launch();
    },
    async kill() {
      await terminate("SIGKILL");
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate("SIGTERM");
      await cleanup();
    },
  };

  try {
    const base = baseConfig(port, token, channelId, join(root, "openclaw.log"));
    // The install (or the load path) owns `plugins` and `meta`; every other key is written fresh on each start.
    let installed: JsonObject;
    if (setup === "reuse") {
      installed = installedBefore ?? {};
    } else if (setup === "load") {
      installed = { plugins: { load: { paths: [options.pluginDir as string] } } };
    } else {
      // The channel section can only be written after the install: until the
      // plugin's manifest is known, `channels.<id>` is an "unknown channel id"
      // and every CLI command refuses the config.
      await writeFile(configPath, `${JSON.stringify(base, null, 2)}\n`);
      handle.install = await installPlugin({ root, env, node, logTail: () => logText }, options.installSpec as string);
      installed = JSON.parse(await readFile(configPath, "utf8")) as JsonObject;
    }
    // An allowlist from an earlier start must not outlive a change of `allowPlugins`.
    const { allow: _earlierAllow, slots: _earlierSlots, ...plugins } = (installed.plugins ?? {}) as JsonObject;
    let config = deepMerge({ plugins, meta: installed.meta ?? {} }, base);
    config = deepMerge(config, pluginPolicy(channelId, options.allowPlugins ?? []));
    const channelConfig = typeof options.channelConfig === "function" ? options.channelConfig({ port, baseUrl }) : options.channelConfig;
    config = deepMerge(config, { channels: { [channelId]: channelConfig } });
    if (options.modelUrl) config = deepMerge(config, modelConfig(options.modelUrl, options.modelId ?? DEFAULT_MODEL_ID, options.modelInput ?? ["text"]));
    if (options.extraConfig) config = deepMerge(config, options.extraConfig);
    const configText = `${JSON.stringify(config, null, 2)}\n`;
    if (configText !== earlierConfig) await writeFile(configPath, configText);
    if (options.launch !== false) await launch();
  } catch (err) {
    stopped = true;
    await terminate("SIGKILL");
    await cleanup();
    throw err;
  }
  return handle;
}

/** Edits `channels.<channelId>` in the gateway's config file, as an operator would; the gateway hot-reloads it. */
export async function editChannelConfig(
  gateway: Pick<GatewayHandle, "configPath">,
  edit: (section: JsonObject) => void,
  channelId = DEFAULT_CHANNEL_ID,
): Promise<void> {
  const config = JSON.parse(await readFile(gateway.configPath, "utf8")) as { channels: Record<string, JsonObject> };
  const section = config.channels[channelId];
  if (!section) throw new Error(`editChannelConfig: channels.${channelId} is not in ${gateway.configPath}`);
  edit(section);
  await writeFile(gateway.configPath, `${JSON.stringify(config, null, 2)}\n`);
}
