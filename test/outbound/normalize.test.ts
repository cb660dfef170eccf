import smartEncodingModule from "sms-segments-calculator/dist/libs/SmartEncodingMap.js";
import { describe, expect, it } from "vitest";
import { gsmForm, normalizeForGsm } from "../../src/outbound/normalize.ts";
import { analyzeSegments, isGsm7, splitGraphemes } from "../../src/outbound/segments.ts";

// CommonJS default export: Vitest unwraps `exports.default`, plain Node does not.
const loaded = smartEncodingModule as unknown as Record<string, string> & { default?: Record<string, string> };
const smartEncoding = loaded.default ?? loaded;

describe("normalizeForGsm swaps look-alikes when the result is GSM-7", () => {
  it.each([
    ["curly double quotes", "“Hi”", '"Hi"'],
    ["low and reversed double quotes", "„a‟", '"a"'],
    ["guillemets", "«oui»", '"oui"'],
    ["curly single quotes and apostrophe", "‘it’s’", "'it's'"],
    ["primes", "5′ 11″", "5' 11\""],
    ["acute accent and backtick as apostrophes", "don´t `x`", "don't 'x'"],
    ["en and em dash", "a – b — c", "a - b - c"],
    ["other dashes and hyphens", "a‐b‑c‒d―e−f", "a-b-c-d-e-f"],
    ["ellipsis", "wait…", "wait..."],
    ["bullet", "• one\n• two", "- one\n- two"],
    ["no-break space", "10\u00a0kg", "10 kg"],
    ["U+2000–U+200A spaces, one space each", "a\u2002b\u2003c\u2009d\u200ae", "a b c d e"],
    ["narrow, medium-math and ideographic spaces", "a\u202fb\u205fc\u3000d", "a b c d"],
    ["tab", "a\tb", "a b"],
    ["zero-width space, joiners, word joiner, BOM", "\ufeffa\u200bb\u200cc\u200dd\u2060e", "abcde"],
    ["soft hyphen", "co\u00adop", "coop"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\nb\n\nc"],
    ["double exclamation", "wow‼", "wow!!"],
    ["fractions and division", "½ + ¼ ÷ 2", "1/2 + 1/4 / 2"],
    ["single angle quotes", "‹a›", "<a>"],
    ["fullwidth ASCII, capitals and lowercase", "ＡＢＣ ａｂｃ １２３！", "ABC abc 123!"],
    ["fullwidth backtick", "｀", "'"],
    ["small capitals", "ʜᴇʟʟᴏ", "HELLO"],
    ["ideographic punctuation in Latin text", "ok。yes、no", "ok.yes,no"],
    ["decomposed accents that GSM-7 has (NFC)", "cafe\u0301 A\u0308", "café Ä"],
    ["ohm and angstrom signs compose to Ω and Å", "5\u2126 1\u212b", "5Ω 1Å"],
    ["mixed look-alikes", "“Don’t—ever…”", '"Don\'t-ever..."'],
  ])("%s", (_name, input, expected) => {
    expect(normalizeForGsm(input)).toBe(expected);
    expect(isGsm7(expected)).toBe(true);
  });

  it("saves the segments the research file promises: curly quote + 1,400 GSM chars", () => {
    const text = "“" + "abcdefghij".repeat(140);
    expect(analyzeSegments(text)).toMatchObject({ encoding: "UCS-2", segments: 21 });
    expect(analyzeSegments(normalizeForGsm(text))).toMatchObject({ encoding: "GSM-7", segments: 10 });
  });
});

describe("normalizeForGsm leaves text alone", () => {
  it.each([
    ["Greek", "«Καλημέρα» – τι κάνεις…"],
    ["Cyrillic", "«Привет» — как дела…"],
    ["CJK", "“你好”，世界…"],
    ["Japanese", "「こんにちは」— テスト…"],
    ["Arabic", "«مرحبا» – كيف حالك…"],
    ["Hebrew", "“שלום” – מה נשמע"],
    ["emoji", "“Great” job 🎉…"],
    ["ZWJ emoji keep their joiners", "“family” 👨‍👩‍👧"],
    ["flag", "Go – team 🇺🇸"],
    ["accents GSM-7 lacks", "“ça” – naïve"],
    ["decomposed accent GSM-7 lacks", "“e\u0302te”"],
    ["combining circumflex is not turned into ^", "e\u0302"],
  ])("%s", (_name, text) => {
    expect(normalizeForGsm(text)).toBe(text);
  });

  it.each([
    ["plain GSM-7", "Hello, world! {ok} €5"],
    ["empty", ""],
    ["line breaks", "a\r\nb\nc"],
  ])("returns GSM-7 text as is: %s", (_name, text) => {
    expect(normalizeForGsm(text)).toBe(text);
  });

  it("keeps UCS-2 when the GSM-7 form would bill more (ellipses triple)", () => {
    const text = "…".repeat(60);
    expect(analyzeSegments(text).segments).toBe(1);
    expect(analyzeSegments(gsmForm(text) as string).segments).toBe(2);
    expect(normalizeForGsm(text)).toBe(text);
  });

  it("is idempotent", () => {
    for (const text of ["“Don’t—ever…”", "«Привет»", "a\u00a0b"]) {
      expect(normalizeForGsm(normalizeForGsm(text))).toBe(normalizeForGsm(text));
    }
  });
});

describe("gsmForm", () => {
  it.each([
    ["already GSM-7", "abc", "abc"],
    ["look-alikes", "“a”", '"a"'],
    ["no GSM-7 spelling", "ç", undefined],
    ["emoji", "😀", undefined],
  ])("%s", (_name, text, expected) => {
    expect(gsmForm(text)).toBe(expected);
  });

  it("is the concatenation of its graphemes' forms (the chunker relies on this)", () => {
    const samples = [
      "“Don’t—ever…” cafe\u0301 A\u0308\u00a0x",
      "ʜᴇʟʟᴏ ＡＢＣ ½ ‹a› ‼ \u2029 e\u0301\u0301",
      "x\u200by\u200d\u2060z\u00ad \r\n\t• ok。",
    ];
    for (const text of samples) {
      const pieces = splitGraphemes(text).map(gsmForm);
      expect(pieces.every((piece) => piece !== undefined) ? pieces.join("") : undefined).toBe(gsmForm(text));
    }
  });
});

describe("agrees with Twilio's Smart Encoding map", () => {
  // Documented departures: spaces map to one space (the calculator uses two,
  // tab seven), combining marks stay (they would mangle accented letters), and
  // control characters are not ours to rewrite.
  const departs = (char: string) =>
    /^\s$/u.test(char) || /\p{M}/u.test(char) || /\p{Cc}/u.test(char);
  const rows = Object.entries(smartEncoding).filter(([char]) => !departs(char));

  it("maps every other entry the same way", () => {
    expect(rows.length).toBeGreaterThan(220);
    const differences = rows.filter(([char, replacement]) => normalizeForGsm(char) !== replacement);
    expect(differences).toEqual([]);
  });
});
