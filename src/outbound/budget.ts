/**
 * The spend guard: a cap on the segments one reply may bill, and an optional
 * per-recipient daily allowance. Pure: the caller holds each recipient's tally
 * and the clock, so the same rules can later sit on durable storage.
 *
 * A reply over its cap is not refused but cut short, at a word (a sentence or
 * paragraph when one is close), and ends with a notice, so the reader knows
 * text is missing instead of receiving a reply that stops mid-thought. The
 * notice is priced inside the cap.
 */
import { chunkForSms, totalSegments, type ChunkOptions, type SmsPart } from "./chunk.ts";
import { maskPhone } from "../mask.ts";
import { SEGMENT_CAPACITY, splitGraphemes } from "./segments.ts";

/** "…" becomes "..." in a GSM-7 part; a UCS-2 part keeps the single character. */
export const TRUNCATION_NOTICE = "[…truncated]";

/** Segments sent to one recipient on one UTC day. */
export type DailyTally = { readonly day: string; readonly segments: number };

export type ReplyPlan =
  | { kind: "send"; parts: SmsPart[]; truncated: boolean }
  | { kind: "refuse"; reason: string };

// Every character that survives normalization costs at least one unit and a
// segment holds at most 160, so no longer text can fit. (Zero-width characters
// normalize away; a reply made of them may be cut shorter than it had to be.)
const MOST_CHARS_PER_SEGMENT = SEGMENT_CAPACITY["GSM-7"].single;
// A sentence end this close to the latest word that fits is worth the loss.
const SENTENCE_SLACK_CHARS = SEGMENT_CAPACITY["GSM-7"].multi;

/** The UTC calendar day of an epoch-milliseconds instant, e.g. "2026-11-24". */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Infinity when there is no daily limit; a tally from another day counts nothing. */
export function segmentsLeftToday(tally: DailyTally | undefined, limit: number | undefined, day: string): number {
  if (limit === undefined) return Infinity;
  const used = tally?.day === day ? tally.segments : 0;
  return Math.max(0, limit - used);
}

export function addToTally(tally: DailyTally | undefined, day: string, segments: number): DailyTally {
  return { day, segments: (tally?.day === day ? tally.segments : 0) + segments };
}

/** Chunks `text` and fits it under both caps, or says why nothing may be sent. */
export function planReply(params: {
  text: string;
  chunk: ChunkOptions;
  maxSegmentsPerReply: number;
  segmentsLeftToday: number;
}): ReplyPlan {
  const { text, chunk, maxSegmentsPerReply, segmentsLeftToday: left } = params;
  const cap = Math.min(maxSegmentsPerReply, left);
  // Chunking a 100 KB reply whole takes most of a second; one longer than
  // any cap-sized prefix can be cannot fit anyway.
  if (text.length <= cap * MOST_CHARS_PER_SEGMENT) {
    const parts = chunkForSms(text, chunk);
    if (totalSegments(parts) <= cap) return { kind: "send", parts, truncated: false };
  }
  if (cap < 1) {
    if (!text.trim()) return { kind: "send", parts: [], truncated: false };
    return { kind: "refuse", reason: "today's segment budget for this number is spent (dailySegmentsPerRecipient); it resets at 00:00 UTC" };
  }
  return { kind: "send", parts: truncate(text, cap, chunk), truncated: true };
}

/** Refused by the daily budget before anything reached Twilio. */
export class SpendGuardError extends Error {
  readonly code = "TWILIO_SMS_BUDGET";
  constructor(to: string, reason: string) {
    super(`twilio-sms: nothing was sent to ${maskPhone(to)}: ${reason}`);
    this.name = "SpendGuardError";
  }
}

function truncate(text: string, cap: number, chunk: ChunkOptions): SmsPart[] {
  const limit = cap * MOST_CHARS_PER_SEGMENT;
  const attempt = (end: number) => chunkForSms(withNotice(text.slice(0, end)), chunk);
  const fits = (end: number) => totalSegments(attempt(end)) <= cap;

  const words = wordEnds(text, limit);
  let end = lastFitting(words, fits);
  // One unbroken run (a long URL, unspaced script) has no word end to use.
  if (end === undefined) end = lastFitting(graphemeEnds(text, limit), fits) ?? 0;
  const sentence = sentenceEnds(text, end).findLast((at) => at >= end - SENTENCE_SLACK_CHARS);
  // The chunker may bill a shorter text one segment more (see lastFitting), so the sentence end must fit too.
  const parts = sentence === undefined ? undefined : attempt(sentence);
  return parts && totalSegments(parts) <= cap ? parts : attempt(end);
}

function withNotice(prefix: string): string {
  const kept = prefix.trimEnd();
  return kept ? `${kept}\n${TRUNCATION_NOTICE}` : TRUNCATION_NOTICE;
}

/**
 * The largest candidate that fits, by bisection. Cost grows with the prefix
 * almost everywhere; where the chunker trades a segment for a part the search
 * may settle a word short, which is the safe side.
 */
function lastFitting(candidates: readonly number[], fits: (end: number) => boolean): number | undefined {
  let low = 0;
  let high = candidates.length - 1;
  let best: number | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const end = candidates[mid] as number;
    if (fits(end)) {
      best = end;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/** Offsets just after each word, up to `limit`. */
function wordEnds(text: string, limit: number): number[] {
  const ends: number[] = [];
  for (const match of text.slice(0, limit + 1).matchAll(/\S(?=\s)/gu)) ends.push(match.index + match[0].length);
  return ends;
}

function graphemeEnds(text: string, limit: number): number[] {
  const ends: number[] = [];
  let at = 0;
  for (const grapheme of splitGraphemes(text.slice(0, limit))) ends.push((at += grapheme.length));
  return ends;
}

/** Offsets, up to `end`, just after a sentence's closing punctuation or before a line break. */
function sentenceEnds(text: string, end: number): number[] {
  const ends: number[] = [];
  for (const match of text.slice(0, end + 1).matchAll(/[.!?…。！？]["'”’)\]]*(?=\s)|\S(?=[ \t]*\n)/gu)) {
    const at = match.index + match[0].length;
    if (at <= end) ends.push(at);
  }
  return ends;
}
