import { SegmentedMessage } from "sms-segments-calculator";
import unicodeToGsmModule from "sms-segments-calculator/dist/libs/UnicodeToGSM.js";
import { describe, expect, it } from "vitest";
import {
  analyzeSegments,
  GSM7_BASIC,
  GSM7_BASIC_TABLE,
  GSM7_EXTENSION,
  isGsm7,
  splitGraphemes,
} from "../../src/outbound/segments.ts";
import { seeded } from "../support/random.ts";

// CommonJS default export: Vitest unwraps `exports.default`, plain Node does not.
const loaded = unicodeToGsmModule as unknown as Record<string, number[]> & { default?: Record<string, number[]> };
const unicodeToGsm = loaded.default ?? loaded;

const digits = (n: number) => "1234567890".repeat(Math.ceil(n / 10)).slice(0, n);
const latin = (n: number) => "abcdefghij".repeat(Math.ceil(n / 10)).slice(0, n);
// ç is 1 UTF-16 unit and not GSM-7 (only capital Ç is).
const ucs = (n: number) => "ç".repeat(n);

describe("analyzeSegments golden vectors (research/twilio.md §5)", () => {
  it.each([
    ["'{' + 158 digits: 160 septets", "{" + digits(158), "GSM-7", 160, 1],
    ["'{' + 159 digits: 161 septets", "{" + digits(159), "GSM-7", 161, 2],
    ["'😜' + 68 digits: 70 units", "😜" + digits(68), "UCS-2", 70, 1],
    ["'😜' + 69 digits: 71 units", "😜" + digits(69), "UCS-2", 71, 2],
    ["GSM 160", latin(160), "GSM-7", 160, 1],
    ["GSM 161", latin(161), "GSM-7", 161, 2],
    ["GSM 306", latin(306), "GSM-7", 306, 2],
    ["GSM 307", latin(307), "GSM-7", 307, 3],
    ["GSM 1530", latin(1530), "GSM-7", 1530, 10],
    ["GSM 1531", latin(1531), "GSM-7", 1531, 11],
    ["GSM 1600", latin(1600), "GSM-7", 1600, 11],
    ["80 × '{'", "{".repeat(80), "GSM-7", 160, 1],
    ["81 × '{'", "{".repeat(81), "GSM-7", 162, 2],
    ["UCS-2 70", ucs(70), "UCS-2", 70, 1],
    ["UCS-2 71", ucs(71), "UCS-2", 71, 2],
    ["UCS-2 134", ucs(134), "UCS-2", 134, 2],
    ["UCS-2 135", ucs(135), "UCS-2", 135, 3],
    ["35 emoji", "😀".repeat(35), "UCS-2", 70, 1],
    ["36 emoji", "😀".repeat(36), "UCS-2", 72, 2],
    ["152 GSM + one Unicode character", latin(152) + "ç", "UCS-2", 153, 3],
    ["empty body is never sent", "", "GSM-7", 0, 0],
  ])("%s", (_name, text, encoding, units, segments) => {
    expect(analyzeSegments(text)).toMatchObject({ encoding, units, segments });
  });

  it.each([
    ["single GSM-7", latin(10), 160],
    ["multipart GSM-7", latin(161), 153],
    ["single UCS-2", ucs(10), 70],
    ["multipart UCS-2", ucs(71), 67],
  ])("reports the per-segment capacity: %s", (_name, text, unitsPerSegment) => {
    expect(analyzeSegments(text).unitsPerSegment).toBe(unitsPerSegment);
  });
});

describe("atomic packing: nothing straddles a segment", () => {
  it.each([
    // 152 septets then "{" (2): 154 > 153, so the ESC pair moves whole to segment 2.
    ["ESC pair at the 153rd septet", latin(152) + "{" + latin(7), "GSM-7", 161, 2],
    ["ESC pair pushed into a third segment", latin(152) + "{" + latin(152), "GSM-7", 306, 3],
    ["surrogate pair at the 67th unit", ucs(66) + "😀" + ucs(66), "UCS-2", 134, 3],
    ["flag (4 units) straddling a boundary", ucs(65) + "🇺🇸" + ucs(65), "UCS-2", 134, 3],
    ["ZWJ family (11 units) kept whole", ucs(60) + "👨‍👩‍👧‍👦" + ucs(63), "UCS-2", 134, 3],
    ["CRLF may split, as in the calculator", ucs(66) + "\r\n" + ucs(66), "UCS-2", 134, 2],
  ])("%s", (_name, text, encoding, units, segments) => {
    expect(analyzeSegments(text)).toMatchObject({ encoding, units, segments });
    expect(new SegmentedMessage(text).segmentsCount).toBe(segments);
  });

  it("keeps a ZWJ sequence newer than the calculator's Unicode tables whole", () => {
    // grapheme-splitter (Unicode 10) cuts ❤️‍🔥 after the ZWJ and can fit its
    // first half into segment 1; Intl.Segmenter keeps all 5 units together.
    const text = ucs(64) + "❤️‍🔥" + ucs(65);
    expect(splitGraphemes("❤️‍🔥")).toHaveLength(1);
    expect(analyzeSegments(text)).toMatchObject({ units: 134, segments: 3 });
    expect(new SegmentedMessage(text).segmentsCount).toBe(2);
  });

  it("packs a grapheme longer than a segment code point by code point", () => {
    const zalgo = "a" + "\u0301".repeat(80);
    expect(splitGraphemes(zalgo)).toHaveLength(1);
    expect(analyzeSegments(zalgo)).toMatchObject({ encoding: "UCS-2", units: 81, segments: 2 });
  });
});

describe("GSM-7 tables", () => {
  it("lists 128 basic positions with ESC at 0x1B, which is not a body character", () => {
    expect([...GSM7_BASIC_TABLE]).toHaveLength(128);
    expect(GSM7_BASIC_TABLE.charCodeAt(0x1b)).toBe(0x1b);
    expect(GSM7_BASIC.size).toBe(127);
    expect(GSM7_BASIC.has("\u001b")).toBe(false);
    expect(isGsm7("\u001b")).toBe(false);
  });

  it("has the ten extension characters", () => {
    expect([...GSM7_EXTENSION].sort()).toEqual([..."\f^{}\\[~]|€"].sort());
  });

  it("matches the calculator's Unicode→GSM map exactly", () => {
    const theirs = Object.keys(unicodeToGsm).map((code) => String.fromCharCode(Number(code)));
    const theirExtension = theirs.filter((char) => unicodeToGsm[char.charCodeAt(0)]?.length === 2);
    expect([...GSM7_BASIC, ...GSM7_EXTENSION].sort()).toEqual(theirs.sort());
    expect([...GSM7_EXTENSION].sort()).toEqual(theirExtension.sort());
  });

  it("cannot be mutated", () => {
    expect(() => (GSM7_BASIC as Set<string>).add("ç")).toThrow(TypeError);
    expect(() => (GSM7_EXTENSION as Set<string>).delete("€")).toThrow(TypeError);
    expect(GSM7_BASIC.has("ç")).toBe(false);
  });

  it.each([
    ["capital Ç is GSM-7", "Ç", true],
    ["lowercase ç is not", "ç", false],
    ["backtick is not", "`", false],
    ["ê is not", "ê", false],
    ["Greek capitals in the table", "ΔΦΓΛΩΠΨΣΘΞ", true],
    ["Greek capital Alpha is not (it looks like A)", "Α", false],
    ["extension characters", "{}[]~\\|^€\f", true],
    ["CR, LF, space", "\r\n ", true],
    ["tab is not", "\t", false],
    ["curly quote is not", "“", false],
    ["emoji is not", "😀", false],
    ["empty string", "", true],
  ])("isGsm7: %s", (_name, text, expected) => {
    expect(isGsm7(text)).toBe(expected);
  });
});

describe("analyzeSegments agrees with Twilio's calculator", () => {
  const pools = {
    gsm: [...GSM7_BASIC].filter((char) => char !== "\r"),
    extension: [...GSM7_EXTENSION],
    latinNonGsm: [..."çêáíóúâôãõœ"],
    scripts: [..."αβγδПриветмир中文字日本語مرحبا"],
    // Emoji whose grapheme split is the same in Unicode 10 and today.
    emoji: ["😀", "🎉", "👍🏽", "🇺🇸", "🇬🇧", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "1️⃣", "👩🏽‍💻"],
    marks: ["e\u0301", "a\u0308"],
    breaks: ["\r\n", "\n", " ", " "],
  };
  const generate = (random: () => number): string => {
    const kinds = Object.keys(pools) as (keyof typeof pools)[];
    // Bias some bodies to be pure GSM-7 and lengths to sit near segment edges.
    const mix = random() < 0.4 ? ["gsm", "gsm", "extension", "breaks"] : kinds;
    const target = [20, 65, 72, 130, 140, 155, 165, 300, 310, 460, 900][Math.floor(random() * 11)] as number;
    let text = "";
    while (text.length < target + Math.floor(random() * 12)) {
      const pool = pools[mix[Math.floor(random() * mix.length)] as keyof typeof pools];
      text += pool[Math.floor(random() * pool.length)];
    }
    return text;
  };

  const random = seeded(0x5e9);
  const bodies = Array.from({ length: 400 }, () => generate(random));

  it("on 400 seeded bodies: encoding, units and segments", () => {
    const disagreements = bodies.flatMap((body) => {
      const ours = analyzeSegments(body);
      const theirs = new SegmentedMessage(body);
      const units = theirs.encodedChars.reduce((sum, char) => sum + char.codeUnits.length, 0);
      const same = ours.encoding === theirs.encodingName && ours.segments === theirs.segmentsCount && ours.units === units;
      return same ? [] : [{ body, ours, theirs: { encoding: theirs.encodingName, segments: theirs.segmentsCount, units } }];
    });
    expect(disagreements).toEqual([]);
    // The mix must actually reach both encodings and multipart bodies.
    const analyses = bodies.map(analyzeSegments);
    expect(analyses.filter((a) => a.encoding === "GSM-7").length).toBeGreaterThan(100);
    expect(analyses.filter((a) => a.encoding === "UCS-2" && a.segments > 2).length).toBeGreaterThan(100);
  });
});
