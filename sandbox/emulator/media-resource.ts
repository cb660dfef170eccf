/**
 * Media resources: the files attached to a message (`ME…`, child of an `MM…`
 * message), as Twilio keeps them until deleted, and their REST JSON.
 */
import { createHash } from "node:crypto";
import { API_VERSION, rfc2822, singlePage } from "./message-resource.ts";
import { newSid } from "./sids.ts";

export interface EmulatedMedia {
  sid: string;
  accountSid: string;
  /** The message the file belongs to (`parent_sid`). */
  messageSid: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
  createdAt: Date;
}

export function createMedia(accountSid: string, messageSid: string, contentType: string, bytes: Uint8Array, now: Date): EmulatedMedia {
  const buffer = Buffer.from(bytes);
  return {
    sid: newSid("ME"),
    accountSid,
    messageSid,
    contentType,
    bytes: buffer,
    sha256: createHash("sha256").update(buffer).digest("hex"),
    createdAt: now,
  };
}

/** The path of a file's bytes on the API host: what `MediaUrl{N}` points at (no `.json`). */
export function mediaPath(media: Pick<EmulatedMedia, "accountSid" | "messageSid" | "sid">): string {
  return `/${API_VERSION}/Accounts/${media.accountSid}/Messages/${media.messageSid}/Media/${media.sid}`;
}

export function mediaResource(media: EmulatedMedia): Record<string, unknown> {
  return {
    account_sid: media.accountSid,
    content_type: media.contentType,
    date_created: rfc2822(media.createdAt),
    date_updated: rfc2822(media.createdAt),
    parent_sid: media.messageSid,
    sid: media.sid,
    uri: `${mediaPath(media)}.json`,
  };
}

/** One page with every file of the message; a message holds at most 10. */
export function mediaListPage(accountSid: string, messageSid: string, media: readonly EmulatedMedia[]): Record<string, unknown> {
  const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${messageSid}/Media.json?PageSize=50&Page=0`;
  return singlePage(uri, "media_list", media.map(mediaResource));
}
