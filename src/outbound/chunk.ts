/**
 * Cuts a reply into SMS parts that bill the fewest segments. Pure.
 *
 * Twilio bills segments, not messages, and a part's segments depend on its
 * own encoding: a curly quote or an emoji turns a 1,500-character GSM-7 part
 * (10 segments) into UCS-2 (23). So instead of cutting greedily by length we
 * search cut plans, measuring each part after its own normalization.
 *
 * - Candidate cuts: from a start, scan forward while the part fits `maxChars`
 *   and, for every segment count the part could cost, keep the latest cut of
 *   each kind (paragraph, line, sentence, word) that no later, smoother cut at
 *   that count beats. A UCS-2 stretch makes the cost jump where it begins, so
 *   the break just before it is always a candidate: that is how an emoji
 *   paragraph gets its own part instead of dragging GSM-7 neighbours into
 *   UCS-2. A hard split (between graphemes) is a candidate only at a count
 *   with no natural cut at all (a long URL, unspaced script): we never break a
 *   word to claw back the septets between the last space and the segment
 *   edge. That can cost a segment only when the reply's total leaves almost
 *   no slack and no other arrangement of parts absorbs it.
 * - Objective, compared in order: (1) segments + 2 per extra part
 *   (EXTRA_PART_PRICE), so a split must save more than two segments to earn
 *   another message: an emoji paragraph in a long GSM-7 reply gets its own
 *   part (saving ~10), but a 310-septet body stays one 3-segment text rather
 *   than two 160s, and no reply is shredded to shave septets per part;
 *   (2) fewest hard splits; (3) fewest parts; (4) the smoothest cuts; (5) on a
 *   full tie, later cuts. Boundary preference never costs a segment: a
 *   paragraph break wins only among plans that bill the same.
 * - Search: forward over starts in text order. A start is dropped once a later
 *   start, or a finished plan, is reached at no worse score, because what
 *   follows the later start is a suffix of what follows this one and a shorter
 *   text never costs more. That keeps a 25,000-character reply to ~1,000 scans.
 * - Part markers ("(1/3) ") count toward both the character and segment
 *   limits; a one-part reply carries none.
 */
import { gsmForm } from "./normalize.ts";
import {
  analyzeSegments,
  atomSizes,
  createMeter,
  isGsm7,
  meterAdd,
  meterSegments,
  SEGMENT_CAPACITY,
  splitGraphemes,
  type SegmentMeter,
  type SmsEncoding,
} from "./segments.ts";

export type SmsPart = { readonly text: string; readonly encoding: SmsEncoding; readonly segments: number };

export type ChunkOptions = {
  /** Largest part in JS characters, 1..1600 (Twilio's Body limit). Default 1530: ten full GSM-7 segments. */
  maxChars?: number;
  /** Swap typographic look-alikes for GSM-7 in each part that they would make GSM-7. Default true. */
  normalize?: boolean;
  /** Prefix each part of a multi-part reply with "(i/n) ". Default false. */
  partMarkers?: boolean;
};

const DEFAULT_MAX_CHARS = 1530;
const TWILIO_BODY_LIMIT = 1600;
// The price of one more message, in segments. Twilio charges nothing for it,
// but each extra text is another notification and may arrive out of order.
// At 2 the benchmark corpus bills 0.90× the encoding lower bound with ~1.4 texts
// per reply; ½ reaches 0.69× but sends half again as many texts, cut mid-sentence.
export const EXTRA_PART_PRICE = 2;

// Smoothest first; the order is the preference among cuts that bill the same.
const CUT = { end: 0, paragraph: 1, line: 2, sentence: 3, word: 4, hard: 5 } as const;
type Cut = (typeof CUT)[keyof typeof CUT];
const CUT_KINDS = Object.keys(CUT).length;
const ROUGHNESS: Readonly<Record<Cut, number>> = [0, 0, 1, 2, 3, 4];

const TERMINALS = new Set([".", "!", "?", "…", "。", "！", "？"]);
const CLOSERS = new Set(['"', "'", ")", "]", "”", "’", "»", "」", "』", "）"]);
// Scripts written without spaces end sentences with these and no space follows.
const SPACELESS_TERMINALS = new Set(["。", "！", "？"]);

type Cell = {
  readonly raw: string;
  /** This grapheme's GSM-7 form, if it has one. */
  readonly gsm: string | undefined;
  readonly rawIsGsm: boolean;
  readonly gsmAtoms: readonly number[];
  readonly ucsAtoms: readonly number[];
  readonly space: boolean;
  readonly breaks: number;
};

/** A cut after a non-space cell, and where the next part starts. */
type Stop = { readonly cut: Cut; readonly next: number };
type Option = Stop & { readonly start: number; readonly end: number; readonly segments: number; readonly asGsm: boolean };
type Score = readonly [primary: number, hardCuts: number, parts: number, roughness: number];
type Step = { readonly score: Score; readonly option?: Option; readonly previous?: Step };

export function chunkForSms(text: string, options: ChunkOptions = {}): SmsPart[] {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 1 || maxChars > TWILIO_BODY_LIMIT) {
    throw new RangeError(`maxChars must be a whole number from 1 to ${TWILIO_BODY_LIMIT}, got ${maxChars}`);
  }
  const normalize = options.normalize ?? true;
  const graphemes = splitGraphemes(text);
  const plain = plan(graphemes, { maxChars, normalize, markerWidth: 0 });
  if (!options.partMarkers || plain.length <= 1) return plain.map(toPart);

  // A marker's width depends on how many parts there are, so widen the digits
  // until the plan needs no more parts than they can number.
  for (let digits = 1; ; digits++) {
    const markerWidth = "(/) ".length + 2 * digits;
    // No room for a marker and a character: send unmarked rather than fail.
    if (maxChars - markerWidth < 1) return plain.map(toPart);
    const texts = plan(graphemes, { maxChars, normalize, markerWidth });
    if (texts.length < 10 ** digits) {
      return texts.map((part, i) => toPart(texts.length > 1 ? `(${i + 1}/${texts.length}) ${part}` : part));
    }
  }
}

export function totalSegments(parts: readonly { readonly segments: number }[]): number {
  return parts.reduce((sum, part) => sum + part.segments, 0);
}

function toPart(text: string): SmsPart {
  const { encoding, segments } = analyzeSegments(text);
  return { text, encoding, segments };
}

type Limits = { readonly maxChars: number; readonly normalize: boolean; readonly markerWidth: number };

/** The cheapest plan's part texts, markers not yet added. */
function plan(graphemes: readonly string[], limits: Limits): string[] {
  const room = limits.maxChars - limits.markerWidth;
  const cells = toCells(graphemes, Math.min(room, SEGMENT_CAPACITY["UCS-2"].multi), limits.normalize);
  const first = cells.findIndex((cell) => !cell.space);
  if (first < 0) return [];
  const stops = findStops(cells);

  const reached = new Map<number, Step>([[first, { score: [0, 0, 0, 0] }]]);
  let done: Step | undefined;
  while (reached.size > 0) {
    const start = Math.min(...reached.keys());
    const here = reached.get(start) as Step;
    reached.delete(start);
    if (isDominated(here.score, reached.values(), done)) continue;
    const options = optionsFrom(cells, stops, start, room, limits.markerWidth);
    if (start === first && limits.markerWidth > 0) {
      // The whole reply as one part carries no marker.
      const whole = optionsFrom(cells, stops, start, limits.maxChars, 0).find((option) => option.cut === CUT.end);
      if (whole) options.push(whole);
    }
    for (const option of options) {
      const step: Step = { score: addPart(here.score, option), option, previous: here };
      const rival = option.cut === CUT.end ? done : reached.get(option.next);
      const order = rival ? compare(step.score, rival.score) : -1;
      // Starts arrive in text order, so on a tie the newcomer has the later cut.
      if (order > 0 || (order === 0 && (rival?.option?.start ?? -1) >= start)) continue;
      if (option.cut === CUT.end) done = step;
      else reached.set(option.next, step);
    }
  }

  const texts: string[] = [];
  for (let step = done; step?.option; step = step.previous) {
    const { start, end, asGsm } = step.option;
    const part = cells
      .slice(start, end)
      .map((cell) => (asGsm ? (cell.gsm as string) : cell.raw))
      .join("")
      // A part can open or close on a zero-width character that normalizes away.
      .trim();
    if (part) texts.unshift(part);
  }
  return texts;
}

function addPart(score: Score, option: Option): Score {
  return [
    score[0] + option.segments + EXTRA_PART_PRICE,
    score[1] + (option.cut === CUT.hard ? 1 : 0),
    score[2] + 1,
    score[3] + ROUGHNESS[option.cut],
  ];
}

function isDominated(score: Score, later: Iterable<Step>, done: Step | undefined): boolean {
  if (done && compare(done.score, score) <= 0) return true;
  for (const step of later) if (compare(step.score, score) <= 0) return true;
  return false;
}

function compare(a: Score, b: Score): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

// A grapheme longer than a part or a UCS-2 segment cannot stay whole anywhere,
// so it is cut between code points; surrogate pairs still never split.
function toCells(graphemes: readonly string[], longest: number, normalize: boolean): Cell[] {
  return graphemes
    .flatMap((grapheme) => (grapheme.length > longest ? Array.from(grapheme) : [grapheme]))
    .map((raw) => {
      const rawIsGsm = isGsm7(raw);
      const gsm = rawIsGsm ? raw : normalize ? gsmForm(raw) : undefined;
      return {
        raw,
        gsm,
        rawIsGsm,
        gsmAtoms: gsm === undefined ? [] : atomSizes(gsm, "GSM-7"),
        ucsAtoms: atomSizes(raw, "UCS-2"),
        space: /^\s+$/u.test(raw),
        breaks: raw === "\u2029" ? 2 : (raw.match(/\r\n|[\n\r\v\f\u0085\u2028]/gu)?.length ?? 0),
      };
    });
}

/** stops[p] is the cut after cell p-1, defined only where that cell is not a space. */
function findStops(cells: readonly Cell[]): (Stop | undefined)[] {
  const stops: (Stop | undefined)[] = new Array(cells.length + 1).fill(undefined);
  let solid = cells.length; // first non-space cell at or after p
  let breaks = 0; // line breaks in cells[p..solid)
  for (let p = cells.length; p >= 1; p--) {
    const before = cells[p - 1] as Cell;
    if (before.space) {
      breaks += before.breaks;
      continue;
    }
    stops[p] = { cut: cutAt(cells, p, solid, breaks), next: solid };
    solid = p - 1;
    breaks = 0;
  }
  return stops;
}

function cutAt(cells: readonly Cell[], p: number, solid: number, breaks: number): Cut {
  if (solid === cells.length) return CUT.end;
  if (solid === p) return SPACELESS_TERMINALS.has((cells[p - 1] as Cell).raw) ? CUT.sentence : CUT.hard;
  if (breaks >= 2) return CUT.paragraph;
  if (breaks === 1) return CUT.line;
  let last = p - 1;
  while (last > 0 && CLOSERS.has((cells[last] as Cell).raw)) last--;
  return TERMINALS.has((cells[last] as Cell).raw) ? CUT.sentence : CUT.word;
}

/** The cuts worth trying from `start`, at most one per (segment count, kind). */
function optionsFrom(
  cells: readonly Cell[],
  stops: readonly (Stop | undefined)[],
  start: number,
  room: number,
  markerWidth: number,
): Option[] {
  const gsm = seeded("GSM-7", markerWidth);
  const ucs = seeded("UCS-2", markerWidth);
  let gsmLength = 0;
  let rawLength = 0;
  let gsmOk = true;
  let rawGsm = true;
  // Indexed by segments * CUT_KINDS + cut.
  const ends: number[] = [];
  const viaGsm: boolean[] = [];
  for (let p = start + 1; p <= cells.length; p++) {
    const cell = cells[p - 1] as Cell;
    rawLength += cell.raw.length;
    rawGsm &&= cell.rawIsGsm;
    for (let i = 0; i < cell.ucsAtoms.length; i++) meterAdd(ucs, cell.ucsAtoms[i] as number);
    if (gsmOk && cell.gsm !== undefined) {
      gsmLength += cell.gsm.length;
      for (let i = 0; i < cell.gsmAtoms.length; i++) meterAdd(gsm, cell.gsmAtoms[i] as number);
    } else {
      gsmOk = false;
    }
    // A lone cell always fits raw, or an astral character could never go out with maxChars 1.
    const alone = p === start + 1;
    const gsmFits = gsmOk && gsmLength <= room;
    const rawFits = !rawGsm && (rawLength <= room || alone);
    if (!gsmFits && rawLength > room && !alone) break;

    const stop = stops[p];
    if (!stop || (!gsmFits && !rawFits)) continue;
    // Text that is already GSM-7 is its own GSM-7 form; otherwise send
    // whichever of normalized GSM-7 or raw UCS-2 bills less.
    const gsmSegments = gsmFits ? meterSegments(gsm) : Infinity;
    const ucsSegments = rawFits ? meterSegments(ucs) : Infinity;
    const asGsm = gsmSegments <= ucsSegments;
    const slot = (asGsm ? gsmSegments : ucsSegments) * CUT_KINDS + stop.cut;
    ends[slot] = p;
    viaGsm[slot] = asGsm;
  }

  const options: Option[] = [];
  for (let level = 0; level < ends.length; level += CUT_KINDS) {
    let reach = -1;
    for (let cut = 0; cut < CUT_KINDS; cut++) {
      const end = ends[level + cut];
      // Kinds run smoothest first, so a kept cut is later than every smoother one.
      if (end === undefined || end <= reach || (cut === CUT.hard && reach >= 0)) continue;
      const stop = stops[end] as Stop;
      options.push({ ...stop, start, end, segments: level / CUT_KINDS, asGsm: viaGsm[level + cut] as boolean });
      reach = end;
    }
  }
  return options;
}

function seeded(encoding: SmsEncoding, markerWidth: number): SegmentMeter {
  const meter = createMeter(encoding);
  for (let i = 0; i < markerWidth; i++) meterAdd(meter, 1);
  return meter;
}
