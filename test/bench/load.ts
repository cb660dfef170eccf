// Load benchmark (not a test): a real gateway with the packed plugin, the
// deterministic echo model and the Twilio emulator. Two scenarios, the second run twice:
//   burst:     100 allow-listed senders × 1 text within 5 s (default limits)
//   sustained: 500 texts from 50 senders within 30 s (messagesPerMinute raised to 1000),
//              then 500 more from the same senders (steady state: RSS should stop growing)
// It reports acks, replies per inbound (exactly once?), /readyz throughout,
// gateway RSS and time to the last answer. Run: `npm run bench:load`.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import { packPlugin, unpackPlugin } from "../../sandbox/gateway/plugin-package.ts";
import { editChannelConfig, startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startModelServer } from "../../sandbox/model/server.ts";
import { writeResultsSection } from "./results.ts";

const ACCOUNT_SID = `AC${"b".repeat(32)}`;
const TOKEN = "bench-load-token-0123456789abcdef";
const FROM = "+15550004001";
const sender = (i: number) => `+1555126${String(i).padStart(4, "0")}`;
const BURST_SENDERS = Array.from({ length: 100 }, (_, i) => sender(i));
const SUSTAINED_SENDERS = Array.from({ length: 50 }, (_, i) => sender(1000 + i));
const ANSWER_TIMEOUT_MS = 600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

type Result = {
  scenario: string;
  texts: number;
  senders: number;
  sendWindowS: number;
  acked200: number;
  otherStatuses: Record<string, number>;
  answeredOnce: number;
  answeredTwiceOrMore: number;
  unanswered: number;
  timeToLastAnswerS: number;
  readyzChecks: number;
  readyzNot200: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
};

async function scenario(
  name: string,
  gateway: GatewayHandle,
  emulator: Awaited<ReturnType<typeof startTwilioEmulator>>,
  plan: { from: string; body: string; atMs: number }[],
  windowMs: number,
): Promise<Result> {
  emulator.reset();
  const webhookUrl = `${gateway.baseUrl}/twilio-sms/webhook`;
  const rssBefore = rssMiB(gateway.pid());
  let rssPeak = rssBefore;
  let checks = 0;
  let not200 = 0;
  let running = true;
  const health = (async () => {
    while (running) {
      const response = await fetch(`${gateway.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      checks += 1;
      if (response?.status !== 200) not200 += 1;
      rssPeak = Math.max(rssPeak, rssMiB(gateway.pid()));
      await sleep(250);
    }
  })();

  const started = Date.now();
  const statuses = await Promise.all(
    plan.map(async ({ from, body, atMs }) => {
      await sleep(atMs);
      const response = await emulator.sendInboundSms({ webhookUrl, from, to: FROM, body }).catch(() => undefined);
      return response?.status ?? 0;
    }),
  );
  const expected = new Set(plan.map(({ from, body }) => `${from} ${body}`));
  // The echo model answers "Echo: <text>". A text that waited over 2 minutes reaches it after a
  // "sent N minutes ago" line, so its echo is "Echo: <that line>" with the text on a line of its own.
  const replyCounts = () => {
    const counts = new Map<string, number>();
    for (const message of emulator.messages) {
      const key = message.body
        .split("\n")
        .map((line) => `${message.to} ${line.replace(/^Echo: /, "")}`)
        .find((candidate) => expected.has(candidate));
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  let lastAnswerAt = Date.now();
  let seen = 0;
  while (Date.now() < deadline) {
    const answered = replyCounts().size;
    if (answered !== seen) {
      seen = answered;
      lastAnswerAt = Date.now();
      if (answered % 25 === 0) process.stderr.write(`${name}: ${answered}/${expected.size} answered after ${Math.round((lastAnswerAt - started) / 1000)} s\n`);
    }
    if (answered >= expected.size) break;
    await sleep(200);
  }
  // Anything sent twice shows up shortly after the last first answer.
  await sleep(3_000);
  running = false;
  await health;
  const counts = replyCounts();
  const otherStatuses: Record<string, number> = {};
  for (const status of statuses.filter((value) => value !== 200)) otherStatuses[String(status)] = (otherStatuses[String(status)] ?? 0) + 1;
  return {
    scenario: name,
    texts: plan.length,
    senders: new Set(plan.map(({ from }) => from)).size,
    sendWindowS: windowMs / 1000,
    acked200: statuses.filter((status) => status === 200).length,
    otherStatuses,
    answeredOnce: [...counts.values()].filter((count) => count === 1).length,
    answeredTwiceOrMore: [...counts.values()].filter((count) => count > 1).length,
    unanswered: expected.size - counts.size,
    timeToLastAnswerS: Math.round((lastAnswerAt - started) / 100) / 10,
    readyzChecks: checks,
    readyzNot200: not200,
    rssBeforeMiB: rssBefore,
    rssPeakMiB: rssPeak,
    rssAfterMiB: rssMiB(gateway.pid()),
  };
}

function report(results: Result[], lines: { refusals: number; retirements: number }): string {
  const row = (r: Result) =>
    `| ${r.scenario} | ${r.acked200}/${r.texts}${Object.keys(r.otherStatuses).length ? ` (${JSON.stringify(r.otherStatuses)})` : ""} | ${r.answeredOnce} | ${r.answeredTwiceOrMore} | ${r.unanswered} | ${r.timeToLastAnswerS} s | ${r.readyzChecks - r.readyzNot200}/${r.readyzChecks} | ${r.rssBeforeMiB} / ${r.rssPeakMiB} / ${r.rssAfterMiB} |`;
  return [
    "## Load: a real gateway under a burst and a steady stream (`npm run bench:load`, test/bench/load.ts)",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((value) => value.toFixed(1)).join(" / ")} at the end; the deterministic echo model and the Twilio emulator; default limits (\`maxConcurrentTurns\` 4).`,
    "",
    "| scenario | acked 200 | answered once | answered twice+ | unanswered | time to last answer | /readyz 200 | gateway RSS MiB before / peak / after |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(row),
    "",
    `Gateway log: ${lines.refusals} \`answered 429\` line(s), ${lines.retirements} \`forced retirement\` line(s).`,
  ].join("\n");
}

async function main() {
  const packed = await packPlugin();
  const pluginDir = await unpackPlugin(packed.tarball, join(packed.dir, "package"));
  const emulator = await startTwilioEmulator({ accounts: [{ accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM] }] });
  const model = await startModelServer();
  let gateway: GatewayHandle | undefined;
  try {
    gateway = await startGateway({
      pluginDir,
      modelUrl: model.url,
      startTimeoutMs: 300_000,
      channelConfig: {
        accountSid: ACCOUNT_SID,
        authToken: TOKEN,
        fromNumber: FROM,
        apiBaseUrl: emulator.url,
        allowFrom: [...BURST_SENDERS, ...SUSTAINED_SENDERS],
      },
    });
    const results: Result[] = [];
    const burst = BURST_SENDERS.map((from, i) => ({ from, body: `burst ${i}`, atMs: Math.floor((i * 5_000) / BURST_SENDERS.length) }));
    results.push(await scenario("100 senders × 1 text in 5 s (default limits)", gateway, emulator, burst, 5_000));

    const from = gateway.logs().length;
    await editChannelConfig(gateway, (section) => {
      section.limits = { messagesPerMinute: 1000 };
    });
    await gateway.waitForLog(/\[twilio-sms:default\] listening on/, 120_000, { from });
    const sustained = Array.from({ length: 500 }, (_, i) => ({
      from: SUSTAINED_SENDERS[i % SUSTAINED_SENDERS.length]!,
      body: `sustained ${i}`,
      atMs: Math.floor((i * 30_000) / 500),
    }));
    results.push(await scenario("500 texts from 50 senders in 30 s (messagesPerMinute 1000)", gateway, emulator, sustained, 30_000));
    // The same people again: their sessions exist now, so RSS that still grows here would be a leak per text.
    const again = sustained.map((text, i) => ({ ...text, body: `again ${i}` }));
    results.push(await scenario("the same 50 senders, 500 more texts in 30 s", gateway, emulator, again, 30_000));

    const refusals = gateway.logs().match(/answered 429/g)?.length ?? 0;
    const retirements = gateway.logs().match(/forced retirement/g)?.length ?? 0;
    console.log(JSON.stringify({ results, logLines: { answered429: refusals, forcedRetirement: retirements } }, null, 2));
    writeResultsSection("load", report(results, { refusals, retirements }));
  } finally {
    await gateway?.stop();
    await model.close();
    await emulator.close();
    await rm(packed.dir, { recursive: true, force: true });
  }
}

await main();
