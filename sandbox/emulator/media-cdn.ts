/**
 * The emulator's stand-in for Twilio's media CDN (mms.twiliocdn.com / S3):
 * a second loopback listener on its own host, so a client that carries the
 * API credentials across the redirect is caught. It serves bytes only for a
 * signed, unexpired link and never asks for credentials; it records whether
 * an Authorization header arrived anyway.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatedMedia } from "./media-resource.ts";

/** How long a redirect link stays valid; Twilio's signed CDN links are similarly short-lived. */
export const CDN_LINK_TTL_MS = 5 * 60_000;

/** One request the CDN saw; credentials are noted, never kept. */
export interface CdnRequest {
  method: string;
  path: string;
  /** True when the client sent an Authorization header; a correct client never does. */
  authorization: boolean;
  status: number;
}

export class MediaCdn {
  readonly #server: Server;
  readonly #secret = randomBytes(32);
  readonly #lookup: (mediaSid: string) => EmulatedMedia | undefined;
  readonly #now: () => number;
  #origin = "";
  requests: CdnRequest[] = [];

  constructor(lookup: (mediaSid: string) => EmulatedMedia | undefined, now: () => number = Date.now) {
    this.#lookup = lookup;
    this.#now = now;
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://cdn.invalid");
      const media = this.#verify(url);
      const status = media ? 200 : 403;
      this.requests.push({ method: req.method ?? "GET", path: url.pathname, authorization: req.headers.authorization !== undefined, status });
      if (!media) {
        // S3 answers a bad or expired signature with an XML AccessDenied.
        res.writeHead(403, { "Content-Type": "application/xml" }).end("<Error><Code>AccessDenied</Code></Error>");
        return;
      }
      res.writeHead(200, { "Content-Type": media.contentType, "Content-Length": media.bytes.length });
      res.end(req.method === "HEAD" ? undefined : media.bytes);
    });
  }

  /**
   * Listens on `host`, or on 127.0.0.1 when that loopback alias is not configured (macOS has only
   * 127.0.0.1 by default); the CDN then differs from the API by port only.
   */
  async listen(host: string): Promise<void> {
    try {
      await this.#listenOn(host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRNOTAVAIL" || host === "127.0.0.1") throw error;
      await this.#listenOn("127.0.0.1");
    }
    const address = this.#server.address() as AddressInfo;
    this.#origin = `http://${address.address}:${address.port}`;
  }

  /** e.g. `http://127.0.0.2:40123`. */
  get origin(): string {
    return this.#origin;
  }

  /** The MMS Converter's link: public, unsigned and lasting, as the link in the converted SMS is. */
  publicUrl(media: EmulatedMedia): string {
    return `${this.#origin}/m/${media.sid}`;
  }

  /** A signed link to the file that expires after `CDN_LINK_TTL_MS`. */
  signedUrl(media: EmulatedMedia): string {
    const expires = String(Math.floor((this.#now() + CDN_LINK_TTL_MS) / 1000));
    const query = new URLSearchParams({ Expires: expires, Signature: this.#sign(media.sid, expires) });
    return `${this.#origin}/${media.accountSid}/${media.sid}?${query}`;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #listenOn(host: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
  }

  #sign(mediaSid: string, expires: string): string {
    return createHmac("sha256", this.#secret).update(`${mediaSid}:${expires}`).digest("base64url");
  }

  #verify(url: URL): EmulatedMedia | undefined {
    const converted = /^\/m\/(ME[0-9a-f]{32})$/.exec(url.pathname);
    if (converted?.[1]) return this.#lookup(converted[1]);
    const mediaSid = url.pathname.split("/")[2] ?? "";
    const expires = url.searchParams.get("Expires") ?? "";
    const given = Buffer.from(url.searchParams.get("Signature") ?? "");
    const expected = Buffer.from(this.#sign(mediaSid, expires));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(expires) * 1000 < this.#now()) return undefined;
    return this.#lookup(mediaSid);
  }
}
