/**
 * The SDK outbound adapter: resolves the account and target, then hands the
 * whole reply to our pipeline. Core chunking is switched off (`chunker: null`)
 * because only our chunker knows what a segment costs.
 *
 * Attachments go out as MMS hosted by the account's running runtime. A
 * payload with several (a reply, or `message send --media a --media b`)
 * reaches `sendPayload` whole (`sendPayloadGroupsMedia`), so up to 10 files
 * ride in one MMS with the text; a single file comes through `sendMedia`.
 */
import type { ChannelPlugin, OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import { CHANNEL_ID } from "../config/accounts.ts";
import type { ResolvedAccount } from "../config/accounts.ts";
import { ConfigError, TargetError } from "../errors.ts";
import { parseTarget } from "../phone.ts";
import type { GuardedSender } from "./guarded-send.ts";
import { totalSegments } from "./chunk.ts";
import { buildReceipt, type SentPart } from "./receipts.ts";
import { requirePublicUrl } from "./mms.ts";
import type { MmsSendParams } from "./mms-send.ts";
import { loadAttachments, mediaUrlsOf } from "./attachments.ts";

type OutboundAdapter = NonNullable<ChannelPlugin<ResolvedAccount>["outbound"]>;

export type OutboundDeps = {
  resolveAccount: (cfg: OpenClawConfig, accountId?: string | null) => ResolvedAccount;
  send: GuardedSender;
  /** Sends attachments as MMS through the account's running runtime. */
  sendMedia: (params: MmsSendParams) => Promise<SentPart[]>;
};

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

type MediaContext = Parameters<NonNullable<OutboundAdapter["sendMedia"]>>[0];

export function createOutboundAdapter(deps: OutboundDeps): OutboundAdapter {
  async function sendWithMedia(ctx: MediaContext, urls: readonly string[]) {
    const account = deps.resolveAccount(ctx.cfg, ctx.accountId);
    const to = resolveRecipient(ctx.to, account);
    requireRunnable(account);
    if (urls.length === 0) return deliveryResult(to, await deps.send({ account, to, text: ctx.text, signal: ctx.signal }));
    requirePublicUrl(account.publicUrl, account.accountId);
    const files = await loadAttachments(urls, { mediaAccess: ctx.mediaAccess, mediaLocalRoots: ctx.mediaLocalRoots, mediaReadFile: ctx.mediaReadFile }, ctx.signal);
    const beforeSend = async () => {
      await ctx.onPlatformSendDispatch?.();
      ctx.assertDirectAdapterHandoff?.();
    };
    const parts = await deps.sendMedia({ account, to, text: ctx.text, files, signal: ctx.signal, beforeSend });
    return deliveryResult(to, parts);
  }

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
    // Core calls this for a payload with one attachment (or none left after its own checks).
    sendMedia: async (ctx) => await sendWithMedia(ctx, ctx.mediaUrl ? [ctx.mediaUrl] : []),
    // Core calls this for a payload with several attachments, and for structured payloads.
    sendPayload: async (ctx) => await sendWithMedia(ctx, mediaUrlsOf(ctx.payload)),
    sendPayloadGroupsMedia: true,
    // Only what `sendPayloadGroupsMedia` needs: durable final delivery also wants `text`, which stays off.
    deliveryCapabilities: { durableFinal: { payload: true } },
  };
}
