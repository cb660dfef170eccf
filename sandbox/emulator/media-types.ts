/**
 * What Twilio does with an outbound media type: images it transcodes for
 * handsets (jpeg/png/gif, 5 MB), other accepted types passed as they are
 * (500 KB), anything else refused. Twilio also refuses a file whose bytes
 * contradict its Content-Type; the emulator checks the magic numbers of the
 * image types, which is where a mislabelled upload shows up in practice.
 */

export const MAX_MESSAGE_MEDIA_BYTES = 5 * 1024 * 1024;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_OTHER_BYTES = 500 * 1024;

const IMAGE_TYPES = new Set(["image/jpeg", "image/jpg", "image/png", "image/gif"]);

// A representative slice of Twilio's "accepted content types for media" list.
const OTHER_ACCEPTED = new Set([
  "image/bmp",
  "image/tiff",
  "image/heic",
  "image/webp",
  "audio/mpeg",
  "audio/mp4",
  "audio/ogg",
  "audio/amr",
  "audio/3gpp",
  "audio/wav",
  "video/mp4",
  "video/mpeg",
  "video/3gpp",
  "video/quicktime",
  "text/vcard",
  "text/x-vcard",
  "text/calendar",
  "text/csv",
  "text/plain",
  "text/rtf",
  "application/pdf",
]);

const MAGIC: Record<string, (bytes: Uint8Array) => boolean> = {
  "image/jpeg": (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  "image/png": (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => b[i] === byte),
  "image/gif": (b) => Buffer.from(b.subarray(0, 6)).toString("latin1").match(/^GIF8[79]a$/) !== null,
};

/** The bare, lower-cased type of a Content-Type header (`image/PNG; q=1` → `image/png`). */
export function bareType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

export type MediaVerdict = { ok: true } | { ok: false; errorCode: number; reason: string };

/** Twilio's decision on one fetched file: 63021 for content it will not send, 30019 for a file over the size limit. */
export function judgeMedia(contentType: string, bytes: Uint8Array): MediaVerdict {
  const type = bareType(contentType) === "image/jpg" ? "image/jpeg" : bareType(contentType);
  if (!IMAGE_TYPES.has(type) && !OTHER_ACCEPTED.has(type)) {
    return { ok: false, errorCode: 63021, reason: `unsupported content type ${type || "(none)"}` };
  }
  const check = MAGIC[type];
  if (check && !check(bytes)) return { ok: false, errorCode: 63021, reason: `the bytes are not ${type}` };
  const limit = IMAGE_TYPES.has(type) ? MAX_IMAGE_BYTES : MAX_OTHER_BYTES;
  if (bytes.length > limit) return { ok: false, errorCode: 30019, reason: `${bytes.length} bytes is over the ${limit}-byte limit for ${type}` };
  return { ok: true };
}

/** Recognises the image types a handset sends, for the phone page's uploads. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  return Object.entries(MAGIC).find(([, matches]) => matches(bytes))?.[0];
}
