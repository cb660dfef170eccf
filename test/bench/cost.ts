/**
 * What the corpus costs in segments three ways, shared by the benchmark and
 * the unit test that keeps the chunker within 5% of the lower bound.
 *
 * - ours: the send pipeline (flatten → chunkForSms with its defaults);
 * - plain split: the same flattened text cut every 1,500 characters with no
 *   normalization, as character-based SMS channels do;
 * - lower bound: each reply's flattened text after look-alike normalization,
 *   priced as one body packed without waste (⌈units / 153 or 67⌉, or 1 when
 *   it fits a single segment). Our pipeline can go below it, because a reply
 *   whose one emoji makes the whole body UCS-2 can send that paragraph alone.
 */
import { readFileSync } from "node:fs";
import { chunkForSms, totalSegments } from "../../src/outbound/chunk.ts";
import { flattenMarkdown } from "../../src/outbound/flatten.ts";
import { normalizeForGsm } from "../../src/outbound/normalize.ts";
import { analyzeSegments, SEGMENT_CAPACITY } from "../../src/outbound/segments.ts";

const PLAIN_SPLIT_CHARS = 1_500;

export function loadCorpus(): string[] {
  return readFileSync(new URL("./corpus.md", import.meta.url), "utf8")
    .split(/\n%%%\n/)
    .map((reply) => reply.trim())
    .filter(Boolean);
}

export type ReplyCost = { ours: number; parts: number; plainSplit: number; lowerBound: number; gsmAfterNormalizing: boolean };

export function replyCost(reply: string): ReplyCost {
  const plain = flattenMarkdown(reply);
  const parts = chunkForSms(plain);
  let plainSplit = 0;
  for (let at = 0; at < plain.length; at += PLAIN_SPLIT_CHARS) plainSplit += analyzeSegments(plain.slice(at, at + PLAIN_SPLIT_CHARS)).segments;
  const { encoding, units } = analyzeSegments(normalizeForGsm(plain));
  const capacity = SEGMENT_CAPACITY[encoding];
  const lowerBound = units === 0 ? 0 : units <= capacity.single ? 1 : Math.ceil(units / capacity.multi);
  return { ours: totalSegments(parts), parts: parts.length, plainSplit, lowerBound, gsmAfterNormalizing: encoding === "GSM-7" };
}

export type CostRow = { label: string; replies: number; ours: number; parts: number; plainSplit: number; lowerBound: number };

export function costRows(replies: readonly string[]): CostRow[] {
  const costs = replies.map(replyCost);
  const row = (label: string, picked: ReplyCost[]): CostRow => ({
    label,
    replies: picked.length,
    ours: picked.reduce((sum, cost) => sum + cost.ours, 0),
    parts: picked.reduce((sum, cost) => sum + cost.parts, 0),
    plainSplit: picked.reduce((sum, cost) => sum + cost.plainSplit, 0),
    lowerBound: picked.reduce((sum, cost) => sum + cost.lowerBound, 0),
  });
  return [
    row("GSM-7 once look-alikes are swapped", costs.filter((cost) => cost.gsmAfterNormalizing)),
    row("UCS-2 (emoji, non-Latin scripts)", costs.filter((cost) => !cost.gsmAfterNormalizing)),
    row("Whole corpus", costs),
  ];
}
