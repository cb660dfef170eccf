/**
 * Pure decisions for an incoming MMS: which `MediaUrl{N}` may be downloaded
 * at all, which hosts a download may be redirected to, how the size caps are
 * shared between files, which byte-checked types are accepted, and the note
 * the agent reads when something could not be taken.
 *
 * The first URL is pinned to this account's and this message's Media URL on
 * the API host, so a forged webhook can never make us send credentials (or a
 * request) anywhere else. Redirects go to Twilio's media CDN hosts only.
 */
import type { FormParams } from "../webhook/form.ts";

/** Twilio numbers media from 0 and sends at most 10. */
export const MAX_INBOUND_MEDIA = 10;
// Bounds the work a nonsense NumMedia can cause while still counting a few extras in the note.
const MAX_COUNTED_MEDIA = 100;

/** Where Twilio's Media URLs redirect to (openclaw/openclaw#144098): its CDN and one exact S3 host. */
export const TWILIO_MEDIA_HOSTS: readonly string[] = ["mms.twiliocdn.com", "media.twiliocdn.com", "s3-external-1.amazonaws.com"];

/** One attachment as the webhook announced it; plain data, so the journal can keep it. */
export type InboundMediaRef = {
  index: number;
  /** Absent when the webhook counted the item in NumMedia but sent no URL for it. */
  url: string | undefined;
  /** What the sender's carrier declared; only a hint, the bytes decide. */
  declaredType: string | undefined;
};

export type MediaRefusal =
  | "not-this-message"
  | "missing-url"
  | "too-many"
  | "too-large"
  | "over-total"
  | "wrong-type"
  | "refused-host"
  | "timed-out"
  | "download-failed";

function first(params: FormParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

/** The attachments of a verified webhook form: `NumMedia` items (or as many URLs as came), each with its URL and type. */
export function readInboundMediaRefs(params: FormParams): InboundMediaRef[] {
  const declared = Number(first(params, "NumMedia") ?? "0");
  let count = Number.isInteger(declared) && declared > 0 ? Math.min(declared, MAX_COUNTED_MEDIA) : 0;
  for (let i = 0; i < MAX_INBOUND_MEDIA; i++) if (first(params, `MediaUrl${i}`)) count = Math.max(count, i + 1);
  return Array.from({ length: count }, (_, index) => ({
    index,
    url: index < MAX_INBOUND_MEDIA ? first(params, `MediaUrl${index}`) || undefined : undefined,
    declaredType: first(params, `MediaContentType${index}`) || undefined,
  }));
}

export type MediaAccountFacts = { accountSid: string; apiBaseUrl: string };

const MEDIA_SID = /^ME[0-9a-f]{32}$/;

/**
 * The Media SID when `url` is exactly `<apiBaseUrl origin>/2010-04-01/Accounts/<accountSid>/Messages/<messageSid>/Media/ME…`
 * (no credentials, query or fragment); undefined for anything else.
 */
export function mediaSidOf(url: string, account: MediaAccountFacts, messageSid: string): string | undefined {
  let parsed: URL;
  let api: URL;
  try {
    parsed = new URL(url);
    api = new URL(account.apiBaseUrl);
  } catch {
    return undefined;
  }
  if (parsed.origin !== api.origin || parsed.username || parsed.password || parsed.search || parsed.hash) return undefined;
  const prefix = `/2010-04-01/Accounts/${account.accountSid}/Messages/${messageSid}/Media/`;
  if (!parsed.pathname.startsWith(prefix)) return undefined;
  const sid = parsed.pathname.slice(prefix.length);
  return MEDIA_SID.test(sid) ? sid : undefined;
}

export type PlannedDownload = { index: number; url: string; mediaSid: string; declaredType: string | undefined };
export type RefusedMedia = { index: number; declaredType: string | undefined; reason: MediaRefusal };

/** Splits the announced attachments into downloads and refusals, before any request is made. */
export function planInboundDownloads(
  refs: readonly InboundMediaRef[],
  account: MediaAccountFacts,
  event: { accountSid: string; messageSid: string },
): { downloads: PlannedDownload[]; refused: RefusedMedia[] } {
  const downloads: PlannedDownload[] = [];
  const refused: RefusedMedia[] = [];
  // A webhook for another account names that account's media; its URLs are never ours to fetch.
  const sameAccount = event.accountSid === account.accountSid;
  for (const ref of refs) {
    const refuse = (reason: MediaRefusal) => refused.push({ index: ref.index, declaredType: ref.declaredType, reason });
    if (ref.index >= MAX_INBOUND_MEDIA) refuse("too-many");
    else if (!ref.url) refuse("missing-url");
    else {
      const mediaSid = sameAccount ? mediaSidOf(ref.url, account, event.messageSid) : undefined;
      if (mediaSid) downloads.push({ index: ref.index, url: ref.url, mediaSid, declaredType: ref.declaredType });
      else refuse("not-this-message");
    }
  }
  return { downloads, refused };
}

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/**
 * The hosts a download may touch (the API host and the media CDN hosts), and
 * which of them may resolve to a private address: only loopback hosts the
 * operator configured (an emulator), never Twilio's defaults and never a
 * configured public name, so DNS cannot turn one into an internal address.
 */
export function mediaHostPolicy(apiBaseUrl: string, extraCdnHosts: readonly string[], defaultApiBaseUrl: string) {
  const apiHost = new URL(apiBaseUrl).hostname;
  const custom = [...(apiBaseUrl === defaultApiBaseUrl ? [] : [apiHost]), ...extraCdnHosts];
  return {
    hostnameAllowlist: [...new Set([apiHost, ...TWILIO_MEDIA_HOSTS, ...extraCdnHosts])],
    allowedHostnames: [...new Set(custom.filter((host) => LOOPBACK_HOST.test(host)))],
    requireHttps: new URL(apiBaseUrl).protocol === "https:",
  };
}

/** Shares the per-message budget: each file may use at most its own cap and what earlier files left. */
export class MediaBudget {
  #left: number;
  readonly #perItem: number;
  constructor(perItemBytes: number, totalBytes: number) {
    this.#perItem = perItemBytes;
    this.#left = totalBytes;
  }
  /** The cap for the next download, or undefined when nothing is left. */
  next(): number | undefined {
    return this.#left > 0 ? Math.min(this.#perItem, this.#left) : undefined;
  }
  /** True when the per-item cap (not the shared total) is what binds the next download. */
  perItemBinds(): boolean {
    return this.#perItem <= this.#left;
  }
  spend(bytes: number): void {
    this.#left -= bytes;
  }
}

/**
 * Types handed to the agent, each recognisable from its bytes. Plain text has
 * no magic number, so it is accepted only when declared and decodes as UTF-8.
 */
const ACCEPTED_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/heic",
  "image/heif",
  "image/bmp",
  "image/tiff",
  "audio/amr",
  "audio/mpeg",
  "audio/mp4",
  "audio/aac",
  "audio/ogg",
  "audio/wav",
  "audio/3gpp",
  "video/mp4",
  "video/3gpp",
  "video/quicktime",
  "video/mpeg",
  "video/webm",
  "application/pdf",
  "text/vcard",
  "text/calendar",
]);

/** The type to store the file as, or undefined when it is refused. `sniffed` comes from the bytes alone. */
export function acceptedType(sniffed: string | undefined, declaredType: string | undefined, bytes: Uint8Array): string | undefined {
  if (sniffed) return ACCEPTED_TYPES.has(sniffed) ? sniffed : undefined;
  const declared = declaredType?.split(";")[0]?.trim().toLowerCase();
  if (declared !== "text/plain" || bytes.includes(0)) return undefined;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return "text/plain";
  } catch {
    return undefined;
  }
}

const REASON_WORDS: Record<MediaRefusal, string> = {
  "not-this-message": "not from this message",
  "missing-url": "no link was sent",
  "too-many": "more than 10 attached",
  "too-large": "too large",
  "over-total": "over the size limit for one message",
  "wrong-type": "unsupported file type",
  "refused-host": "served from an unexpected host",
  "timed-out": "timed out",
  "download-failed": "download failed",
};

/**
 * The agent's note for what could not be taken, e.g.
 * "[1 picture could not be downloaded (too large)]"; undefined when nothing failed.
 */
export function describeRefusals(refused: readonly RefusedMedia[]): string | undefined {
  if (refused.length === 0) return undefined;
  const allPictures = refused.every((item) => item.declaredType?.toLowerCase().startsWith("image/"));
  const noun = allPictures ? "picture" : "attachment";
  const counts = new Map<MediaRefusal, number>();
  for (const item of refused) counts.set(item.reason, (counts.get(item.reason) ?? 0) + 1);
  const reasons = [...counts].map(([reason, count]) => (counts.size === 1 ? REASON_WORDS[reason] : `${count} ${REASON_WORDS[reason]}`));
  const n = refused.length;
  return `[${n} ${noun}${n === 1 ? "" : "s"} could not be downloaded (${reasons.join(", ")})]`;
}
