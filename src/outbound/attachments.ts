/**
 * Loads the files a reply or `message send` attaches, the way the host allows
 * (its local roots and file reader, its guarded fetch for links), each capped
 * at Twilio's largest MMS item. Images over the cap are re-encoded by the
 * host's loader; the final type and size are then judged by `planMms`.
 */
import { buildOutboundMediaLoadOptions } from "openclaw/plugin-sdk/media-runtime";
import { loadWebMedia } from "openclaw/plugin-sdk/web-media";
import { ConfigError } from "../errors.ts";
import { MediaHostFullError, type HostedFile } from "../media/host.ts";
import { MAX_IMAGE_BYTES } from "./mms.ts";
import { MmsRefusedError } from "./mms-send.ts";
import type { SentPart } from "./receipts.ts";

export type AttachmentAccess = Pick<Parameters<typeof buildOutboundMediaLoadOptions>[0] & object, "mediaAccess" | "mediaLocalRoots" | "mediaReadFile">;

/** Every attachment of a reply payload, in order, without blanks or repeats. */
export function mediaUrlsOf(payload: { mediaUrl?: string | undefined; mediaUrls?: readonly string[] | undefined }): string[] {
  const urls = [...(payload.mediaUrls ?? []), ...(payload.mediaUrl ? [payload.mediaUrl] : [])].map((url) => url.trim()).filter(Boolean);
  return [...new Set(urls)];
}

/** A file the reply names could not be read (missing, outside the allowed folders, a failed download). */
export class AttachmentLoadError extends Error {
  readonly code = "TWILIO_SMS_ATTACHMENT_UNREADABLE";
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "AttachmentLoadError";
  }
}

/** Loads each file in turn; the first that cannot be read fails the whole send, naming it by position. */
export async function loadAttachments(urls: readonly string[], access: AttachmentAccess, signal?: AbortSignal): Promise<HostedFile[]> {
  const files: HostedFile[] = [];
  const options = buildOutboundMediaLoadOptions({ maxBytes: MAX_IMAGE_BYTES, ...access });
  for (const [index, url] of urls.entries()) {
    signal?.throwIfAborted();
    try {
      const media = await loadWebMedia(url, options);
      files.push({ bytes: media.buffer, contentType: media.contentType ?? "application/octet-stream", fileName: media.fileName ?? "attachment" });
    } catch (error) {
      const what = urls.length === 1 ? "the attachment" : `attachment ${index + 1} of ${urls.length}`;
      throw new AttachmentLoadError(`twilio-sms: could not read ${what}: ${error instanceof Error ? error.message : String(error)}; nothing was sent`, error);
    }
  }
  return files;
}

/** Failures found before anything reached Twilio, where the text alone can still go. */
function isAttachmentRefusal(error: unknown): error is Error {
  return error instanceof AttachmentLoadError || error instanceof MmsRefusedError || error instanceof MediaHostFullError || error instanceof ConfigError;
}

/**
 * Sends an agent's reply with its files. A file that cannot go (unreadable, a
 * type or size Twilio refuses, no publicUrl) never costs the texter the
 * answer: the text goes out with a short note, and `warn` gets the reason.
 * Failures at Twilio itself are thrown as they are.
 */
export async function replyWithAttachments(params: {
  text: string;
  urls: readonly string[];
  load: (urls: readonly string[]) => Promise<HostedFile[]>;
  reply: (text: string, files?: readonly HostedFile[]) => Promise<SentPart[]>;
  warn: (reason: string) => void;
}): Promise<SentPart[]> {
  const { text, urls } = params;
  try {
    return await params.reply(text, await params.load(urls));
  } catch (error) {
    if (!isAttachmentRefusal(error)) throw error;
    params.warn(error.message);
    const note = `[${urls.length === 1 ? "1 attachment" : `${urls.length} attachments`} could not be sent]`;
    return await params.reply(text ? `${text}\n\n${note}` : note);
  }
}
