/**
 * One account's inbound side: budgets, replay claims, the turn gate, the
 * opt-out ledger and what happens after the ack. Created when the account
 * starts and dropped when it stops, so no state outlives its account.
 */
import { LRUCache } from "lru-cache";
import type { ResolvedAccount } from "../config/accounts.ts";
import { maskPhone, maskSid } from "../mask.ts";
import type { OptOutLedger } from "../store/optouts.ts";
import { admit } from "./admit.ts";
import type { InboundSms, StatusCallbackEvent } from "./form.ts";
import { createAcceptedBudget, createTurnGate } from "./limits.ts";
import type { TurnGate } from "./limits.ts";
import type { ReplayGuard } from "./replay.ts";
import { detach } from "./route.ts";
import type { WebhookTarget } from "./route.ts";

export const TURN_FAILED_REPLY = "Sorry, I couldn't answer that just now. Please try again in a few minutes.";
const APOLOGY_INTERVAL_MS = 10 * 60 * 1000;

export type Logger = { info(message: string): void; warn(message: string): void; error(message: string): void };

export type AccountWebhookDeps = {
  account: ResolvedAccount;
  replay: ReplayGuard;
  optOuts: OptOutLedger;
  log: Logger;
  now: () => number;
  /** Runs admission (pairing/allowlist), the agent turn and its reply. Throws when the turn failed. */
  dispatchTurn(event: InboundSms): Promise<void>;
  sendText(to: string, text: string): Promise<unknown>;
  onStatusCallback?(event: StatusCallbackEvent): void;
};

export type AccountWebhook = WebhookTarget & { readonly gate: TurnGate };

export function createAccountWebhook(deps: AccountWebhookDeps): AccountWebhook {
  const { account, log } = deps;
  const budget = createAcceptedBudget(account.limits);
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

  async function process(event: InboundSms): Promise<void> {
    const admission = admit(event, account, deps.optOuts.isOptedOut(account.accountId, event.from));
    switch (admission.kind) {
      case "drop":
        log.info(`dropped a text from ${admission.senderKind ? admission.senderKind + " sender" : who(event)}: ${admission.reason}`);
        return;
      case "opt-out":
        deps.optOuts.record(account.accountId, event.from, "keyword", deps.now());
        log.info(`recorded an opt-out for ${who(event)}; nothing more will be sent to that number until it texts START`);
        return;
      case "opt-in":
        deps.optOuts.clear(account.accountId, event.from);
        log.info(`cleared the opt-out for ${who(event)}`);
        return;
      case "help":
        if (account.helpReply) await deps.sendText(event.from, account.helpReply);
        return;
      case "dispatch":
        try {
          await deps.dispatchTurn(event);
        } catch (error) {
          log.error(`agent turn for ${who(event)} failed: ${error instanceof Error ? error.message : String(error)}`);
          await apologise(event.from);
        }
        return;
    }
  }

  return {
    path: account.webhookPath,
    account,
    gate,
    accept(event) {
      // Claim first: a replay is acknowledged without spending anyone's budget.
      if (deps.replay.claim(event.messageSid, deps.now()) === "duplicate") return "ack";
      const refuse = (why: string): "busy" => {
        deps.replay.release(event.messageSid);
        log.warn(`${why}; answered 429 to a text from ${who(event)}`);
        return "busy";
      };
      if (budget.overBudget(event.from, deps.now())) return refuse("over the message budget");
      if (!gate.tryReserve()) return refuse(`turn queue full (${gate.running} running, ${gate.queued} queued)`);
      detach(() => gate.run(() => process(event)));
      return "ack";
    },
    onStatusCallback(event) {
      deps.onStatusCallback?.(event);
    },
    log(level, message) {
      log[level](message);
    },
  };
}
