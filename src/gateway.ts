/**
 * An account's life in the gateway: open its store, register its webhook
 * target, stay pending until the gateway aborts it, then let running turns
 * finish (bounded) and close everything it opened.
 */
import type { ChannelPlugin } from "openclaw/plugin-sdk/channel-core";
import type { PluginRuntime } from "openclaw/plugin-sdk/runtime-store";
import { waitUntilAbort } from "openclaw/plugin-sdk/channel-outbound";
import { channelBlockedPatch, channelReadyPatch, channelStoppedPatch } from "openclaw/plugin-sdk/gateway-runtime";
import { createChannelPairingController } from "openclaw/plugin-sdk/channel-pairing";
import { CHANNEL_ID } from "./config/accounts.ts";
import type { ResolvedAccount } from "./config/accounts.ts";
import { maskPhone } from "./mask.ts";
import { openDatabase } from "./store/db.ts";
import { createOptOutLedger } from "./store/optouts.ts";
import { createPendingPairings } from "./store/pairing-pending.ts";
import { APPROVED_REPLY, watchPairingApprovals } from "./webhook/approvals.ts";
import { createAccountWebhook } from "./webhook/account.ts";
import { dispatchInboundSms } from "./webhook/dispatch.ts";
import { registerWebhookTarget } from "./webhook/paths.ts";
import { createInboundJournal } from "./store/journal.ts";
import { createDeliveryStore } from "./store/deliveries.ts";
import { isKnownStatus } from "./status/delivery.ts";
import { summarizeDeliveries } from "./status/deliveries.ts";
import { reportStartFailure } from "./status/start-failure.ts";

type GatewayAdapter = NonNullable<ChannelPlugin<ResolvedAccount>["gateway"]>;
type ChannelConfigLike = Parameters<NonNullable<GatewayAdapter["startAccount"]>>[0]["cfg"];
type StartContext = Parameters<NonNullable<GatewayAdapter["startAccount"]>>[0];

export type GatewayDeps = {
  runtime: () => PluginRuntime;
  /** Startup warnings for this account, each with its fix. */
  warnings(cfg: ChannelConfigLike, accountId: string): { title: string; detail: string; remediation: string }[];
  stateDir: () => string;
  /** Sends text to a number through the outbound pipeline (opt-outs honoured); returns the SIDs. */
  sendText(account: ResolvedAccount, to: string, text: string): Promise<string[]>;
};

const DRAIN_TIMEOUT_MS = 10_000;

export function createGatewayAdapter(deps: GatewayDeps): GatewayAdapter {
  return {
    startAccount: async (ctx: StartContext) => {
      const account = ctx.account;
      const log = {
        info: (message: string) => ctx.log?.info(`[twilio-sms:${account.accountId}] ${message}`),
        warn: (message: string) => ctx.log?.warn(`[twilio-sms:${account.accountId}] ${message}`),
        error: (message: string) => ctx.log?.error(`[twilio-sms:${account.accountId}] ${message}`),
      };
      if (reportStartFailure(ctx, account)) return;

      const runtime = deps.runtime();
      const db = openDatabase(deps.stateDir());
      const journal = createInboundJournal(db, account.accountId);
      journal.prune(Date.now());
      const optOuts = createOptOutLedger(db);
      const deliveries = createDeliveryStore(db, account.accountId);
      deliveries.prune(Date.now());
      const deliveriesPatch = () => ({ application: { deliveries: summarizeDeliveries(deliveries, Date.now()) } });
      const pending = createPendingPairings(db);
      const pairing = createChannelPairingController({ core: runtime, channel: CHANNEL_ID, accountId: account.accountId });

      const webhook = createAccountWebhook({
        account,
        journal,
        optOuts,
        log,
        now: Date.now,
        sendText: (to, text) => deps.sendText(account, to, text),
        onStatusCallback: (event) => {
          if (!isKnownStatus(event.status)) {
            log.warn(`ignored a status callback with an unknown status "${event.status}"`);
            return;
          }
          const next = deliveries.apply(event.messageSid, { status: event.status, errorCode: event.errorCode, at: Date.now() });
          if (next?.conflicted) log.warn(`message ${event.messageSid} reported two different final statuses; kept "${next.status}"`);
          ctx.setStatus({ ...ctx.getStatus(), accountId: account.accountId, ...deliveriesPatch() });
        },
        dispatchTurn: (event, reply) =>
          dispatchInboundSms(event, {
            runtime,
            cfg: ctx.cfg,
            account,
            reply,
            log,
            now: Date.now,
            onPairingRequested: (number) => pending.add(account.accountId, number, Date.now()),
          }),
      });
      let registration: { unregister(): void };
      try {
        registration = registerWebhookTarget(
          webhook,
          { trustedProxies: ctx.cfg.gateway?.trustedProxies, allowRealIpFallback: ctx.cfg.gateway?.allowRealIpFallback === true },
          (message) => log.info(message),
        );
      } catch (error) {
        db.close();
        ctx.setStatus({ ...ctx.getStatus(), accountId: account.accountId, ...channelBlockedPatch(error instanceof Error ? error.message : String(error)) });
        throw error;
      }
      watchPairingApprovals({
        accountId: account.accountId,
        pending,
        readAllowFrom: () => pairing.readAllowFromStore(),
        notify: (number) => deps.sendText(account, number, APPROVED_REPLY),
        log,
        now: Date.now,
        signal: ctx.abortSignal,
      });
      log.info(
        `listening on ${account.webhookPath} for ${account.sender?.kind === "number" ? maskPhone(account.fromNumber) : "its Messaging Service"}` +
          (account.publicUrl ? "" : "; publicUrl is not set, so signatures are checked against the request's own Host"),
      );
      for (const warning of deps.warnings(ctx.cfg, account.accountId)) {
        log.warn(`${warning.title}: ${warning.detail}. Fix: ${warning.remediation}`);
      }
      const resumed = webhook.resume();
      if (resumed > 0) log.info(`resuming ${resumed} text(s) acknowledged before the last stop`);
      ctx.setStatus({ ...ctx.getStatus(), accountId: account.accountId, ...channelReadyPatch(), ...deliveriesPatch() });
      try {
        await waitUntilAbort(ctx.abortSignal);
      } finally {
        registration.unregister();
        await webhook.gate.idle(DRAIN_TIMEOUT_MS);
        db.close();
        ctx.setStatus({ ...ctx.getStatus(), accountId: account.accountId, ...channelStoppedPatch() });
      }
    },
  };
}
