/**
 * One account's inbound side: budgets, replay claims, the journal-backed turn
 * queue, the opt-out ledger and what happens after the ack. Created with the
 * account's runtime and dropped with it, so no state outlives its account.
 *
 * A verified text within the budgets and the backlog caps is journaled,
 * acknowledged 200 and queued; the scheduler runs it when a slot is free.
 * Past a budget or cap the answer is 429. Twilio does not redeliver a message
 * webhook answered 4xx/5xx unless its URL carries a retry fragment (#rc=…&rp=…),
 * so every 429 loses a text: it is counted, logged with the key to raise, and
 * shown in status.
 */
import { setTimeout as wait } from "node:timers/promises";
import { LRUCache } from "lru-cache";
import type { ResolvedAccount } from "../config/accounts.ts";
import { AccountStoppedError } from "../errors.ts";
import { maskPhone, maskSid } from "../mask.ts";
import type { HostedFile } from "../media/host.ts";
import type { DeliveryStore } from "../store/deliveries.ts";
import type { SentPart } from "../outbound/receipts.ts";
import type { InboundJournal } from "../store/journal.ts";
import type { OptOutLedger } from "../store/optouts.ts";
import { admit, replyAddress } from "./admit.ts";
import type { InboundSms, StatusCallbackEvent } from "./form.ts";
import { createAcceptedBudget } from "./limits.ts";
import { createReplayGuard } from "./replay.ts";
import { detach } from "./route.ts";
import type { WebhookTarget } from "./route.ts";
import { createTurnScheduler } from "./scheduler.ts";

export const TURN_FAILED_REPLY = "Sorry, I couldn't answer that just now. Please try again in a few minutes.";
const APOLOGY_INTERVAL_MS = 10 * 60 * 1000;
/**
 * Pauses before a failed turn runs again. A turn can fail for a passing host reason (another
 * process still holds a state lease just after a start, a model timeout); the text is durable,
 * so it is tried again before the sender gets an apology. The sender's later texts wait behind it.
 */
export const TURN_RETRY_DELAYS_MS: readonly number[] = [2_000, 8_000];

export type Logger = { info(message: string): void; warn(message: string): void; error(message: string): void };

/** The limits whose breach answers 429, by their key under `limits`. */
export type RefusalKey = "messagesPerMinutePerSender" | "messagesPerMinute" | "maxBacklogPerSender" | "maxBacklog";

export type QueueStatus = { running: number; waiting: number; held: boolean; refused429: Record<RefusalKey, number>; unjournaled: number };

export type TurnInfo = { receivedAt: number };

/** Answers the texter: text alone as SMS, or with files as MMS. */
export type Reply = (text: string, files?: readonly HostedFile[]) => Promise<SentPart[]>;

export type AccountWebhookDeps = {
  account: ResolvedAccount;
  journal: InboundJournal;
  optOuts: OptOutLedger;
  deliveries: Pick<DeliveryStore, "has">;
  log: Logger;
  now: () => number;
  /** Runs admission (pairing/allowlist), the agent turn and its reply. Throws when the turn failed. */
  dispatchTurn(event: InboundSms, reply: Reply, info: TurnInfo): Promise<string>;
  sendText(to: string, text: string): Promise<SentPart[]>;
  /** Sends a reply with attachments as MMS; without it, a reply with files fails with the reason. */
  sendMedia?(to: string, text: string, files: readonly HostedFile[]): Promise<SentPart[]>;
  onStatusCallback?(event: StatusCallbackEvent): void;
  /** A processed text's number and body were purged from the journal. */
  onPurged?(): void;
  /** The queue changed in a way status should show (a text queued, a turn settled and the next started, a refusal). */
  onQueueChange?(): void;
  /** Waits before a failed turn is tried again; rejects when `signal` aborts (the account is stopping). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
};

export type AccountWebhook = WebhookTarget & {
  /** Queues the texts a crash or stop left unanswered; returns how many. */
  resume(): number;
  queueStatus(): QueueStatus;
  /** Starts no new turn; resolves true once running turns are done, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  /** After the drain: replies are refused and nothing more is written, so a text left running stays in the journal. */
  close(): void;
};

type QueuedText = { event: InboundSms; receivedAt: number; durable: boolean };

/** Where an operator raises a limit for this account. */
export function limitKey(accountId: string, key: RefusalKey): string {
  return `channels.twilio-sms${accountId === "default" ? "" : `.accounts.${accountId}`}.limits.${key}`;
}

export function createAccountWebhook(deps: AccountWebhookDeps): AccountWebhook {
  const { account, log } = deps;
  const budget = createAcceptedBudget(account.limits);
  const replay = createReplayGuard(deps.journal);
  const lastApology = new LRUCache<string, number>({ max: 4096 });
  const refused: Record<RefusalKey, number> = { messagesPerMinutePerSender: 0, messagesPerMinute: 0, maxBacklogPerSender: 0, maxBacklog: 0 };
  let unjournaled = 0;
  let closed = false;
  // Aborted when the account drains, so a turn waiting to be tried again ends at once and stays in the journal.
  const stopping = new AbortController();
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => wait(ms, undefined, { signal }));
  const who = (event: InboundSms) => `${maskPhone(event.from)} (${maskSid(event.messageSid)})`;

  /**
   * Journal writes after the ack: a failure is logged, never thrown into the turn. After close only
   * the mark of a reply that was already on its way is still tried, so the next start does not resend it.
   */
  const record = (what: string, write: () => void, evenAfterClose = false) => {
    if (closed && !evenAfterClose) return;
    try {
      write();
    } catch (error) {
      log.error(`could not ${what} in the journal: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  async function apologise(to: string) {
    const last = lastApology.get(to);
    if (last !== undefined && deps.now() - last < APOLOGY_INTERVAL_MS) return;
    lastApology.set(to, deps.now());
    await deps.sendText(to, TURN_FAILED_REPLY).catch((error: unknown) => {
      log.warn(`could not send the apology SMS to ${maskPhone(to)}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Handles one text and returns the outcome kept in the journal. */
  async function handle(text: QueuedText): Promise<string> {
    const { event } = text;
    const reply: Reply = async (body, files) => {
      // Refused once stopped: the text stays unfinished in the journal and the next start answers it.
      if (closed) throw new AccountStoppedError(account.accountId);
      let parts: SentPart[];
      const to = replyAddress(event, account);
      if (!files?.length) parts = await deps.sendText(to, body);
      else if (deps.sendMedia) parts = await deps.sendMedia(to, body, files);
      else throw new Error(`twilio-sms: account "${account.accountId}" cannot send attachments here`);
      if (text.durable) record("mark a reply", () => deps.journal.markReplied(event.messageSid), true);
      return parts;
    };
    const admission = admit(event, account, deps.optOuts.isOptedOut(account.accountId, event.from));
    switch (admission.kind) {
      case "drop":
        log.info(`dropped a text from ${admission.senderKind ? admission.senderKind + " sender" : who(event)}: ${admission.reason}`);
        return `dropped:${admission.reason}`;
      case "opt-out":
        deps.optOuts.record(account.accountId, event.from, "keyword", deps.now());
        log.info(`recorded an opt-out for ${who(event)}; nothing more will be sent to that number until it texts START`);
        return "opt-out";
      case "opt-in":
        deps.optOuts.clear(account.accountId, event.from);
        log.info(`cleared the opt-out for ${who(event)}`);
        return "opt-in";
      case "help":
        if (account.helpReply) await reply(account.helpReply);
        return "help";
      case "dispatch":
        for (let attempt = 0; ; attempt++) {
          try {
            return await deps.dispatchTurn(event, reply, { receivedAt: text.receivedAt });
          } catch (error) {
            if (closed) throw error;
            const reason = error instanceof Error ? error.message : String(error);
            const delay = TURN_RETRY_DELAYS_MS[attempt];
            if (delay === undefined) {
              log.error(`agent turn for ${who(event)} failed ${attempt + 1} times, last: ${reason}; sent the sender an apology`);
              await apologise(replyAddress(event, account));
              return "turn-failed";
            }
            log.warn(`agent turn for ${who(event)} failed (${reason}); trying it again in ${delay / 1000} s`);
            await sleep(delay, stopping.signal).catch(() => {
              throw new AccountStoppedError(account.accountId);
            });
          }
        }
    }
  }

  async function runTurn(text: QueuedText): Promise<void> {
    const sid = text.event.messageSid;
    if (text.durable) record("mark a turn running", () => deps.journal.markRunning(sid));
    let outcome = "error";
    let cutOff = false;
    try {
      outcome = await handle(text);
    } catch (error) {
      cutOff = error instanceof AccountStoppedError;
      if (!closed && !cutOff) log.error(`the text from ${who(text.event)} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      // Nothing is finished after close or a stop: a turn cut off before any reply stays unfinished, so
      // the next start answers it, and one that replied is settled by the next start (settleReplied).
      if (text.durable && !closed && !cutOff) {
        record("finish a text", () => deps.journal.finish(sid, outcome, deps.now()));
        deps.onPurged?.();
      }
    }
  }

  const scheduler = createTurnScheduler<QueuedText>(
    { maxConcurrent: account.limits.maxConcurrentTurns, maxPerSender: account.limits.maxBacklogPerSender, maxTotal: account.limits.maxBacklog },
    {
      // Under the gateway's admission and restart-drain tracking; a draining gateway refuses it and the text stays journaled.
      run: (text) =>
        detach(() => runTurn(text)).catch((error: unknown) => {
          // The gateway refuses new work while it drains for a restart: start nothing more, the journal keeps the rest.
          scheduler.stop();
          log.warn(
            `did not start the turn for ${who(text.event)} (${String(error)}); it and the ${scheduler.waiting} text(s) still waiting stay in the journal for the next start`,
          );
        }),
      onChange: () => deps.onQueueChange?.(),
    },
  );
  if (account.holdTurns) scheduler.stop();

  function refuse(event: InboundSms, key: RefusalKey): "busy" {
    // Forgotten, so a retry Twilio makes under a retry fragment is taken as new.
    record("forget a refused text", () => replay.release(event.messageSid));
    refused[key] += 1;
    const limit = account.limits[key];
    log.warn(
      `answered 429 to a text from ${who(event)}: over limits.${key} (${limit}). Twilio does not retry a 429 unless the webhook URL ` +
        `in the Console ends in a retry fragment such as #rc=3&rp=all, so this text is lost. Fix: if such texts are legitimate, raise ${limitKey(account.accountId, key)}`,
    );
    deps.onQueueChange?.();
    return "busy";
  }

  return {
    path: account.webhookPath,
    account,
    accept(event) {
      const now = deps.now();
      // Journal first: a replay is acknowledged without spending anyone's budget.
      let durable = true;
      try {
        if (replay.claim(event, now) === "duplicate") return "ack";
      } catch (error) {
        // Twilio would not redeliver a 5xx by default, so refusing would lose the text for certain.
        // Running it from memory loses it only if the gateway also stops before the turn ends.
        durable = false;
        unjournaled += 1;
        replay.remember(event.messageSid);
        log.error(
          `could not write the journal (${error instanceof Error ? error.message : String(error)}); running the text from ${who(event)} from memory, ` +
            "so a crash before it is answered loses it. Fix: check that the OpenClaw state dir (plugins/twilio-sms/) is writable and the disk is not full",
        );
      }
      const over = budget.overBudget(event.from, now);
      if (over) return refuse(event, over);
      const room = scheduler.room(event.from);
      if (room !== "ok") return refuse(event, room === "sender-full" ? "maxBacklogPerSender" : "maxBacklog");
      if (account.holdTurns) log.info(`holdTurns is on: journaled a text from ${who(event)}; it runs once holdTurns is turned off`);
      scheduler.enqueue(event.from, { event, receivedAt: now, durable });
      return "ack";
    },
    resume() {
      deps.journal.settleReplied(deps.now());
      const unfinished = deps.journal.unfinished();
      for (const { event, receivedAt } of unfinished) {
        replay.remember(event.messageSid);
        scheduler.enqueue(event.from, { event, receivedAt, durable: true });
      }
      return unfinished.length;
    },
    ownsMessage(messageSid) {
      return deps.deliveries.has(messageSid);
    },
    onStatusCallback(event) {
      deps.onStatusCallback?.(event);
    },
    log(level, message) {
      log[level](message);
    },
    queueStatus: () => ({
      running: scheduler.running,
      waiting: scheduler.waiting,
      held: account.holdTurns,
      refused429: { ...refused },
      unjournaled,
    }),
    drain(timeoutMs) {
      scheduler.stop();
      stopping.abort();
      return scheduler.idle(timeoutMs);
    },
    close() {
      scheduler.stop();
      closed = true;
    },
  };
}
