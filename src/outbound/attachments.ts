/**
 * Loads the files a reply or `message send` attaches, the way the host allows
 * (its local roots and file reader, its guarded fetch for links), each capped
 * at Twilio's largest MMS item. Images over the cap are re-encoded by the
 * host's loader; the final type and size are then judged by `planMms`.
 */
import { buildOutboundMediaLoadOptions } from "openclaw/plugin-sdk/media-runtime";
import { loadWebMedia } from "openclaw/plugin-sdk/web-media";
import type { HostedFile } from "../media/host.ts";
import { MAX_IMAGE_BYTES } from "./mms.ts";

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
