// `npm start` (through main.ts): text your agent locally with no Twilio account and no network.
// Starts the Twilio emulator with its phone page and a model, prints the
// page's URL at once, then boots an isolated OpenClaw gateway; texts sent from
// the page before the gateway is up wait on the phone. The first start builds,
// packs and unpacks the plugin; later starts reuse it until the plugin's
// sources or package change. Ctrl-C stops everything it started.
//
// Settings (environment):
//   SANDBOX_DIR               state folder (default .sandbox/ in the repo); delete it to start over
//   SANDBOX_PORT              phone page / emulator port (default 4242; 0 = any free port)
//   SANDBOX_GATEWAY_PORT      gateway port (default 4243; 0 = any free port)
//   SANDBOX_MODEL_PORT        echo model port (default 4244; 0 = any free port)
//   SANDBOX_MODEL, SANDBOX_OPENCLAW_CONFIG   use a real model instead of the echo (see sandbox/model/choose.ts)
// A busy port falls back to a free one; the printed URL is always right.
import { mkdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { acquireLock } from "./lock.ts";
import type { SandboxLock } from "./lock.ts";
import { chooseModel } from "./model/choose.ts";
import { startSandbox } from "./start.ts";
import type { Sandbox } from "./start.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_PHONE_PORT = 4242;
const DEFAULT_GATEWAY_PORT = 4243;
const DEFAULT_MODEL_PORT = 4244;

const log = (line: string) => process.stderr.write(`[sandbox] ${line}\n`);

function portSetting(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name} must be a port number (0 = any free port); got ${JSON.stringify(raw)}`);
  return port;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") ? path : rel;
}

let sandbox: Sandbox | undefined;
let lock: SandboxLock | undefined;
let stoppingSince: number | undefined;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stoppingSince !== undefined) {
    // npm and the terminal may deliver one Ctrl-C or hang-up twice; only a
    // later, deliberate second Ctrl-C skips the graceful stop. The gateway
    // harness's exit hook then SIGKILLs whatever is left.
    if (Date.now() - stoppingSince < 1_000) return;
    log("stopping now");
    process.exit(130);
  }
  stoppingSince = Date.now();
  if (!sandbox) {
    // Mid-start there is no handle yet; exiting lets the harness's exit hook kill the gateway and CLI trees.
    log(`${signal} during start-up; stopping`);
    lock?.release();
    process.exit(130);
  }
  log("stopping the gateway and the emulator…");
  try {
    await sandbox.stop();
  } finally {
    lock?.release();
  }
  log("stopped");
  process.exit(0);
}

async function main(): Promise<void> {
  // A closed terminal (SIGHUP) turns every later write into EIO/EPIPE; the stop must still finish.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(signal));
  const dir = resolve(process.env.SANDBOX_DIR?.trim() || join(REPO_ROOT, ".sandbox"));
  const phonePort = portSetting("SANDBOX_PORT", DEFAULT_PHONE_PORT);
  const gatewayPort = portSetting("SANDBOX_GATEWAY_PORT", DEFAULT_GATEWAY_PORT);
  const modelPort = portSetting("SANDBOX_MODEL_PORT", DEFAULT_MODEL_PORT);
  const model = await chooseModel(process.env);

  mkdirSync(dir, { recursive: true });
  lock = acquireLock(dir, log);
  // Logs of the previous run would only confuse; the rest of the state (pairings, sessions) is kept.
  rmSync(join(dir, "gateway-output.log"), { force: true });
  log(`state: ${shown(dir)}/ (delete it to start over) · model: ${model.label}`);
  const onPhone = (phoneUrl: string) => process.stdout.write(`Open ${phoneUrl} to text your agent (texts sent while it starts wait on the phone).\n`);
  sandbox = await startSandbox({ repoRoot: REPO_ROOT, dir, phonePort, gatewayPort, modelPort, model, log, onPhone });
  lock.recordGateway(sandbox.gatewayPid());
  // The page's address again: the progress lines have pushed the first mention up.
  log(`your agent is up: text it at ${sandbox.phoneUrl} · gateway ${sandbox.gatewayUrl} · logs in ${shown(join(dir, "openclaw.log"))} · Ctrl-C stops everything`);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  lock?.release();
  // Exiting runs the harness's exit hook, which kills anything half-started.
  process.exit(1);
});
