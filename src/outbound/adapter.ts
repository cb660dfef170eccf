/**
 * The SDK outbound adapter: resolves the account and target, then hands the
 * whole reply to our pipeline. Core chunking is switched off (`chunker: null`)
 * because only our chunker knows what a segment costs. Attachments go out as
 * MMS, one per `sendMedia` call, hosted by the account's running runtime.
 */
import type { ChannelPlugin, OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import { buildOutboundMediaLoadOptions } from "openclaw/plugin-sdk/media-runtime";
import { loadWebMedia } from "openclaw/plugin-sdk/web-media";
import { CHANNEL_ID } from "../config/accounts.ts";
import type { ResolvedAccount } from "../config/accounts.ts";
import { ConfigError, TargetError } from "../errors.ts";
import { parseTarget } from "../phone.ts";
import type { GuardedSender } from "./guarded-send.ts";
import { totalSegments } from "./chunk.ts";
import { buildReceipt, type SentPart } from "./receipts.ts";
import { MAX_MMS_BYTES, requirePublicUrl } from "./mms.ts";
import type { MmsSendParams } from "./mms-send.ts";
import type { HostedFile } from "../media/host.ts";

type OutboundAdapter = NonNullable<ChannelPlugin<ResolvedAccount>["outbound"]>;

export type OutboundDeps = {
  resolveAccount: (cfg: OpenClawConfig, accountId?: string | null) => ResolvedAccount;
  send: GuardedSender;
  /** Sends attachments as MMS through the account's running runtime. */
  sendMedia: (params: MmsSendParams) => Promise<SentPart[]>;
};

/** Loads one attachment the way the host allows (local roots, its file reader, guarded fetch), capped at Twilio's MMS size. */
async function loadAttachment(ctx: Parameters<NonNullable<OutboundAdapter["sendMedia"]>>[0], url: string): Promise<HostedFile> {
  const media = await loadWebMedia(
    url,
    buildOutboundMediaLoadOptions({
      maxBytes: MAX_MMS_BYTES,
      mediaAccess: ctx.mediaAccess,
      mediaLocalRoots: ctx.mediaLocalRoots,
      mediaReadFile: ctx.mediaReadFile,
    }),
  );
  return { bytes: media.buffer, contentType: media.contentType ?? "application/octet-stream", fileName: media.fileName ?? "attachment" };
}

function deliveryResult(to: string, parts: readonly SentPart[]) {
  const primary = parts[0];
  return {
    channel: CHANNEL_ID,
    messageId: primary?.sid ?? "",
    ...(primary ? {} : { outcome: "not_sent" as const }),
    target: { kind: "chat" as const, id: to },
    timestamp: Date.now(),
    receipt: buildReceipt(parts),
    meta: { parts: parts.length, totalSegments: totalSegments(parts), sids: parts.map((part) => part.sid) },
  };
}

function requireRunnable(account: ResolvedAccount): void {
  if (!account.configured || !account.sender) {
    const first = account.problems[0] ?? "the account is not configured";
    throw new ConfigError(`account "${account.accountId}"`, `cannot send: ${first}`, "complete the account config, then retry");
  }
}

function resolveRecipient(to: string | undefined | null, account: ResolvedAccount): string {
  const raw = to?.trim() || account.defaultTo;
  if (!raw) throw new TargetError("twilio-sms: no target given and no defaultTo configured; pass --target +15551230001");
  return parseTarget(raw);
}

export function createOutboundAdapter(deps: OutboundDeps): OutboundAdapter {
  return {
    deliveryMode: "gateway",
    chunker: null,
    resolveTarget: ({ cfg, to, accountId }) => {
      try {
        const account = deps.resolveAccount(cfg as OpenClawConfig, accountId);
        return { ok: true, to: resolveRecipient(to, account) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
    },
    sendText: async (ctx) => {
      const account = deps.resolveAccount(ctx.cfg, ctx.accountId);
      const to = resolveRecipient(ctx.to, account);
      requireRunnable(account);
      const parts = await deps.send({ account, to, text: ctx.text, signal: ctx.signal });
      return deliveryResult(to, parts);
    },
    // Core calls this once per attachment, with the reply's text on the first; each becomes one MMS.
    sendMedia: async (ctx) => {
      const account = deps.resolveAccount(ctx.cfg, ctx.accountId);
      const to = resolveRecipient(ctx.to, account);
      requireRunnable(account);
      requirePublicUrl(account.publicUrl, account.accountId);
      if (!ctx.mediaUrl) {
        const parts = await deps.send({ account, to, text: ctx.text, signal: ctx.signal });
        return deliveryResult(to, parts);
      }
      const file = await loadAttachment(ctx, ctx.mediaUrl);
      ctx.signal?.throwIfAborted();
      const parts = await deps.sendMedia({ account, to, text: ctx.text, files: [file], signal: ctx.signal });
      return deliveryResult(to, parts);
    },
  };
}
