/**
 * Typographic look-alikes → GSM-7, all or nothing. One curly quote turns a
 * whole body into UCS-2 (70/67 per segment instead of 160/153), so swapping it
 * for a plain quote can halve the bill. The swap happens only when it makes
 * the entire text GSM-7; if anything else (Greek, Cyrillic, CJK, Arabic, an
 * emoji) keeps the text in UCS-2, the text is returned untouched, so real
 * non-Latin text and emoji are never altered.
 *
 * The table follows Twilio's Smart Encoding list (research/twilio.md §5,
 * mirrored by the calculator's SmartEncodingMap) with these choices:
 * - every space look-alike becomes ONE space (the calculator uses two, tab seven);
 * - combining marks are left out: turning a decomposed "ê" into "e^" changes
 *   the word, and NFC already composes marks that have a GSM-7 letter (é, Ä…);
 * - additions: primes, non-breaking and figure hyphens, minus sign, soft hyphen,
 *   ZWJ, triangle bullet, all of fullwidth ASCII (Twilio stops at capitals),
 *   and line/paragraph separators as line breaks rather than spaces.
 */
import { analyzeSegments, isGsm7 } from "./segments.ts";

const GROUPS: readonly (readonly [replacement: string, lookAlikes: string])[] = [
  ['"', "«»“”„‟″ʺˮ❝❞〝〞"],
  ["'", "‘’‛′´`ʹʻʼʽˈˊˋ❛❜︐︑"],
  ["-", "‐‑‒–—―⁃−⎼⎽﹣•‣"],
  ["...", "…"],
  ["!!", "‼"],
  [" ", "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"],
  ["", "\u00ad\u200b\u200c\u200d\u2060\ufeff"],
  ["\n", "\u2028"],
  ["\n\n", "\u2029"],
  ["/", "÷⁄∕⧸"],
  ["\\", "⧹⧵﹨"],
  ["1/4", "¼"],
  ["1/2", "½"],
  ["3/4", "¾"],
  ["<", "‹﹤"],
  [">", "›﹥"],
  [",", "‚、﹐﹑､"],
  [".", "。﹒｡"],
  ["_", "‗"],
  ["|", "∣⎸⎹⏐⎜⎟"],
  ["@", "﹫"],
  ["$", "﹩"],
  ["!", "ǃ︕﹗"],
  ["#", "﹟"],
  ["%", "﹪"],
  ["&", "﹠"],
  ["(", "❨❪﹙⟮⦅"],
  [")", "❩❫﹚⟯⦆"],
  ["*", "⁎∗⊛✢✣✤✥✱✲✳✺✻✼✽❃❉❊❋⧆﹡"],
  ["+", "˖﹢"],
  [":", "ː˸⦂꞉︓"],
  [";", "⁏︔﹔"],
  ["=", "꞊﹦"],
  ["?", "︖﹖"],
  ["^", "ˆ"],
  ["{", "❴﹛"],
  ["}", "❵﹜"],
  ["~", "˜˷∼"],
];

const SMALL_CAPITALS = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ";
const SMALL_CAPITAL_LETTERS = "ABCDEFGHIJKLMNOPRSTUVWYZ";

const LOOK_ALIKES: ReadonlyMap<string, string> = new Map([
  ...GROUPS.flatMap(([replacement, chars]) => Array.from(chars, (char) => [char, replacement] as const)),
  ...Array.from(SMALL_CAPITALS, (char, i) => [char, SMALL_CAPITAL_LETTERS[i] as string] as const),
  // Fullwidth U+FF01–FF5E sits at a fixed offset from ASCII; its backtick
  // lands on "`", which GSM-7 lacks, so it goes to the apostrophe like "`" does.
  ...Array.from({ length: 0x5e }, (_, i) => {
    const ascii = String.fromCharCode(0x21 + i);
    return [String.fromCharCode(0xff01 + i), ascii === "`" ? "'" : ascii] as const;
  }),
]);

/**
 * The GSM-7 spelling of `text`, or undefined when it has none. Works per code
 * point after NFC, so the form of a string is the concatenation of the forms
 * of its graphemes; the chunker relies on that to measure parts incrementally.
 */
export function gsmForm(text: string): string | undefined {
  if (isGsm7(text)) return text;
  let form = "";
  for (const char of text.normalize("NFC")) form += LOOK_ALIKES.get(char) ?? char;
  return isGsm7(form) ? form : undefined;
}

/**
 * `text` in GSM-7 when look-alike swaps make all of it GSM-7 without costing
 * more segments, else `text` unchanged. The cost guard matters only for bodies
 * dense with "…" or "½", which grow threefold as GSM-7.
 */
export function normalizeForGsm(text: string): string {
  const form = gsmForm(text);
  if (form === undefined || form === text) return text;
  return analyzeSegments(form).segments <= analyzeSegments(text).segments ? form : text;
}
