/**
 * The SDK outbound adapter: resolves the account and target, then hands the
 * whole reply to our pipeline. Core chunking is switched off (`chunker: null`)
 * because only our chunker knows what a segment costs.
 */
import type { ChannelPlugin, OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import { CHANNEL_ID } from "../config/accounts.ts";
import type { ResolvedAccount } from "../config/accounts.ts";
import { ConfigError, TargetError } from "../errors.ts";
import { parseTarget } from "../phone.ts";
import type { GuardedSender } from "./guarded-send.ts";
import { totalSegments } from "./chunk.ts";
import { buildReceipt } from "./receipts.ts";

type OutboundAdapter = NonNullable<ChannelPlugin<ResolvedAccount>["outbound"]>;

export type OutboundDeps = {
  resolveAccount: (cfg: OpenClawConfig, accountId?: string | null) => ResolvedAccount;
  send: GuardedSender;
};

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
    },
  };
}
