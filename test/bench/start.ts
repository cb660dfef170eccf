// `npm run bench:start`: how long `npm start` takes to a working phone page
// and to an agent that answers, cold (a fresh clone after `npm install`, whose
// `prepare` built dist/; no .sandbox/) and warm (the second start on the same
// state). The page works before the agent does: texts sent from it meanwhile
// wait on the phone. So it reports three times: the page, the ready agent, and
// the answer to a text sent from the page the moment it answered. A benchmark,
// not a test: it measures and writes the figures into RESULTS.md; nothing
// fails on a slow machine.
//
// The fresh clone is a clean copy of the checkout (scripts/clean-checkout.ts),
// so the bench never touches this checkout's dist/ or .sandbox/; it then runs
// the build `npm install` would (timed and reported on its own).
//   BENCH_WARM_RUNS   warm starts to time (default 3)
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyCleanCheckout } from "../../scripts/clean-checkout.ts";
import type { Thread, ThreadEntry } from "../../sandbox/emulator/phone-thread.ts";
import { descendantPids, getFreePort, nodeBinary } from "../../sandbox/gateway/runner.ts";
import { writeResultsSection } from "./results.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Generous: on a 2-core machine shared with other work a cold start can take minutes.
const START_TIMEOUT_MS = 900_000;

/**
 * `pageMs`: the page and its API answer; `ms`: the gateway is ready too;
 * `answerMs`: the answer to a text sent from the page the moment it answered.
 */
type Run = { label: string; pageMs: number; ms: number; answerMs: number; answer: string; steps: string[] };

// The bench's handset. The cold start's text gets a pairing code, which the
// bench approves as a user would, so each warm start's text reaches the agent.
const BENCH_FROM = "+15550199001";

async function phoneApi(phone: string, path: string, body?: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${phone}/api/${path}`, {
    method: body ? "POST" : "GET",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`phone API ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * The agent's first bubble in the bench handset's thread (each start's
 * emulator begins with none). Throws when the text itself did not reach the
 * agent ("not sent", or a webhook answered other than 200), which no wait mends.
 */
async function firstAnswer(phone: string): Promise<ThreadEntry | undefined> {
  const thread = (await phoneApi(phone, `thread?number=${encodeURIComponent(BENCH_FROM)}`)) as Thread;
  const text = thread.messages.find((bubble) => bubble.direction === "sent");
  if (text && (/^not sent/.test(text.status) || /^webhook (?!200\b)/.test(text.status))) throw new Error(`the bench's text did not reach the agent: ${text.status}`);
  return thread.messages.find((bubble) => bubble.direction === "received");
}

type SandboxPorts = { SANDBOX_PORT: string; SANDBOX_GATEWAY_PORT: string; SANDBOX_MODEL_PORT: string };

// The same ports on every start, as a user's defaults (4242-4244) are: the
// ports are in the gateway's config, and a changed config costs the next
// start the host's state migrations. Free ones, so a running sandbox is no clash.
async function benchPorts(): Promise<SandboxPorts> {
  const [phone, gateway, model] = [await getFreePort(), await getFreePort(), await getFreePort()];
  return { SANDBOX_PORT: String(phone), SANDBOX_GATEWAY_PORT: String(gateway), SANDBOX_MODEL_PORT: String(model) };
}

/** The environment npm scripts give the clone: its own node_modules/.bin (the carried Node 24) first. */
function cloneEnv(clone: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, PATH: `${join(clone, "node_modules", ".bin")}:${process.env.PATH ?? ""}` };
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Runs `npm start`'s launcher, texts from the page as soon as it answers, and
 * waits for the gateway to be ready and the text to be answered; then stops it with Ctrl-C.
 * An `unknown` sender's answer is a pairing code, which this approves; a `paired` one must get the agent's reply.
 */
async function timeStart(clone: string, label: string, ports: SandboxPorts, sender: "unknown" | "paired"): Promise<Run> {
  const started = performance.now();
  const launcher = spawn(nodeBinary(), [join(clone, "sandbox", "main.ts")], {
    cwd: clone,
    env: cloneEnv(clone, ports),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => launcher.once("exit", resolve));
  let output = "";
  launcher.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  launcher.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const elapsed = () => performance.now() - started;
  /** Polls `probe` every 100 ms until it returns a value; throws if npm start exits or time runs out first. */
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (;;) {
      if (launcher.exitCode !== null) throw new Error(`${label}: npm start exited (${launcher.exitCode}) before ${what}\n${output}`);
      if (elapsed() > START_TIMEOUT_MS) throw new Error(`${label}: no ${what} within ${START_TIMEOUT_MS} ms\n${output}`);
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    const phone = await waitFor("phone page", async () => {
      const url = /^Open (http:\/\/127\.0\.0\.1:\d+\/phone) /m.exec(output)?.[1];
      return url && (await answers200(url)) && (await answers200(`${url}/api/info`)) ? url : undefined;
    });
    const pageMs = elapsed();
    await phoneApi(phone, "send", { from: BENCH_FROM, body: `hello from the bench (${label})` });
    // The text waits on the phone until the agent is up, so its answer comes after the ready gateway.
    await waitFor("ready gateway", async () => {
      const gateway = /gateway (http:\/\/127\.0\.0\.1:\d+) /.exec(output)?.[1];
      return gateway && (await answers200(`${gateway}/readyz`)) ? true : undefined;
    });
    const readyMs = elapsed();
    const answer = await waitFor("answer", () => firstAnswer(phone));
    const answerMs = elapsed();
    const code = answer.pairingCode;
    // Only the cold start meets an unknown number; a later pairing code means its approval did not hold.
    if (code && sender === "paired") throw new Error(`${label}: the agent answered with a pairing code again; the cold start's approval did not hold`);
    if (code) {
      const approval = (await phoneApi(phone, "approve", { code })) as { ok?: boolean; output?: string };
      if (approval.ok !== true) throw new Error(`${label}: approving pairing code ${code} failed: ${approval.output ?? JSON.stringify(approval)}`);
    }
    const steps = output.split("\n").filter((line) => /: (done|ready) in /.test(line));
    return { label, pageMs, ms: readyMs, answerMs, answer: code ? "pairing code" : "agent's reply", steps };
  } finally {
    const pids = launcher.pid === undefined ? [] : descendantPids(launcher.pid);
    try {
      if (launcher.pid !== undefined && launcher.exitCode === null) process.kill(-launcher.pid, "SIGINT");
    } catch {
      // It exited on its own; the error above says why.
    }
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 60_000, "timeout"))]);
    if (code === "timeout") {
      for (const pid of [launcher.pid ?? 0, ...pids]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What `npm install`'s `prepare` does to the clone besides node_modules: build dist/. */
function installBuild(clone: string): number {
  const started = performance.now();
  execFileSync(nodeBinary(), [join(clone, "scripts", "build-if-stale.ts")], {
    cwd: clone,
    env: cloneEnv(clone),
    stdio: "ignore",
  });
  return performance.now() - started;
}

function report(runs: Run[], load: number[], buildMs: number): string {
  const [cold, ...warm] = runs;
  const returning = warm.slice(1);
  const lines = [
    "## `npm start` to a working phone page (`npm run bench:start`)",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Node ${process.version}; load average ${load.map((value) => value.toFixed(1)).join(" / ")} (1/5/15 min) when it began. A clean copy of the checkout (tracked files and new ones git would add) with node_modules linked. "Page" = the phone page and its API answer 200 (texts sent from then on wait on the phone until the agent is up); "agent" = the gateway's /readyz answers 200 too; "answer" = the answer to a text sent from the page the moment it answered. The cold start's text comes from an unknown number, so its answer is a pairing code, which the bench then approves; each warm start's answer is the agent's reply. Warm 1 boots a profile that holds a pairing but no conversation yet; each later one boots a profile that holds the conversation so far, as a returning user's does. With one, OpenClaw's boot checks its databases and projects its sessions, and its first turn after a start verifies the agent's database and loads the agent runtime.`,
    "",
    "| start | page | agent | answer | what it did |",
    "| --- | --- | --- | --- | --- |",
    ...runs.map(
      (run) =>
        `| ${run.label} | ${seconds(run.pageMs)} | ${seconds(run.ms)} | ${seconds(run.answerMs)}, ${run.answer} | ${run.steps.map((step) => step.replace(/^\[sandbox\] /, "")).join("; ") || "—"} |`,
    ),
    "",
    `Cold (after \`npm install\`, whose build of dist/ took ${seconds(buildMs)} before it): page ${seconds(cold!.pageMs)}, agent ${seconds(cold!.ms)} (target 45 s), answer ${seconds(cold!.answerMs)}. ` +
      `Warm, medians of ${warm.length}: page ${seconds(median(warm.map((run) => run.pageMs)))}, agent ${seconds(median(warm.map((run) => run.ms)))} (target 15 s), answer ${seconds(median(warm.map((run) => run.answerMs)))}.` +
      (returning.length > 0
        ? ` Of them, the ${returning.length} on a profile that holds a conversation (warm 2 on): agent ${seconds(median(returning.map((run) => run.ms)))}, answer ${seconds(median(returning.map((run) => run.answerMs)))}.`
        : ""),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const warmRuns = Number(process.env.BENCH_WARM_RUNS ?? 3);
  const load = loadavg();
  const clone = copyCleanCheckout(REPO_ROOT, "bench-start-clone-");
  try {
    const buildMs = installBuild(clone);
    const ports = await benchPorts();
    const runs = [await timeStart(clone, "cold", ports, "unknown")];
    process.stderr.write(`[bench] cold: page ${seconds(runs[0]!.pageMs)}, agent ${seconds(runs[0]!.ms)}, answer ${seconds(runs[0]!.answerMs)} (${runs[0]!.answer})\n`);
    for (let i = 1; i <= warmRuns; i += 1) {
      const run = await timeStart(clone, `warm ${i}`, ports, "paired");
      process.stderr.write(`[bench] warm ${i}: page ${seconds(run.pageMs)}, agent ${seconds(run.ms)}, answer ${seconds(run.answerMs)} (${run.answer})\n`);
      runs.push(run);
    }
    const section = report(runs, load, buildMs);
    writeResultsSection("start", section);
    process.stdout.write(`${section}\n`);
  } finally {
    rmSync(clone, { recursive: true, force: true, maxRetries: 3 });
  }
}

await main();
