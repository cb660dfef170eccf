/**
 * Outbound MMS planning, pure: which attachments Twilio can carry, how they
 * are grouped into messages (at most 10 files and under 5 MB each), where the
 * text goes, and what each message costs.
 *
 * - The text rides with the first MMS, up to Twilio's 1,600-character Body.
 *   An MMS Body is billed per message, not per segment, so this is the
 *   cheapest place for it. Text beyond that goes out afterwards as ordinary
 *   SMS parts (`restText`, already flattened) through the SMS pipeline.
 * - Outside the US and Canada (+1) Twilio's MMS Converter, on by default,
 *   sends an SMS with the text and a link to each file instead. We send
 *   anyway, because a link to the picture is what the recipient can use and
 *   what a user asking for a picture expects; the plan marks the message
 *   `converted` and prices it as the SMS segments it becomes, so the spend
 *   guard counts it. (With the converter off Twilio rejects the create, and
 *   that error reaches the user like any other.)
 * - An attachment Twilio cannot take refuses the whole send with a reason
 *   naming the file and the limit, rather than silently dropping it.
 */
import { ConfigError } from "../errors.ts";
import { chunkForSms } from "./chunk.ts";
import { flattenMarkdown } from "./flatten.ts";
import { analyzeSegments } from "./segments.ts";

export const MAX_MEDIA_PER_MMS = 10;
/** Twilio: jpeg/png/gif up to 5 MB (it resizes them for the handset); other types 500 KB; message plus media under 5 MB. */
export const MAX_IMAGE_BYTES = 5_000_000;
export const MAX_OTHER_BYTES = 500_000;
export const MAX_MMS_BYTES = 5_000_000;
export const MMS_BODY_LIMIT = 1600;

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);

// Twilio's "accepted content types for media" (other than the images above), sent as they are.
const OTHER_TYPES = new Set([
  "image/bmp",
  "image/tiff",
  "audio/basic",
  "audio/l24",
  "audio/mp4",
  "audio/mpeg",
  "audio/ogg",
  "audio/vnd.rn-realaudio",
  "audio/vnd.wave",
  "audio/3gpp",
  "audio/3gpp2",
  "audio/ac3",
  "audio/webm",
  "audio/amr-nb",
  "audio/amr",
  "video/mpeg",
  "video/mp4",
  "video/quicktime",
  "video/webm",
  "video/3gpp",
  "video/3gpp2",
  "video/3gpp-tt",
  "video/h261",
  "video/h263",
  "video/h263-1998",
  "video/h263-2000",
  "video/h264",
  "text/vcard",
  "text/x-vcard",
  "text/csv",
  "text/rtf",
  "text/richtext",
  "text/calendar",
  "text/directory",
  "application/pdf",
  "application/vcard",
  "application/vnd.apple.pkpass",
]);

// Twilio's converter link ("https://m.twil.io/…"), priced generously so the guard never under-counts.
const CONVERTER_LINK_CHARS = 30;

export type MmsAttachment = { contentType: string; size: number; fileName: string };

/** One Twilio create. `segments` is what the spend guard counts: 0 for a real MMS (billed once as `mms`). */
export type MmsMessage = {
  kind: "mms";
  body: string;
  /** Indexes into the attachments, in order. */
  attachments: number[];
  /** True outside the US and Canada, where Twilio sends it as an SMS with links. */
  converted: boolean;
  /** 1 for an MMS, 0 once converted. */
  mms: 0 | 1;
  /** 0 for an MMS; the SMS segments it becomes once converted. */
  segments: number;
};

export type MmsPlan =
  | { kind: "send"; messages: MmsMessage[]; restText: string }
  | { kind: "refuse"; reason: string };

export function bareType(contentType: string): string {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "image/jpg" || type === "image/pjpeg" ? "image/jpeg" : type;
}

/**
 * Area codes of the +1 numbering plan that belong to other countries (the
 * Caribbean and Bermuda). Twilio delivers MMS in the US and Canada only, so a
 * number in one of these is converted like any other non-US/CA number. US
 * territories (Puerto Rico, the US Virgin Islands, Guam, …) count as the US.
 */
const NANP_ELSEWHERE = new Set([
  "242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664",
  "721", "758", "767", "784", "809", "829", "849", "868", "869", "876",
]);

/** MMS reaches handsets in the US and Canada; elsewhere Twilio converts it. */
export function receivesMms(to: string): boolean {
  return to.startsWith("+1") && !NANP_ELSEWHERE.has(to.slice(2, 5));
}

/** Throws the config error a send with attachments needs when the account has no public URL. */
export function requirePublicUrl(publicUrl: string | undefined, accountId: string): string {
  if (publicUrl) return publicUrl;
  const key = accountId === "default" ? "publicUrl" : `accounts.${accountId}.publicUrl`;
  throw new ConfigError(
    key,
    "is not set, so attachments cannot be sent: Twilio fetches each file from a link under the public URL",
    `set channels.twilio-sms.${key} to the public webhook URL configured in Twilio, e.g. https://sms.example.com/twilio-sms/webhook`,
  );
}

function checkAttachment(file: MmsAttachment): string | undefined {
  const type = bareType(file.contentType);
  const name = file.fileName || "the attachment";
  if (!IMAGE_TYPES.has(type) && !OTHER_TYPES.has(type)) {
    const hint = type.startsWith("image/") ? "; send it as JPEG or PNG" : "";
    return `Twilio cannot send ${name} (${type || "unknown type"}) by MMS${hint}`;
  }
  const limit = IMAGE_TYPES.has(type) ? MAX_IMAGE_BYTES : MAX_OTHER_BYTES;
  if (file.size > limit) {
    const what = IMAGE_TYPES.has(type) ? "JPEG, PNG and GIF pictures" : `${type} files`;
    return `${name} is ${formatBytes(file.size)}, over Twilio's MMS limit of ${formatBytes(limit)} for ${what}`;
  }
  return undefined;
}

function formatBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.ceil(bytes / 1000)} KB`;
}

/** Splits flattened text into the MMS caption (≤1600 characters, cut where the SMS chunker would) and the rest. */
export function splitCaption(text: string): { caption: string; rest: string } {
  if (text.length <= MMS_BODY_LIMIT) return { caption: text, rest: "" };
  const parts = chunkForSms(text, { maxChars: MMS_BODY_LIMIT, normalize: false });
  return { caption: parts[0]?.text ?? "", rest: parts.slice(1).map((part) => part.text).join("\n") };
}

/**
 * Plans a reply with attachments to `to`. `text` is the agent's Markdown;
 * attachments are the loaded files' final type and size (after any re-encoding).
 */
export function planMms(input: { text: string; attachments: readonly MmsAttachment[]; to: string }): MmsPlan {
  for (const file of input.attachments) {
    const problem = checkAttachment(file);
    if (problem) return { kind: "refuse", reason: problem };
  }
  const { caption, rest } = splitCaption(flattenMarkdown(input.text).trim());
  const converted = !receivesMms(input.to);
  const groups: number[][] = [];
  let group: number[] = [];
  let groupBytes = Buffer.byteLength(caption);
  input.attachments.forEach((file, index) => {
    if (group.length === MAX_MEDIA_PER_MMS || (group.length > 0 && groupBytes + file.size >= MAX_MMS_BYTES)) {
      groups.push(group);
      group = [];
      groupBytes = 0;
    }
    group.push(index);
    groupBytes += file.size;
  });
  if (group.length > 0) groups.push(group);
  if (groups.length === 0) return { kind: "refuse", reason: "an MMS needs at least one attachment" };

  const messages = groups.map((attachments, i): MmsMessage => {
    const body = i === 0 ? caption : "";
    const asSms = [body, ...attachments.map(() => "x".repeat(CONVERTER_LINK_CHARS))].filter(Boolean).join("\n");
    return { kind: "mms", body, attachments, converted, mms: converted ? 0 : 1, segments: converted ? analyzeSegments(asSms).segments : 0 };
  });
  return { kind: "send", messages, restText: rest };
}
