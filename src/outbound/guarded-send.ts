/**
 * Every SMS we send goes through here: a number that opted out is refused
 * locally before Twilio is called, a Twilio 21610 ("unsubscribed recipient")
 * adds the number to the ledger so the next send is refused too, and the
 * per-recipient daily segment budget is checked and charged. Each part asks
 * Twilio for status callbacks at `publicUrl` (our own route) and is recorded
 * so those callbacks can be folded in.
 *
 * One sender per account runtime, on that runtime's store connection and
 * Twilio client. The daily tally lives in the sender's memory, so a restart
 * (or a send from a process where the account is not running) starts the
 * day's count again; budget.ts is pure so the same rules can move onto durable
 * storage later.
 */
import { setTimeout as wait } from "node:timers/promises";
import { isChannelPartialDeliveryError } from "openclaw/plugin-sdk/channel-inbound";
import type { ResolvedAccount } from "../config/accounts.ts";
import { maskPhone } from "../mask.ts";
import { addressNumber } from "../phone.ts";
import type { DeliveryStore } from "../store/deliveries.ts";
import type { OptOutLedger } from "../store/optouts.ts";
import type { TwilioRestClient } from "../twilio/client.ts";
import { addToTally, segmentsLeftToday, utcDay, type DailyTally } from "./budget.ts";
import { SmsSendError, type SentPart } from "./receipts.ts";
import { sendSms, type SendClock } from "./send.ts";

export class OptedOutError extends Error {
  readonly code = "TWILIO_SMS_OPTED_OUT";
  constructor(to: string) {
    super(`twilio-sms: ${maskPhone(to)} has opted out (texted STOP); nothing is sent until they text START`);
    this.name = "OptedOutError";
  }
}

export type GuardedSendParams = { account: ResolvedAccount; to: string; text: string; signal?: AbortSignal | undefined };
export type GuardedSender = (params: GuardedSendParams) => Promise<SentPart[]>;

function twilioCodeOf(error: unknown): number | undefined {
  const failure = isChannelPartialDeliveryError(error) ? error.cause : error;
  return failure instanceof SmsSendError ? failure.twilioCode : undefined;
}

const sleep: SendClock["sleep"] = (ms, signal) => wait(ms, undefined, { signal });

/**
 * What each recipient has been billed today, in SMS segments, for the
 * `dailySegmentsPerRecipient` allowance. One per account runtime, shared by
 * the SMS sender and the MMS sender (a converted MMS is billed as SMS).
 */
export type SegmentTally = {
  /** Segments `to` may still be sent today; Infinity without a daily limit. */
  left(account: ResolvedAccount, to: string): number;
  charge(account: ResolvedAccount, to: string, segments: number): void;
};

export function createSegmentTally(now: () => number): SegmentTally {
  const tallies = new Map<string, DailyTally>();
  let tallyDay = "";
  const today = () => {
    const day = utcDay(now());
    // Yesterday's counts never matter again, so a new day starts an empty map.
    if (day !== tallyDay) {
      tallies.clear();
      tallyDay = day;
    }
    return day;
  };
  const key = (account: ResolvedAccount, to: string) => `${account.accountId}\u0000${addressNumber(to)}`;
  return {
    left: (account, to) => segmentsLeftToday(tallies.get(key(account, to)), account.dailySegmentsPerRecipient, today()),
    charge: (account, to, segments) => {
      if (account.dailySegmentsPerRecipient === undefined || segments <= 0) return;
      const day = today();
      tallies.set(key(account, to), addToTally(tallies.get(key(account, to)), day, segments));
    },
  };
}

export function createGuardedSender(deps: {
  client: TwilioRestClient;
  optOuts: OptOutLedger;
  deliveries: DeliveryStore;
  now: () => number;
  /** Shared with the account's MMS sender; a fresh one when not given. */
  tally?: SegmentTally;
  sleep?: SendClock["sleep"];
  random?: () => number;
}): GuardedSender {
  const clock: SendClock = { now: deps.now, sleep: deps.sleep ?? sleep, random: deps.random ?? Math.random };
  const tally = deps.tally ?? createSegmentTally(deps.now);

  return async ({ account, to, text, signal }) => {
    if (!account.configured || !account.sender) {
      throw new Error(`twilio-sms: account "${account.accountId}" cannot send: ${account.problems[0] ?? "not configured"}`);
    }
    const sender = account.sender;
    const charge = (segments: number) => tally.charge(account, to, segments);
    const left = tally.left(account, to);

    const ledger = deps.optOuts;
    if (ledger.isOptedOut(account.accountId, addressNumber(to))) throw new OptedOutError(to);
    try {
      const parts = await sendSms({
        client: deps.client,
        account,
        sender,
        to,
        text,
        clock,
        segmentsLeftToday: left,
        onSegmentsBilled: charge,
        signal,
        statusCallback: account.publicUrl,
      });
      for (const part of parts) deps.deliveries.recordSent(part.sid, part.status, deps.now());
      return parts;
    } catch (error) {
      if (twilioCodeOf(error) === 21610) ledger.record(account.accountId, addressNumber(to), "twilio-21610", deps.now());
      throw error;
    }
  };
}
