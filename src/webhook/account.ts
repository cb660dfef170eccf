/**
 * One account's inbound side: budgets, replay claims, the turn gate, the
 * opt-out ledger and what happens after the ack. Created when the account
 * starts and dropped when it stops, so no state outlives its account.
 */
import { LRUCache } from "lru-cache";
import type { ResolvedAccount } from "../config/accounts.ts";
import { maskPhone, maskSid } from "../mask.ts";
import type { SentPart } from "../outbound/receipts.ts";
import type { InboundJournal } from "../store/journal.ts";
import type { OptOutLedger } from "../store/optouts.ts";
import { admit } from "./admit.ts";
import type { InboundSms, StatusCallbackEvent } from "./form.ts";
import { createAcceptedBudget, createTurnGate } from "./limits.ts";
import type { TurnGate } from "./limits.ts";
import { createReplayGuard } from "./replay.ts";
import { detach } from "./route.ts";
import type { WebhookTarget } from "./route.ts";

export const TURN_FAILED_REPLY = "Sorry, I couldn't answer that just now. Please try again in a few minutes.";
const APOLOGY_INTERVAL_MS = 10 * 60 * 1000;

export type Logger = { info(message: string): void; warn(message: string): void; error(message: string): void };

export type AccountWebhookDeps = {
  account: ResolvedAccount;
  journal: InboundJournal;
  optOuts: OptOutLedger;
  log: Logger;
  now: () => number;
  /** Runs admission (pairing/allowlist), the agent turn and its reply. Throws when the turn failed. */
  dispatchTurn(event: InboundSms, reply: (text: string) => Promise<SentPart[]>): Promise<string>;
  sendText(to: string, text: string): Promise<SentPart[]>;
  onStatusCallback?(event: StatusCallbackEvent): void;
};

export type AccountWebhook = WebhookTarget & {
  readonly gate: TurnGate;
  /** Runs the texts a crash left unanswered; returns how many. */
  resume(): number;
};

const RESUME_LIMIT = 1000;

export function createAccountWebhook(deps: AccountWebhookDeps): AccountWebhook {
  const { account, log } = deps;
  const budget = createAcceptedBudget(account.limits);
  const replay = createReplayGuard(deps.journal);
  const gate = createTurnGate(account.limits.maxConcurrentTurns, account.limits.maxQueuedTurns);
  const lastApology = new LRUCache<string, number>({ max: 4096 });
  const who = (event: InboundSms) => `${maskPhone(event.from)} (${maskSid(event.messageSid)})`;

  async function apologise(to: string) {
    const last = lastApology.get(to);
    if (last !== undefined && deps.now() - last < APOLOGY_INTERVAL_MS) return;
    lastApology.set(to, deps.now());
    await deps.sendText(to, TURN_FAILED_REPLY).catch((error: unknown) => {
      log.warn(`could not send the apology SMS to ${maskPhone(to)}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  const reply = (event: InboundSms) => async (text: string) => {
    const parts = await deps.sendText(event.from, text);
    deps.journal.markReplied(event.messageSid);
    return parts;
  };

  /** Handles one journaled text and returns the outcome kept in the journal. */
  async function handle(event: InboundSms): Promise<string> {
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
        if (account.helpReply) await reply(event)(account.helpReply);
        return "help";
      case "dispatch":
        try {
          return await deps.dispatchTurn(event, reply(event));
        } catch (error) {
          log.error(`agent turn for ${who(event)} failed: ${error instanceof Error ? error.message : String(error)}`);
          await apologise(event.from);
          return "turn-failed";
        }
    }
  }

  async function process(event: InboundSms): Promise<void> {
    deps.journal.markRunning(event.messageSid);
    let outcome = "error";
    try {
      outcome = await handle(event);
    } finally {
      deps.journal.finish(event.messageSid, outcome, deps.now());
    }
  }

  return {
    path: account.webhookPath,
    account,
    gate,
    accept(event) {
      // Journal first: a replay is acknowledged without spending anyone's budget, and nothing
      // is acknowledged that a crash could lose.
      try {
        if (replay.claim(event, deps.now()) === "duplicate") return "ack";
      } catch (error) {
        log.error(`could not journal a text from ${who(event)}; answered 503 so Twilio retries: ${String(error)}`);
        return "unavailable";
      }
      const refuse = (why: string): "busy" => {
        replay.release(event.messageSid);
        log.warn(`${why}; answered 429 to a text from ${who(event)}`);
        return "busy";
      };
      if (budget.overBudget(event.from, deps.now())) return refuse("over the message budget");
      if (account.holdTurns) {
        log.info(`holdTurns is on: journaled a text from ${who(event)}; it runs once holdTurns is turned off`);
        return "ack";
      }
      if (!gate.tryReserve()) return refuse(`turn queue full (${gate.running} running, ${gate.queued} queued)`);
      detach(() => gate.run(() => process(event)));
      return "ack";
    },
    resume() {
      if (account.holdTurns) return 0;
      deps.journal.settleReplied(deps.now());
      const unfinished = deps.journal.unfinished(RESUME_LIMIT);
      for (const event of unfinished) {
        gate.reserve();
        detach(() => gate.run(() => process(event)));
      }
      return unfinished.length;
    },
    onStatusCallback(event) {
      deps.onStatusCallback?.(event);
    },
    log(level, message) {
      log[level](message);
    },
  };
}
