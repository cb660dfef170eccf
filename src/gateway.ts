/**
 * An account's life in the gateway: open its runtime, register its webhook
 * target, queue the texts the last stop left unanswered, stay pending until
 * the gateway aborts it, then stop within the host's drain: running turns get
 * DRAIN_MS, queued texts stay in the journal for the next start.
 */
import type { ChannelPlugin } from "openclaw/plugin-sdk/channel-core";
import type { PluginRuntime } from "openclaw/plugin-sdk/runtime-store";
import { waitUntilAbort } from "openclaw/plugin-sdk/channel-outbound";
import { channelBlockedPatch, channelReadyPatch, channelStoppedPatch } from "openclaw/plugin-sdk/gateway-runtime";
import { createChannelPairingController } from "openclaw/plugin-sdk/channel-pairing";
import { detectMime } from "openclaw/plugin-sdk/media-mime";
import { openAccountRuntime } from "./account-runtime.ts";
import type { AccountRuntime, RuntimeRegistry } from "./account-runtime.ts";
import { CHANNEL_ID } from "./config/accounts.ts";
import type { ResolvedAccount } from "./config/accounts.ts";
import { maskPhone } from "./mask.ts";
import { takeInboundMedia } from "./media/inbound.ts";
import { FINAL_STATUSES, isKnownStatus } from "./status/delivery.ts";
import { summarizeDeliveries } from "./status/deliveries.ts";
import type { Logger } from "./webhook/account.ts";
import type { StatusCallbackEvent } from "./webhook/form.ts";
import { APPROVED_REPLY, watchPairingApprovals } from "./webhook/approvals.ts";
import { dispatchInboundSms } from "./webhook/dispatch.ts";
import { installMediaRoute } from "./webhook/paths.ts";
import type { WebhookRoutes } from "./webhook/paths.ts";
import { reportStartFailure } from "./status/start-failure.ts";

type GatewayAdapter = NonNullable<ChannelPlugin<ResolvedAccount>["gateway"]>;
type ChannelConfigLike = Parameters<NonNullable<GatewayAdapter["startAccount"]>>[0]["cfg"];
type StartContext = Parameters<NonNullable<GatewayAdapter["startAccount"]>>[0];

export type GatewayDeps = {
  runtime: () => PluginRuntime;
  /** Startup warnings for this account, each with its fix. */
  warnings(cfg: ChannelConfigLike, accountId: string): { title: string; detail: string; remediation: string }[];
  stateDir: () => string;
  /** The channel's running account runtimes, shared with outbound sends. */
  runtimes: RuntimeRegistry;
  /** The channel's webhook route table. */
  routes: WebhookRoutes;
};

/**
 * The host retires a plugin after 5 s of still-running calls, and a config reload
 * restarts the account inside that window, so stopping must take clearly less.
 */
export const DRAIN_MS = 3_000;

function accountLog(ctx: StartContext): Logger {
  const prefix = `[twilio-sms:${ctx.account.accountId}]`;
  return {
    info: (message) => ctx.log?.info(`${prefix} ${message}`),
    warn: (message) => ctx.log?.warn(`${prefix} ${message}`),
    error: (message) => ctx.log?.error(`${prefix} ${message}`),
  };
}

/** Folds a status callback into the account's delivery store. */
function applyStatus(runtime: AccountRuntime, event: StatusCallbackEvent, log: Logger): void {
  if (!isKnownStatus(event.status)) log.info(`message ${event.messageSid} reported a status this plugin does not know ("${event.status}"); kept as reported`);
  const next = runtime.deliveries.apply(event.messageSid, { status: event.status, errorCode: event.errorCode, at: runtime.now() });
  // Twilio has its copy of the attachments once the message is final, so their links stop working.
  if (FINAL_STATUSES.has(event.status)) runtime.mediaHost?.settle(event.messageSid);
  if (next?.conflicted) log.warn(`message ${event.messageSid} reported two different final statuses; kept "${next.status}"`);
}

export function createGatewayAdapter(deps: GatewayDeps): GatewayAdapter {
  return {
    startAccount: async (ctx: StartContext) => {
      const { account } = ctx;
      const log = accountLog(ctx);
      const setStatus = (patch: Record<string, unknown>) => ctx.setStatus({ ...ctx.getStatus(), accountId: account.accountId, ...patch });
      if (reportStartFailure(ctx, account)) return;

      const sdk = deps.runtime();
      const runtime: AccountRuntime = openAccountRuntime({
        account,
        stateDir: deps.stateDir(),
        log,
        inbound: {
          dispatchTurn: (event, reply, { receivedAt }) =>
            dispatchInboundSms(event, {
              runtime: sdk,
              cfg: ctx.cfg,
              account,
              reply,
              log,
              now: runtime.now,
              receivedAt,
              takeMedia: (refs, event) =>
                takeInboundMedia(
                  refs,
                  event,
                  { accountSid: account.accountSid ?? "", authToken: account.authToken ?? "", apiBaseUrl: account.apiBaseUrl, media: account.media },
                  {
                    media: sdk.channel.media,
                    detectMime,
                    deleteMedia: (messageSid, mediaSid) => runtime.client.deleteMedia(messageSid, mediaSid),
                    log,
                    now: runtime.now,
                  },
                ),
              onPairingRequested: (number) => runtime.pending.add(account.accountId, number, runtime.now()),
            }),
          onStatusCallback: (event) => {
            applyStatus(runtime, event, log);
            publish(true);
          },
          onQueueChange: () => publish(false),
        },
      });
      const webhook = runtime.webhook!;
      let deliveries = summarizeDeliveries(runtime.deliveries, runtime.now());
      const publish = (deliveriesChanged: boolean) => {
        if (deliveriesChanged) deliveries = summarizeDeliveries(runtime.deliveries, runtime.now());
        setStatus({ application: { deliveries, queue: webhook.queueStatus() } });
      };
      runtime.journal.prune(runtime.now());
      runtime.deliveries.prune(runtime.now());
      // Before the route opens, so a sender's older texts queue ahead of any new one.
      const resumed = webhook.resume();

      let registration: { unregister(): void };
      try {
        registration = deps.routes.register(
          webhook,
          { trustedProxies: ctx.cfg.gateway?.trustedProxies, allowRealIpFallback: ctx.cfg.gateway?.allowRealIpFallback === true },
          (message) => log.info(message),
        );
      } catch (error) {
        await runtime.close(0);
        setStatus(channelBlockedPatch(error instanceof Error ? error.message : String(error)));
        throw error;
      }
      let removeMediaRoute: () => void = () => undefined;
      const mediaHost = runtime.mediaHost;
      if (mediaHost) {
        try {
          removeMediaRoute = installMediaRoute({
            path: mediaHost.routePath,
            accountId: account.accountId,
            handler: async (req, res) => mediaHost.handle(req, res),
            log: (message) => log.info(message),
          });
        } catch (error) {
          registration.unregister();
          await runtime.close(0);
          setStatus(channelBlockedPatch(error instanceof Error ? error.message : String(error)));
          throw error;
        }
      }
      const removeRuntime = deps.runtimes.add(runtime);
      const pairing = createChannelPairingController({ core: sdk, channel: CHANNEL_ID, accountId: account.accountId });
      const approvals = watchPairingApprovals({
        accountId: account.accountId,
        pending: runtime.pending,
        readAllowFrom: () => pairing.readAllowFromStore(),
        notify: (number) => runtime.send({ account, to: number, text: APPROVED_REPLY }),
        log,
        now: runtime.now,
      });
      // Before "listening", so that whoever sees that line has already seen whether the journal had texts left.
      if (resumed > 0) {
        log.info(account.holdTurns ? `holding ${resumed} journaled text(s) until holdTurns is off` : `resuming ${resumed} text(s) acknowledged before the last stop`);
      }
      log.info(
        `listening on ${account.webhookPath} for ${account.sender?.kind === "number" ? maskPhone(account.fromNumber) : "its Messaging Service"}` +
          (account.publicUrl ? "" : "; publicUrl is not set, so signatures are checked against the request's own Host"),
      );
      for (const warning of deps.warnings(ctx.cfg, account.accountId)) log.warn(`${warning.title}: ${warning.detail}. Fix: ${warning.remediation}`);
      setStatus({ ...channelReadyPatch(), application: { deliveries, queue: webhook.queueStatus() } });
      try {
        await waitUntilAbort(ctx.abortSignal);
      } finally {
        registration.unregister();
        removeMediaRoute();
        removeRuntime();
        await approvals.stop();
        await runtime.close(DRAIN_MS);
        setStatus(channelStoppedPatch());
      }
    },
  };
}
