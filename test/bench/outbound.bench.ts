// `npm run bench`: (a) segments billed for the corpus by our pipeline, by a
// plain 1,500-character split and at the lower bound; (b) pipeline throughput
// for 1 KB and 10 KB replies. Prints both tables and rewrites RESULTS.md.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { afterAll, expect, test } from "vitest";
import { costRows, loadCorpus, type CostRow } from "./cost.ts";
import { writeResultsSection } from "./results.ts";

// Timing runs on the sources loaded by Node itself (it strips the types):
// through vitest's module runner every call to an imported function goes
// through an export getter, which the chunker's inner loop would pay for
// millions of times per reply.
const load = createRequire(import.meta.url);
const { chunkForSms } = load("../../src/outbound/chunk.ts") as typeof import("../../src/outbound/chunk.ts");
const { flattenMarkdown } = load("../../src/outbound/flatten.ts") as typeof import("../../src/outbound/flatten.ts");

type Throughput = { label: string; bytes: number; repliesPerSecond: number; meanMs: number; p99Ms: number; samples: number };

const corpus = loadCorpus();
let cost: CostRow[] = [];
const throughput: Throughput[] = [];

/** Corpus replies back to back, cut at a space so the reply is at most `bytes` of UTF-8. */
function replyOf(bytes: number): string {
  let text = "";
  for (let i = 0; Buffer.byteLength(text) < bytes; i++) text += `${corpus[i % corpus.length]}\n\n`;
  while (Buffer.byteLength(text) > bytes) text = text.slice(0, text.trimEnd().lastIndexOf(" "));
  return text.trim();
}

const ratio = (a: number, b: number) => (a / b).toFixed(2);

function costTable(rows: readonly CostRow[]): string {
  return [
    "| Replies | Count | Ours (segments) | Ours (texts) | Plain 1,500-char split | Lower bound | Ours ÷ bound | Split ÷ ours |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.replies} | ${row.ours} | ${row.parts} | ${row.plainSplit} | ${row.lowerBound} | ${ratio(row.ours, row.lowerBound)} | ${ratio(row.plainSplit, row.ours)} |`,
    ),
  ].join("\n");
}

function throughputTable(rows: readonly Throughput[]): string {
  return [
    "| Reply | UTF-8 bytes | Replies/s | Mean ms | p99 ms | Samples |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) => `| ${row.label} | ${row.bytes} | ${Math.round(row.repliesPerSecond)} | ${row.meanMs.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${row.samples} |`,
    ),
  ].join("\n");
}

function machine(): string {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown CPU";
  return `${availableParallelism()} CPUs (nproc), ${cpu}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

test("segments billed: our pipeline vs a plain 1,500-character split vs the lower bound", () => {
  cost = costRows(corpus);
  console.log(`\n${costTable(cost)}\n`);
  const total = cost.at(-1)!;
  expect(total.ours).toBeLessThanOrEqual(1.05 * total.lowerBound);
});

test.for([
  ["1 KB", 1_024],
  ["10 KB", 10_240],
] as const)("pipeline throughput (flatten → chunkForSms), %s reply", async ([label, bytes], { bench }) => {
  const reply = replyOf(bytes);
  const result = await bench(`${label} reply`, () => {
    chunkForSms(flattenMarkdown(reply));
  }).run({ time: 3_000, warmupTime: 500 });
  throughput.push({
    label,
    bytes: Buffer.byteLength(reply),
    repliesPerSecond: result.throughput.mean,
    meanMs: result.latency.mean,
    p99Ms: result.latency.p99,
    samples: result.latency.samplesCount,
  });
});

afterAll(() => {
  if (cost.length === 0 || throughput.length === 0) return;
  console.log(`\n${throughputTable(throughput)}\n\nMachine: ${machine()}\n`);
  const results = [
    "## Outbound: segments and throughput (`npm run bench`, test/bench/outbound.bench.ts)",
    "",
    `Machine: ${machine()}. Run: ${new Date().toISOString().slice(0, 10)}.`,
    "",
    `### Segments billed for the corpus (${corpus.length} replies in test/bench/corpus.md)`,
    "",
    "- Ours: flatten → chunkForSms with defaults (1,530-character parts, look-alike normalization on).",
    "- Plain split: the same flattened text cut every 1,500 characters, no normalization.",
    "- Lower bound: each reply's normalized text priced as one body with no packing waste.",
    "  Ours can go below it by sending a UCS-2 stretch (an emoji paragraph) as its own text.",
    "",
    costTable(cost),
    "",
    "### Pipeline throughput (one core)",
    "",
    throughputTable(throughput),
    "",
  ].join("\n");
  writeResultsSection("outbound", results);
});
