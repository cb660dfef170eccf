import { describe, expect, it } from "vitest";
import { chunkForSms, EXTRA_PART_PRICE, totalSegments, type SmsPart } from "../../src/outbound/chunk.ts";
import { gsmForm, normalizeForGsm } from "../../src/outbound/normalize.ts";
import { analyzeSegments, isGsm7, splitGraphemes } from "../../src/outbound/segments.ts";
import { seeded } from "../support/random.ts";

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Words without sentence ends, exactly n characters, ending on a letter. */
function filler(n: number): string {
  const text = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do ".repeat(Math.ceil(n / 60) + 1).slice(0, n);
  return text.endsWith(" ") ? text.slice(0, -1) + "x" : text;
}

const texts = (parts: readonly SmsPart[]) => parts.map((part) => part.text);
const nonSpace = (text: string) => text.replace(/\s/gu, "");
/** The fewest segments the whole reply's encoding allows: the benchmark's lower bound. */
function lowerBound(text: string): number {
  const { encoding, units } = analyzeSegments(normalizeForGsm(text.trim()));
  return Math.ceil(units / (encoding === "GSM-7" ? 153 : 67));
}

describe("chunkForSms basics", () => {
  it.each([
    ["empty", ""],
    ["whitespace only", " \n\n\t \r\n"],
  ])("returns no parts for %s", (_name, text) => {
    expect(chunkForSms(text)).toEqual([]);
  });

  it("sends a short reply as one trimmed part", () => {
    expect(chunkForSms("  Hello there!\n")).toEqual([{ text: "Hello there!", encoding: "GSM-7", segments: 1 }]);
  });

  it.each([
    ["1530 GSM-7 characters: one part, 10 segments", filler(1530), [10]],
    ["1600 GSM-7 characters: over maxChars, 11 segments as in one body", filler(1600), [10, 1]],
    // One 3,060-septet body bills 20; 10 + 11 would waste the gap before a space,
    // but 9 + 10 + a 153-character single segment gets back to 20.
    ["3060 characters of words: 20 segments, no mid-word split", filler(3060), [9, 10, 1]],
  ])("%s", (_name, text, segments) => {
    const parts = chunkForSms(text);
    expect(parts.map((part) => part.segments)).toEqual(segments);
    for (const part of parts) expect(text).toMatch(new RegExp(`(^|\\s)${part.text}(\\s|$)`));
  });

  it.each([
    ["zero", 0],
    ["above Twilio's 1600", 1601],
    ["fractional", 100.5],
    ["NaN", Number.NaN],
  ])("rejects maxChars %s", (_name, maxChars) => {
    expect(() => chunkForSms("hi", { maxChars })).toThrow(RangeError);
  });

  it("sums segments", () => {
    const parts = chunkForSms(filler(1000) + "\n\n" + filler(1000));
    expect(totalSegments(parts)).toBe(parts.reduce((sum, part) => sum + part.segments, 0));
    expect(totalSegments([])).toBe(0);
  });
});

describe("chunkForSms bills the fewest segments", () => {
  it("normalizes per part: a curly quote no longer drags 1,400 characters into UCS-2", () => {
    const text = "“" + filler(1400) + "”";
    expect(chunkForSms(text)).toEqual([{ text: '"' + filler(1400) + '"', encoding: "GSM-7", segments: 10 }]);
    // Without normalization the quotes still cost UCS-2, but only in two small
    // parts at the ends instead of all 21 segments of one body.
    const raw = chunkForSms(text, { normalize: false });
    expect(analyzeSegments(text).segments).toBe(21);
    expect(raw.map((part) => [part.encoding, part.segments])).toEqual([["UCS-2", 1], ["GSM-7", 9], ["UCS-2", 1]]);
    expect(texts(raw).join(" ")).toBe(text);
  });

  it("gives an emoji paragraph its own part instead of sending everything as UCS-2", () => {
    const body = filler(600) + ".";
    const text = `Here is your summary.\n\n${body}\n\nHave a great day! 🎉`;
    const parts = chunkForSms(text);
    expect(analyzeSegments(text).segments).toBe(10);
    // The UCS-2 part takes in as many words as its one segment holds.
    expect(parts.map((part) => [part.encoding, part.segments])).toEqual([["GSM-7", 4], ["UCS-2", 1]]);
    expect(parts[0]?.text.startsWith("Here is your summary.\n\n")).toBe(true);
    expect(parts[1]?.text.endsWith("\n\nHave a great day! 🎉")).toBe(true);
  });

  it("keeps a Cyrillic paragraph from dragging its English neighbours into UCS-2", () => {
    const russian = "Привет! Это короткий абзац на русском языке.";
    const text = `${filler(700)}.\n\n${russian}\n\n${filler(700)}.`;
    const parts = chunkForSms(text);
    expect(parts.map((part) => part.encoding)).toEqual(["GSM-7", "UCS-2", "GSM-7"]);
    expect(parts[1]?.text).toBe(russian);
    expect(totalSegments(parts)).toBe(5 + 1 + 5);
  });

  it("does not split off an emoji when that saves nothing", () => {
    expect(chunkForSms("Thanks, see you soon! 👋")).toEqual([{ text: "Thanks, see you soon! 👋", encoding: "UCS-2", segments: 1 }]);
  });

  it("keeps 307–320 septets as one 3-segment text: two 160s would save one segment, less than a text costs", () => {
    const text = `${filler(155)} ${filler(155)}`;
    expect(analyzeSegments(text).segments).toBe(3);
    expect(chunkForSms(text)).toEqual([{ text, encoding: "GSM-7", segments: 3 }]);
  });

  it("fills UCS-2 parts in whole 67-unit segments", () => {
    const text = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(60).trim();
    const parts = chunkForSms(text);
    expect(parts.every((part) => part.encoding === "UCS-2")).toBe(true);
    expect(totalSegments(parts)).toBe(lowerBound(text));
    // A greedy 1,530-character cut would leave the 23rd segment of each part part-filled.
    expect(parts[0]?.text.length).toBeLessThanOrEqual(22 * 67);
  });
});

describe("chunkForSms cut preference never costs a segment", () => {
  it("cuts at a paragraph break that falls in the last segment of the budget", () => {
    const [a, b] = [filler(1450) + ".", filler(600) + "."];
    expect(texts(chunkForSms(`${a}\n\n${b}`))).toEqual([a, b]);
  });

  it("passes over a paragraph break that would cost an extra segment", () => {
    const [a, b] = [filler(1000) + ".", filler(1100) + "."];
    expect(analyzeSegments(a).segments + analyzeSegments(b).segments).toBe(15);
    const parts = chunkForSms(`${a}\n\n${b}`);
    expect(totalSegments(parts)).toBe(14);
    expect(parts[0]?.text.startsWith(`${a}\n\n`)).toBe(true);
  });

  it.each([
    ["a sentence end over a later word break", `${filler(1480)}. ${filler(700)}`, `${filler(1480)}.`],
    ["a line break over a later sentence end", `${filler(1470)}\n${filler(30)}. ${filler(700)}`, filler(1470)],
    ["a sentence end inside closing quotes", `${filler(1480)}!" ${filler(700)}`, `${filler(1480)}!"`],
  ])("prefers %s", (_name, text, first) => {
    expect(chunkForSms(text)[0]?.text).toBe(first);
  });

  it("cuts a spaceless script after its sentence stop", () => {
    const sentence = "今日はいい天気ですね。";
    const text = sentence.repeat(20);
    const parts = chunkForSms(text, { maxChars: 67 });
    expect(parts.every((part) => part.text.endsWith("。"))).toBe(true);
    expect(texts(parts).join("")).toBe(text);
  });

  it("hard-splits only where no space exists, at grapheme boundaries", () => {
    const url = "https://example.com/" + "a".repeat(2000);
    expect(texts(chunkForSms(url)).map((part) => part.length)).toEqual([1530, 490]);
    const flags = "🇺🇸🇬🇧🇫🇷".repeat(200);
    const parts = chunkForSms(flags, { maxChars: 70 });
    expect(texts(parts).join("")).toBe(flags);
    for (const part of parts) expect(part.text.length % 4).toBe(0);
  });

  it("keeps a surrogate pair whole even when maxChars is 1", () => {
    expect(texts(chunkForSms("ab 😀", { maxChars: 1 }))).toEqual(["a", "b", "😀"]);
  });
});

describe("chunkForSms part markers", () => {
  it("numbers multi-part replies and counts the marker toward the limits", () => {
    const text = filler(3000);
    const parts = chunkForSms(text, { partMarkers: true });
    expect(parts.length).toBe(2);
    parts.forEach((part, i) => {
      expect(part.text.startsWith(`(${i + 1}/2) `)).toBe(true);
      expect(part.text.length).toBeLessThanOrEqual(1530);
      expect(part.segments).toBe(analyzeSegments(part.text).segments);
    });
    expect(totalSegments(parts)).toBe(20);
  });

  it("leaves a one-part reply unmarked", () => {
    expect(texts(chunkForSms("Hello", { partMarkers: true }))).toEqual(["Hello"]);
  });

  it("widens the marker to two digits when there are ten or more parts", () => {
    const parts = chunkForSms(filler(600), { maxChars: 40, partMarkers: true });
    expect(parts.length).toBeGreaterThanOrEqual(10);
    parts.forEach((part, i) => {
      expect(part.text.startsWith(`(${i + 1}/${parts.length}) `)).toBe(true);
      expect(part.text.length).toBeLessThanOrEqual(40);
    });
  });

  it("drops markers when maxChars leaves no room for them", () => {
    expect(texts(chunkForSms("a b c", { maxChars: 2, partMarkers: true }))).toEqual(["a", "b", "c"]);
  });
});

describe("chunkForSms invariants on generated replies", () => {
  const pools = {
    words: ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "ok", "Ça", "{x}", "€5", "a|b"],
    lookAlikes: ["“quoted”", "it’s", "—", "…", "•", "½", "a\u00a0b"],
    emoji: ["🎉", "👍🏽", "🇺🇸", "👨‍👩‍👧‍👦", "❤️‍🔥", "1️⃣", "😀"],
    scripts: ["Привет", "日本語", "مرحبا", "Καλημέρα", "e\u0301te"],
    long: ["https://example.com/" + "x".repeat(90), "a".repeat(200)],
    ends: ["done.", "why?", "yes!", "(see above.)", "said “no.”"],
  };
  const separators = [" ", " ", " ", " ", "\n", "\n\n", "\r\n", "\t", " \n \n "];
  const generate = (random: () => number): string => {
    const kinds = Object.keys(pools) as (keyof typeof pools)[];
    const length = pick(random, [5, 40, 150, 400, 1200, 2500]);
    let text = random() < 0.2 ? "  " : "";
    while (text.length < length) {
      const kind = random() < 0.6 ? "words" : pick(random, kinds);
      text += pick(random, pools[kind]) + (random() < 0.05 ? "" : pick(random, separators));
    }
    return text;
  };

  const random = seeded(0xc0ffee);
  const cases = Array.from({ length: 250 }, (_, i) => ({
    i,
    text: generate(random),
    maxChars: pick(random, [1, 5, 20, 67, 70, 153, 160, 500, 1530, 1600]),
    normalize: random() < 0.5,
    partMarkers: random() < 0.3,
  }));

  it.each(cases)("case $i: maxChars $maxChars, normalize $normalize, markers $partMarkers", ({ text, maxChars, normalize, partMarkers }) => {
    const parts = chunkForSms(text, { maxChars, normalize, partMarkers });
    const markerPattern = /^\((\d+)\/(\d+)\) /u;
    const bodies = parts.map((part, i) => {
      expect(part.text.length <= maxChars || Array.from(part.text).length === 1).toBe(true);
      expect(part.text.length).toBeLessThanOrEqual(1600);
      expect(part.text).not.toBe("");
      expect(part.text).toBe(part.text.trim());
      expect(part.text.isWellFormed()).toBe(true);
      const { encoding, segments } = analyzeSegments(part.text);
      expect(part).toEqual({ text: part.text, encoding, segments });
      const marker = part.text.match(markerPattern);
      if (partMarkers && parts.length > 1 && maxChars > 6) {
        expect(marker?.slice(1)).toEqual([String(i + 1), String(parts.length)]);
        return part.text.slice(marker?.[0].length);
      }
      return part.text;
    });

    if (!normalize) {
      // Order and every non-space character survive.
      expect(nonSpace(bodies.join(""))).toBe(nonSpace(text));
    } else {
      // A GSM-7 part is the GSM-7 form of its source, a UCS-2 part is verbatim.
      expect(nonSpace(bodies.join("")).length).toBeGreaterThan(0);
      for (const body of bodies) if (!isGsm7(body)) expect(text).toContain(body);
    }

    if (maxChars >= 70) {
      // Cuts fall between graphemes: no flag, ZWJ sequence or accent is torn.
      const whole = new Set(splitGraphemes(text));
      for (const body of bodies) {
        if (!isGsm7(body)) for (const grapheme of splitGraphemes(body)) expect(whole.has(grapheme)).toBe(true);
      }
    }
  });
});

describe("chunkForSms matches an exhaustive search", () => {
  // Every plan over every grapheme boundary, each part costed by
  // analyzeSegments on its cheaper fitting form. `softOnly` allows cuts only
  // next to whitespace, which is what the chunker does wherever words exist.
  function exhaustive(text: string, maxChars: number): { all: number; softOnly: number } {
    const graphemes = splitGraphemes(text);
    const offsets = [0];
    for (const grapheme of graphemes) offsets.push((offsets.at(-1) as number) + grapheme.length);
    const space = (i: number) => /^\s+$/u.test(graphemes[i] ?? "x");
    const soft = (i: number) => i === 0 || i === graphemes.length || space(i - 1) || space(i);
    const cost = (i: number, j: number): number => {
      const part = text.slice(offsets[i], offsets[j]).trim();
      if (!part) return 0;
      const form = gsmForm(part);
      const gsm = form !== undefined && form.length <= maxChars ? analyzeSegments(form).segments : Infinity;
      const ucs = !isGsm7(part) && part.length <= maxChars ? analyzeSegments(part).segments : Infinity;
      return Math.min(gsm, ucs) + EXTRA_PART_PRICE;
    };
    const all: number[] = [0];
    const softOnly: number[] = [0];
    for (let j = 1; j <= graphemes.length; j++) {
      all[j] = softOnly[j] = Infinity;
      // A part holds at most maxChars graphemes, since each is at least one character.
      for (let i = Math.max(0, j - maxChars); i < j; i++) {
        const c = cost(i, j);
        all[j] = Math.min(all[j] as number, (all[i] as number) + c);
        if (soft(i) && soft(j)) softOnly[j] = Math.min(softOnly[j] as number, (softOnly[i] as number) + c);
      }
    }
    return { all: all[graphemes.length] as number, softOnly: softOnly[graphemes.length] as number };
  }

  const words = ["the", "quick", "brown", "fox", "{x}", "€5", "“hi”", "café", "naïve", "🎉", "👍🏽", "🇺🇸", "Привет", "—", "done.", "ok!"];
  const random = seeded(7);
  const cases = Array.from({ length: 24 }, (_, i) => {
    const tokens = Array.from({ length: 20 + Math.floor(random() * 40) }, () => pick(random, words) + pick(random, [" ", " ", " ", "\n", "\n\n"]));
    return { i, text: tokens.join(""), maxChars: 30 + Math.floor(random() * 150) };
  });

  it.each(cases)("case $i (maxChars $maxChars): segments + the price of each extra part is optimal", ({ text, maxChars }) => {
    const ours = chunkForSms(text, { maxChars }).reduce((sum, part) => sum + part.segments + EXTRA_PART_PRICE, 0);
    const best = exhaustive(text, maxChars);
    expect(ours).toBeLessThanOrEqual(best.softOnly);
    expect(ours).toBeGreaterThanOrEqual(best.all);
  });
});

describe("chunkForSms on realistic assistant replies", () => {
  const sentences = [
    "Sure, here’s what I found.",
    "The meeting is at 3pm tomorrow in room 4B.",
    "I’ve updated the document with your notes — take a look when you can.",
    "Let me know if you need anything else!",
    "Your flight AA123 departs at 7:45 and boards 30 minutes earlier.",
    "The total comes to €42.50, including tax.",
    "Here are the steps: open Settings, tap Privacy, then turn off tracking.",
    "That’s a great question…",
    "Weather: 18°C and sunny, light wind from the west.",
    "I couldn’t find a match for “blue widget” in your inbox.",
    "Reminder set for Friday at noon 🎉",
    "Done 👍",
    "See https://example.com/docs/getting-started for details.",
  ];
  const random = seeded(0xbee);
  const replies = Array.from({ length: 200 }, () => {
    const paragraphs = Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
      const lines = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, sentences));
      return random() < 0.3 ? lines.map((line) => `• ${line}`).join("\n") : lines.join(" ");
    });
    if (random() < 0.1) paragraphs.push("Привет! Надеюсь, у тебя всё хорошо.");
    return paragraphs.join("\n\n");
  });

  it("stays within 5% of the per-reply lower bound over the corpus, and beats a character chunker", () => {
    let ours = 0;
    let bound = 0;
    let naive = 0;
    for (const reply of replies) {
      ours += totalSegments(chunkForSms(reply));
      bound += lowerBound(reply);
      for (let at = 0; at < reply.length; at += 1530) naive += analyzeSegments(reply.slice(at, at + 1530)).segments;
    }
    expect(ours).toBeLessThanOrEqual(1.05 * bound);
    expect(ours).toBeLessThan(naive);
  });

  it("finishes a 25,000-character reply", () => {
    const reply = replies.join("\n\n").slice(0, 25_000);
    const parts = chunkForSms(reply);
    expect(totalSegments(parts)).toBeLessThanOrEqual(1.05 * lowerBound(reply));
  });
});
