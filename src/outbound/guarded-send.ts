/**
 * Every SMS we send goes through here: a number that opted out is refused
 * locally before Twilio is called, and a Twilio 21610 ("unsubscribed
 * recipient") adds the number to the ledger so the next send is refused too.
 */
import type { ResolvedAccount } from "../config/accounts.ts";
import { TwilioApiError } from "../errors.ts";
import { maskPhone } from "../mask.ts";
import { withOptOutLedger } from "../store/open.ts";
import type { TwilioRestClient } from "../twilio/client.ts";
import type { SentPart } from "./receipts.ts";
import { PartialSendError } from "./receipts.ts";
import { sendSms } from "./send.ts";

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
  const cause = error instanceof PartialSendError ? error.cause : error;
  return cause instanceof TwilioApiError ? cause.twilioCode : undefined;
}

export function createGuardedSender(deps: {
  stateDir: () => string;
  clientFor: (account: ResolvedAccount) => TwilioRestClient;
  now: () => number;
}): GuardedSender {
  return async ({ account, to, text, signal }) => {
    if (!account.configured || !account.sender) {
      throw new Error(`twilio-sms: account "${account.accountId}" cannot send: ${account.problems[0] ?? "not configured"}`);
    }
    const sender = account.sender;
    return withOptOutLedger(deps.stateDir(), async (ledger) => {
      if (ledger.isOptedOut(account.accountId, to)) throw new OptedOutError(to);
      try {
        return await sendSms({ client: deps.clientFor(account), account, sender, to, text, signal });
      } catch (error) {
        if (twilioCodeOf(error) === 21610) ledger.record(account.accountId, to, "twilio-21610", deps.now());
        throw error;
      }
    });
  };
}
