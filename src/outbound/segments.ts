/**
 * SMS segment maths as Twilio bills it. Pure: no I/O, clock or env.
 *
 * Twilio's calculator (TwilioDevEd/message-segment-calculator) packs a body
 * into 140-octet segments one grapheme at a time and moves any grapheme that
 * does not fit whole into the next segment, so an ESC pair, a surrogate pair or
 * an emoji sequence is never split. The count is therefore not ceil(units/153):
 * a flag that straddles a boundary costs the rest of the segment. We pack the
 * same way, with three documented differences from the calculator:
 * - graphemes come from Intl.Segmenter (current Unicode); the calculator's
 *   grapheme-splitter predates Unicode 11 and splits newer ZWJ sequences such
 *   as ❤️‍🔥 and Indic conjuncts, so those may land differently at a boundary;
 * - CRLF stays two atoms, as in the calculator, which splits "\r\n" explicitly;
 * - a grapheme longer than a whole multipart segment (Zalgo-style mark piles)
 *   is packed code point by code point, because no handset could receive it
 *   whole; the calculator overflows its segment instead.
 */

export type SmsEncoding = "GSM-7" | "UCS-2";

export type SegmentAnalysis = {
  readonly encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters cost 2), UTF-16 code units for UCS-2. */
  readonly units: number;
  /** Billed segments; 0 for the empty body, which is never sent. */
  readonly segments: number;
  /** Capacity of each segment of this body: 160/70 when it fits one, else 153/67 (6-octet UDH). */
  readonly unitsPerSegment: number;
};

/** Single-segment and multipart (UDH-carrying) capacity per encoding. */
export const SEGMENT_CAPACITY = Object.freeze({
  "GSM-7": Object.freeze({ single: 160, multi: 153 }),
  "UCS-2": Object.freeze({ single: 70, multi: 67 }),
});

// 3GPP TS 23.038 default alphabet in code order 0x00–0x7F, so a reviewer can
// check it against the spec row by row. 0x1B is ESC, the switch into the
// extension table: a body cannot carry it as a character, so the set omits it.
const BASIC_TABLE =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const ESC = 0x1b;

/** The GSM-7 basic table as code points, 128 positions minus ESC. */
export const GSM7_BASIC_TABLE = BASIC_TABLE;
export const GSM7_BASIC: ReadonlySet<string> = frozenSet([...BASIC_TABLE].filter((_, code) => code !== ESC));
/** Reached through ESC, so each costs 2 septets. */
export const GSM7_EXTENSION: ReadonlySet<string> = frozenSet([..."\f^{}\\[~]|€"]);

// Object.freeze alone leaves a Set's add/delete working; these tables are
// shared by every account, so mutation must fail loudly.
function frozenSet(chars: readonly string[]): ReadonlySet<string> {
  const set = new Set(chars);
  for (const method of ["add", "delete", "clear"]) {
    Object.defineProperty(set, method, {
      value: () => {
        throw new TypeError("GSM-7 tables are immutable");
      },
    });
  }
  return Object.freeze(set);
}

export function isGsm7(text: string): boolean {
  // Every GSM-7 character is in the BMP, so a lone surrogate never matches.
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return false;
  }
  return true;
}

// Grapheme rules are locale-independent; "und" keeps the host locale out.
const graphemeSegmenter = new Intl.Segmenter("und", { granularity: "grapheme" });

export function splitGraphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (part) => part.segment);
}

/**
 * Sizes of the pieces of one grapheme that Twilio packs indivisibly, in the
 * given encoding. A GSM-7 grapheme is a single character (or CRLF), so packing
 * per character is the same as per grapheme and keeps ESC pairs whole.
 */
export function atomSizes(grapheme: string, encoding: SmsEncoding): number[] {
  if (encoding === "GSM-7") {
    return Array.from(grapheme, (char) => (GSM7_EXTENSION.has(char) ? 2 : 1));
  }
  if (grapheme === "\r\n") return [1, 1];
  if (grapheme.length > SEGMENT_CAPACITY["UCS-2"].multi) {
    return Array.from(grapheme, (codePoint) => codePoint.length);
  }
  return [grapheme.length];
}

/**
 * Running greedy packing, so a chunker can extend a part one grapheme at a
 * time. Mutable because the chunker feeds it millions of atoms per reply.
 */
export type SegmentMeter = {
  readonly encoding: SmsEncoding;
  readonly single: number;
  readonly multi: number;
  units: number;
  /** Segments used if the body goes multipart. */
  packed: number;
  /** Units in the last multipart segment. */
  fill: number;
};

export function createMeter(encoding: SmsEncoding): SegmentMeter {
  return { encoding, ...SEGMENT_CAPACITY[encoding], units: 0, packed: 0, fill: 0 };
}

export function meterAdd(meter: SegmentMeter, size: number): void {
  meter.units += size;
  if (meter.packed > 0 && meter.fill + size <= meter.multi) {
    meter.fill += size;
  } else {
    meter.packed += 1;
    meter.fill = size;
  }
}

// Packing with the multipart capacity from the first unit equals the
// calculator's "fill 160, then add a UDH and reflow" whenever the body
// overflows one segment, because both keep the longest prefix that fits.
export function meterSegments(meter: SegmentMeter): number {
  if (meter.units === 0) return 0;
  return meter.units <= meter.single ? 1 : meter.packed;
}

export function analyzeSegments(text: string): SegmentAnalysis {
  const encoding: SmsEncoding = isGsm7(text) ? "GSM-7" : "UCS-2";
  const meter = createMeter(encoding);
  for (const grapheme of splitGraphemes(text)) {
    for (const size of atomSizes(grapheme, encoding)) meterAdd(meter, size);
  }
  const segments = meterSegments(meter);
  const capacity = SEGMENT_CAPACITY[encoding];
  return { encoding, units: meter.units, segments, unitsPerSegment: segments > 1 ? capacity.multi : capacity.single };
}
