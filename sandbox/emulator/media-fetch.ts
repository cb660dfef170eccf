/**
 * How Twilio collects the `MediaUrl`s of an outbound message: a HEAD and a
 * GET per URL, then a verdict on what came back. Every request is recorded
 * (status, type, size, SHA-256) so tests can prove which bytes Twilio saw.
 */
import { createHash } from "node:crypto";
import { bareType, judgeMedia, MAX_MESSAGE_MEDIA_BYTES } from "./media-types.ts";

export interface MediaFetchRecord {
  url: string;
  method: "HEAD" | "GET";
  /** null when no response arrived (refused connection, timeout). */
  status: number | null;
  contentType: string | null;
  /** Content-Length for HEAD; bytes read for GET. */
  size: number | null;
  /** GET only, over the bytes read. */
  sha256: string | null;
}

export interface FetchedFile {
  url: string;
  contentType: string;
  bytes: Buffer;
}

export type MediaCollection =
  | { ok: true; files: FetchedFile[]; fetches: MediaFetchRecord[] }
  | { ok: false; errorCode: number; reason: string; files: FetchedFile[]; fetches: MediaFetchRecord[] };

const FETCH_TIMEOUT_MS = 10_000;
// Twilio gives up on a file well past its own limits; reading stops there so a huge file cannot exhaust memory.
const MAX_READ_BYTES = MAX_MESSAGE_MEDIA_BYTES + 1;

async function readCapped(response: Response): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= MAX_READ_BYTES) break;
  }
  return Buffer.concat(chunks);
}

async function request(url: string, method: "HEAD" | "GET", signal: AbortSignal): Promise<{ record: MediaFetchRecord; bytes?: Buffer }> {
  const record: MediaFetchRecord = { url, method, status: null, contentType: null, size: null, sha256: null };
  try {
    const response = await fetch(url, {
      method,
      headers: { "User-Agent": "TwilioProxy/1.1", Accept: "*/*" },
      signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
    });
    record.status = response.status;
    record.contentType = response.headers.get("content-type");
    if (method === "HEAD") {
      const length = Number(response.headers.get("content-length"));
      record.size = Number.isFinite(length) ? length : null;
      await response.body?.cancel();
      return { record };
    }
    const bytes = await readCapped(response);
    record.size = bytes.length;
    record.sha256 = createHash("sha256").update(bytes).digest("hex");
    return { record, bytes };
  } catch {
    return { record };
  }
}

/** Fetches every URL in order and stops at the first one Twilio would fail the message for. */
export async function collectMedia(urls: readonly string[], signal: AbortSignal): Promise<MediaCollection> {
  const fetches: MediaFetchRecord[] = [];
  const files: FetchedFile[] = [];
  let total = 0;
  for (const url of urls) {
    fetches.push((await request(url, "HEAD", signal)).record);
    const { record, bytes } = await request(url, "GET", signal);
    fetches.push(record);
    if (!bytes || record.status === null || record.status < 200 || record.status >= 300) {
      const reason = record.status === null ? `${url} could not be reached` : `${url} answered HTTP ${record.status}`;
      return { ok: false, errorCode: 63019, reason, files, fetches };
    }
    const contentType = bareType(record.contentType);
    const verdict = judgeMedia(contentType, bytes);
    if (!verdict.ok) return { ok: false, errorCode: verdict.errorCode, reason: verdict.reason, files, fetches };
    total += bytes.length;
    if (total > MAX_MESSAGE_MEDIA_BYTES) {
      return { ok: false, errorCode: 30019, reason: `the message's media add up to more than ${MAX_MESSAGE_MEDIA_BYTES} bytes`, files, fetches };
    }
    files.push({ url, contentType, bytes });
  }
  return { ok: true, files, fetches };
}
