/**
 * Hosts outbound files for Twilio to fetch: each file gets its own URL under
 * `publicUrl` with an unguessable token (32 random bytes), valid for a short
 * time and revoked once its message reaches a final status. Only GET and HEAD
 * of a live token are answered; anything else is a 404 that reveals nothing.
 *
 * Bytes stay in memory, capped per account: Twilio fetches within seconds of
 * the create, and nothing is left on disk to clean up. The cost: a gateway
 * restart between the create and Twilio's fetch loses the file, Twilio fails
 * the message with 63019, and the status callback reports it.
 *
 * Tokens are secrets: they are never logged, and the URL is only given to Twilio.
 */
import { randomBytes as cryptoRandomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extensionForMime } from "openclaw/plugin-sdk/media-mime";

/** Long enough for Twilio's fetch even from a queue; short enough that a leaked link soon dies. */
export const DEFAULT_MEDIA_TTL_MS = 15 * 60_000;
/** Up to ~12 full-size pictures waiting at once per account. */
export const DEFAULT_HOSTED_BYTES = 64 * 1024 * 1024;
/** Twilio wants `filename=` of at most 20 characters, without spaces. */
const MAX_FILE_NAME = 20;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type HostedFile = { bytes: Uint8Array; contentType: string; fileName: string };

export type MediaHostOptions = {
  /** The account's public webhook URL; files are served under its path + `/media/`. */
  publicUrl: string;
  /** The gateway path of the webhook; the route to register is `routePath` (prefix match). */
  webhookPath: string;
  now: () => number;
  ttlMs?: number;
  maxBytes?: number;
  randomBytes?: (size: number) => Buffer;
};

type Entry = HostedFile & { expiresAt: number; messageSid: string | undefined; disposition: string };

export class MediaHostFullError extends Error {
  readonly code = "TWILIO_SMS_MEDIA_HOST_FULL";
  constructor() {
    super("twilio-sms: too many files are waiting for Twilio to fetch them; send this one again in a few minutes");
    this.name = "MediaHostFullError";
  }
}

/**
 * A name Twilio accepts: letters, digits, dot, dash and underscore, at most 20
 * characters, keeping a short extension (or `fallbackExtension`, e.g. ".png").
 */
export function safeFileName(fileName: string, fallbackExtension: string | undefined): string {
  const clean = fileName.replace(/^.*[\\/]/, "").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "");
  const dot = clean.lastIndexOf(".");
  const hasExt = dot > 0 && clean.length - dot <= 6;
  const ext = hasExt ? clean.slice(dot) : (fallbackExtension ?? "");
  const base = (hasExt ? clean.slice(0, dot) : clean) || "file";
  return base.slice(0, Math.max(1, MAX_FILE_NAME - ext.length)) + ext;
}

export class OutboundMediaHost {
  /** Register this path with `match: "prefix"`; `handle` answers everything under it. */
  readonly routePath: string;
  readonly #publicBase: string;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #maxBytes: number;
  readonly #random: (size: number) => Buffer;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: MediaHostOptions) {
    const publicUrl = new URL(options.publicUrl);
    this.#publicBase = `${publicUrl.origin}${publicUrl.pathname.replace(/\/+$/, "")}/media/`;
    this.routePath = `${options.webhookPath.replace(/\/+$/, "")}/media/`;
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? DEFAULT_MEDIA_TTL_MS;
    this.#maxBytes = options.maxBytes ?? DEFAULT_HOSTED_BYTES;
    this.#random = options.randomBytes ?? cryptoRandomBytes;
  }

  /** Stores a file and returns the URL to pass as `MediaUrl`. Throws `MediaHostFullError` over the byte cap. */
  put(file: HostedFile): { url: string; token: string; expiresAt: number } {
    this.prune();
    if (this.#bytes + file.bytes.length > this.#maxBytes) throw new MediaHostFullError();
    const token = this.#random(32).toString("base64url");
    const expiresAt = this.#now() + this.#ttlMs;
    const name = safeFileName(file.fileName, extensionForMime(file.contentType));
    this.#entries.set(token, { ...file, expiresAt, messageSid: undefined, disposition: `inline; filename=${name}` });
    this.#bytes += file.bytes.length;
    return { url: `${this.#publicBase}${token}`, token, expiresAt };
  }

  /** Ties a hosted file to the message that carries it, so `settle` can revoke it. */
  bindMessage(token: string, messageSid: string): void {
    const entry = this.#entries.get(token);
    if (entry) entry.messageSid = messageSid;
  }

  /** The message reached a final status: Twilio has its copy, so its files stop being served. */
  settle(messageSid: string): void {
    for (const [token, entry] of this.#entries) if (entry.messageSid === messageSid) this.revoke(token);
  }

  revoke(token: string): void {
    const entry = this.#entries.get(token);
    if (!entry) return;
    this.#entries.delete(token);
    this.#bytes -= entry.bytes.length;
  }

  /** Drops expired files; `put` and `handle` call it, so memory stays bounded without a timer. */
  prune(): void {
    const now = this.#now();
    for (const [token, entry] of this.#entries) if (entry.expiresAt <= now) this.revoke(token);
  }

  /** Forgets every file (account stopped). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Bytes held now; for status output. */
  get heldBytes(): number {
    return this.#bytes;
  }

  /** Answers a request under `routePath`; returns false for any other path so the caller can pass it on. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? "/", "http://host.invalid").pathname;
    if (!path.startsWith(this.routePath)) return false;
    this.prune();
    const token = path.slice(this.routePath.length);
    const entry = TOKEN.test(token) && (req.method === "GET" || req.method === "HEAD") ? this.#entries.get(token) : undefined;
    if (!entry) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
      res.end("Not found\n");
      return true;
    }
    res.writeHead(200, {
      "Content-Type": entry.contentType,
      "Content-Length": entry.bytes.length,
      "Content-Disposition": entry.disposition,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : entry.bytes);
    return true;
  }
}

export function createOutboundMediaHost(options: MediaHostOptions): OutboundMediaHost {
  return new OutboundMediaHost(options);
}
