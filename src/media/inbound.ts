/**
 * Takes the pictures and files of an incoming MMS into the SDK media store.
 *
 * Each download goes through the SDK's guarded fetch
 * (`runtime.channel.media.readRemoteMediaBuffer`): manual redirects, the host
 * allowlist re-checked on every hop, and `Authorization` dropped on any
 * cross-origin hop, so the Basic credentials reach the API host only. The
 * bytes, not the declared type, decide what is kept (`detectMime` sniffs
 * magic numbers). Failures never throw: they become a note for the agent.
 */
import { toInboundMediaFacts, type InboundMediaFacts } from "openclaw/plugin-sdk/channel-inbound";
import type { PluginRuntime } from "openclaw/plugin-sdk/runtime-store";
import type { MediaSettings } from "../config/accounts.ts";
import { DEFAULT_API_BASE_URL } from "../config/schema.ts";
import {
  acceptedType,
  describeRefusals,
  MediaBudget,
  mediaHostPolicy,
  planInboundDownloads,
  type InboundMediaRef,
  type MediaRefusal,
  type PlannedDownload,
  type RefusedMedia,
} from "./inbound-plan.ts";

export type InboundMediaAccount = {
  accountSid: string;
  /** Never logged or put in an error; sent to the API host only. */
  authToken: string;
  apiBaseUrl: string;
  media: MediaSettings;
};

export type InboundMediaDeps = {
  media: Pick<PluginRuntime["channel"]["media"], "readRemoteMediaBuffer" | "saveMediaBuffer">;
  /** `detectMime` from `openclaw/plugin-sdk/media-mime`, called with the bytes only. */
  detectMime: (opts: { buffer: Buffer }) => Promise<string | undefined>;
  /** Used only with `deleteMediaAfterDownload`. */
  deleteMedia?: (messageSid: string, mediaSid: string) => Promise<unknown>;
  log: { warn(message: string): void };
  now: () => number;
};

export type InboundMediaResult = {
  /** One per saved file, in attachment order; give them to `buildContext({ media })`. */
  facts: InboundMediaFacts[];
  /** e.g. "[1 picture could not be downloaded (too large)]"; undefined when every file was taken. */
  note: string | undefined;
  refused: RefusedMedia[];
};

/** Per-file deadline for the whole guarded fetch (all hops and the body). */
const ITEM_TIMEOUT_MS = 30_000;
const HEADER_TIMEOUT_MS = 15_000;
const IDLE_TIMEOUT_MS = 15_000;
/** Past this, the remaining files are skipped so the agent's turn is not held up for minutes. */
const BATCH_TIMEOUT_MS = 90_000;
/** API host → one CDN hop; a spare hop for a regional bounce. */
const MAX_REDIRECTS = 3;

function errorChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(`${(e as { name?: string }).name ?? ""} ${(e as { message?: string }).message ?? String(e)}`);
  }
  return parts.join(" | ");
}

/** Maps the SDK's `MediaFetchError` (code max_bytes | http_error | fetch_failed) to what the agent is told. */
export function classifyDownloadError(error: unknown): MediaRefusal {
  const code = (error as { code?: unknown })?.code;
  if (code === "max_bytes") return "too-large";
  const chain = errorChain(error);
  if (/blocked hostname|not in allowlist|private\/internal|SsrFBlocked|requires https/i.test(chain)) return "refused-host";
  if (/timeout|timed out|aborted/i.test(chain)) return "timed-out";
  return "download-failed";
}

function basicAuth(account: InboundMediaAccount): string {
  return `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64")}`;
}

/**
 * Downloads, checks and saves every acceptable attachment. `event` is the
 * webhook's own AccountSid and MessageSid; `refs` come from
 * `readInboundMediaRefs` (or the journal, for a resumed text).
 */
export async function takeInboundMedia(
  refs: readonly InboundMediaRef[],
  event: { accountSid: string; messageSid: string },
  account: InboundMediaAccount,
  deps: InboundMediaDeps,
): Promise<InboundMediaResult> {
  const { downloads, refused } = planInboundDownloads(refs, account, event);
  const policy = mediaHostPolicy(account.apiBaseUrl, account.media.cdnHosts, DEFAULT_API_BASE_URL);
  const budget = new MediaBudget(account.media.maxBytes, account.media.maxTotalBytes);
  const started = deps.now();
  const saved: { index: number; path: string; contentType: string; size: number }[] = [];

  for (const item of downloads) {
    const refuse = (reason: MediaRefusal) => refused.push({ index: item.index, declaredType: item.declaredType, reason });
    const cap = budget.next();
    if (cap === undefined) refuse("over-total");
    else if (deps.now() - started > BATCH_TIMEOUT_MS) refuse("timed-out");
    else {
      const perItemBinds = budget.perItemBinds();
      const outcome = await takeOne(item, cap, account, policy, deps);
      if (typeof outcome === "string") refuse(outcome === "too-large" && !perItemBinds ? "over-total" : outcome);
      else {
        budget.spend(outcome.size);
        saved.push({ index: item.index, ...outcome });
        if (account.media.deleteAfterDownload && deps.deleteMedia) {
          // The local copy is what the agent reads; a failed delete only leaves Twilio's copy in place.
          await deps.deleteMedia(event.messageSid, item.mediaSid).catch((error: unknown) => {
            deps.log.warn(`could not delete media ${item.mediaSid} at Twilio: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      }
    }
  }

  saved.sort((a, b) => a.index - b.index);
  refused.sort((a, b) => a.index - b.index);
  const facts = toInboundMediaFacts(
    saved.map((file) => ({ path: file.path, contentType: file.contentType, sizeBytes: file.size, messageId: event.messageSid })),
  );
  return { facts, note: describeRefusals(refused), refused };
}

async function takeOne(
  item: PlannedDownload,
  maxBytes: number,
  account: InboundMediaAccount,
  policy: ReturnType<typeof mediaHostPolicy>,
  deps: InboundMediaDeps,
): Promise<MediaRefusal | { path: string; size: number; contentType: string }> {
  let buffer: Buffer;
  try {
    ({ buffer } = await deps.media.readRemoteMediaBuffer({
      url: item.url,
      requestInit: { headers: { Authorization: basicAuth(account) } },
      maxBytes,
      maxRedirects: MAX_REDIRECTS,
      requireHttps: policy.requireHttps,
      timeoutMs: ITEM_TIMEOUT_MS,
      responseHeaderTimeoutMs: HEADER_TIMEOUT_MS,
      readIdleTimeoutMs: IDLE_TIMEOUT_MS,
      ssrfPolicy: { hostnameAllowlist: policy.hostnameAllowlist, allowedHostnames: policy.allowedHostnames },
      // The SDK's policy retries 408, 5xx and transient network errors once more; Twilio will not resend the webhook.
      retry: { attempts: 2, minDelayMs: 500, maxDelayMs: 2_000 },
    }));
  } catch (error) {
    const reason = classifyDownloadError(error);
    const status = (error as { status?: unknown }).status;
    deps.log.warn(`incoming media ${item.index + 1} (${item.mediaSid}) not taken: ${reason}${typeof status === "number" ? ` (HTTP ${status})` : ""}`);
    return reason;
  }
  const contentType = acceptedType(await deps.detectMime({ buffer }), item.declaredType, buffer);
  if (!contentType) {
    deps.log.warn(`incoming media ${item.index + 1} (${item.mediaSid}) not taken: its bytes are not an accepted type`);
    return "wrong-type";
  }
  try {
    const stored = await deps.media.saveMediaBuffer(buffer, contentType, "inbound", maxBytes);
    return { path: stored.path, size: buffer.length, contentType };
  } catch (error) {
    deps.log.warn(`incoming media ${item.index + 1} (${item.mediaSid}) could not be saved: ${error instanceof Error ? error.message : String(error)}`);
    return "download-failed";
  }
}
