/**
 * One account's runtime: everything an account holds while it runs, opened
 * together and closed together. The single store connection and the stores on
 * it, one kept-alive Twilio client, the guarded sender with its daily tally,
 * the inbound side (budgets, turn scheduler) and the clock. The gateway opens
 * one in `startAccount` and closes it on abort; the channel keeps a registry of
 * the running ones so outbound sends use the same connection and client.
 */
import type { ResolvedAccount } from "./config/accounts.ts";
import { AccountStoppedError } from "./errors.ts";
import { createOutboundMediaHost } from "./media/host.ts";
import type { OutboundMediaHost } from "./media/host.ts";
import { createGuardedSender, createSegmentTally } from "./outbound/guarded-send.ts";
import { createMmsSender } from "./outbound/mms-send.ts";
import type { MmsSender, MmsSendParams } from "./outbound/mms-send.ts";
import type { GuardedSender, GuardedSendParams } from "./outbound/guarded-send.ts";
import type { SentPart } from "./outbound/receipts.ts";
import { openDatabase } from "./store/db.ts";
import { createDeliveryStore } from "./store/deliveries.ts";
import type { DeliveryStore } from "./store/deliveries.ts";
import { createInboundJournal } from "./store/journal.ts";
import type { InboundJournal } from "./store/journal.ts";
import { createOptOutLedger } from "./store/optouts.ts";
import type { OptOutLedger } from "./store/optouts.ts";
import { createPendingPairings } from "./store/pairing-pending.ts";
import type { PendingPairings } from "./store/pairing-pending.ts";
import { createWalTruncation } from "./store/wal-truncation.ts";
import { createTwilioClient } from "./twilio/client.ts";
import type { ClosableTwilioClient, TwilioRestClient } from "./twilio/client.ts";
import { createAccountWebhook } from "./webhook/account.ts";
import type { AccountWebhook, AccountWebhookDeps, Logger } from "./webhook/account.ts";

export type InboundDeps = Pick<AccountWebhookDeps, "dispatchTurn" | "onStatusCallback" | "onQueueChange">;

export type AccountRuntime = {
  readonly account: ResolvedAccount;
  readonly now: () => number;
  readonly journal: InboundJournal;
  readonly deliveries: DeliveryStore;
  readonly optOuts: OptOutLedger;
  readonly pending: PendingPairings;
  /** The account's kept-alive Twilio client, for calls outside the send pipeline (deleting downloaded media). */
  readonly client: TwilioRestClient;
  /** Every SMS this account sends goes through here (opt-outs, spend guard, delivery records). */
  readonly send: GuardedSender;
  /** Sends a reply with attachments as MMS; fails with the config error when publicUrl is not set. */
  readonly sendMedia: MmsSender;
  /** Serves outbound attachments to Twilio under `<webhookPath>/media/`; only when publicUrl is set. */
  readonly mediaHost: OutboundMediaHost | undefined;
  /** The inbound side; only runtimes opened by the gateway have one. */
  readonly webhook: AccountWebhook | undefined;
  /**
   * Lets running turns finish for up to `drainMs`, then refuses new sends, waits
   * (within the same budget) for sends already on the wire, and closes the client
   * and the store. Texts not yet answered stay in the journal for the next start.
   */
  close(drainMs: number): Promise<void>;
};

export type OpenRuntimeParams = {
  account: ResolvedAccount;
  stateDir: string;
  log: Logger;
  now?: () => number;
  createClient?: (account: ResolvedAccount) => ClosableTwilioClient;
  /** Given by the gateway: the runtime then takes texts from the webhook and runs turns. */
  inbound?: InboundDeps;
};

const defaultClient = (account: ResolvedAccount) =>
  createTwilioClient({ accountSid: account.accountSid ?? "", authToken: account.authToken ?? "", apiBaseUrl: account.apiBaseUrl });

export function openAccountRuntime(params: OpenRuntimeParams): AccountRuntime {
  const { account, log } = params;
  const now = params.now ?? Date.now;
  const db = openDatabase(params.stateDir);
  let client: ClosableTwilioClient | undefined;
  try {
    const journal = createInboundJournal(db, account.accountId);
    const deliveries = createDeliveryStore(db, account.accountId);
    const optOuts = createOptOutLedger(db);
    const pending = createPendingPairings(db);
    const wal = createWalTruncation(db, { warn: log.warn });
    client = (params.createClient ?? defaultClient)(account);
    // One daily allowance per recipient, whether the segments go out as SMS or as a converted MMS.
    const tally = createSegmentTally(now);
    const guarded = createGuardedSender({ client, optOuts, deliveries, now, tally });

    let closed = false;
    const inFlight = new Set<Promise<unknown>>();
    const send: GuardedSender = (sendParams: GuardedSendParams): Promise<SentPart[]> => {
      if (closed) return Promise.reject(new AccountStoppedError(account.accountId));
      const sending = guarded(sendParams);
      inFlight.add(sending);
      void sending.catch(() => undefined).finally(() => inFlight.delete(sending));
      return sending;
    };

    const mediaHost = account.publicUrl ? createOutboundMediaHost({ publicUrl: account.publicUrl, webhookPath: account.webhookPath, now }) : undefined;
    const mms = createMmsSender({ client, host: mediaHost, optOuts, deliveries, now, tally, sendText: send });
    const sendMedia: MmsSender = (mediaParams) => {
      if (closed) return Promise.reject(new AccountStoppedError(account.accountId));
      const sending = mms(mediaParams);
      inFlight.add(sending);
      void sending.catch(() => undefined).finally(() => inFlight.delete(sending));
      return sending;
    };

    const webhook = params.inbound
      ? createAccountWebhook({
          account,
          journal,
          optOuts,
          deliveries,
          log,
          now,
          sendText: (to, text) => send({ account, to, text }),
          sendMedia: (to, text, files) => sendMedia({ account, to, text, files }),
          onPurged: () => wal.schedule(),
          ...params.inbound,
        })
      : undefined;

    const openedClient = client;
    return {
      account,
      now,
      journal,
      deliveries,
      optOuts,
      pending,
      client: openedClient,
      send,
      sendMedia,
      mediaHost,
      webhook,
      async close(drainMs) {
        if (closed) return;
        const deadline = now() + drainMs;
        if (webhook) {
          const drained = await webhook.drain(drainMs);
          if (!drained) log.warn(`stopped with a turn still running after ${drainMs} ms; its text stays in the journal and is answered after the restart`);
          webhook.close();
        }
        closed = true;
        if (inFlight.size > 0) {
          await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - now())).unref())]);
        }
        mediaHost?.clear();
        wal.flush();
        openedClient.close();
        db.close();
      },
    };
  } catch (error) {
    client?.close();
    db.close();
    throw error;
  }
}

export interface RuntimeRegistry {
  /** Adds a running account's runtime; returns its removal. */
  add(runtime: AccountRuntime): () => void;
  get(accountId: string): AccountRuntime | undefined;
  /**
   * Sends through the account's running runtime. When the account does not run in this
   * process (a CLI command, a stopped or disabled account, credentials changed under it),
   * a runtime is opened for this one send and closed after it, so nothing is left open.
   */
  send(params: GuardedSendParams): Promise<SentPart[]>;
  /**
   * Sends attachments through the account's running runtime: its media host is
   * what Twilio fetches from, so an account not running here cannot send them.
   */
  sendMedia(params: MmsSendParams): Promise<SentPart[]>;
}

function sameCredentials(a: ResolvedAccount, b: ResolvedAccount): boolean {
  return a.accountSid === b.accountSid && a.authToken === b.authToken && a.apiBaseUrl === b.apiBaseUrl;
}

export function createRuntimeRegistry(deps: { stateDir: () => string; log: Logger; createClient?: OpenRuntimeParams["createClient"] }): RuntimeRegistry {
  const running = new Map<string, AccountRuntime>();
  return {
    add(runtime) {
      running.set(runtime.account.accountId, runtime);
      return () => {
        if (running.get(runtime.account.accountId) === runtime) running.delete(runtime.account.accountId);
      };
    },
    get: (accountId) => running.get(accountId),
    async sendMedia(params) {
      const live = running.get(params.account.accountId);
      if (!live || !sameCredentials(live.account, params.account)) {
        throw new Error(
          `twilio-sms: account "${params.account.accountId}" is not running in this gateway, so it cannot host attachments for Twilio to fetch; start the gateway with the account enabled and send again`,
        );
      }
      return await live.sendMedia(params);
    },
    async send(params) {
      const live = running.get(params.account.accountId);
      if (live && sameCredentials(live.account, params.account)) return await live.send(params);
      const once = openAccountRuntime({
        account: params.account,
        stateDir: deps.stateDir(),
        log: deps.log,
        ...(deps.createClient ? { createClient: deps.createClient } : {}),
      });
      try {
        return await once.send(params);
      } finally {
        await once.close(0);
      }
    },
  };
}
