/**
 * The outbound pipeline: flatten → chunk → spend guard → one Twilio create
 * per part, in order. It stops at the first part that fails so a reply never
 * arrives with a hole in the middle; a part Twilio cannot have acted on
 * (rate limited, never sent) is retried, a part whose outcome is unknown is
 * looked up in Twilio's message list (reconcile.ts), any other failure ends
 * the reply (see retry.ts for why).
 */
import type { ResolvedAccount, Sender } from "../config/accounts.ts";
import { TwilioApiError } from "../errors.ts";
import type { TwilioMessage, TwilioRestClient } from "../twilio/client.ts";
import { planReply, SpendGuardError, type ReplyPlan } from "./budget.ts";
import type { SmsPart } from "./chunk.ts";
import { flattenMarkdown } from "./flatten.ts";
import { failureAfter, SmsSendError, type PartFailure, type SentPart } from "./receipts.ts";
import { reconcilePart } from "./reconcile.ts";
import { decide } from "./retry.ts";

export type SendClock = {
  /** Wall-clock epoch ms: it is compared with Twilio's own timestamps when an outcome is unknown. */
  now: () => number;
  /** Rejects with the signal's reason when it aborts mid-wait. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
};

export type SendAccount = Pick<ResolvedAccount, "textChunkLimit" | "maxSegmentsPerReply" | "partMarkers" | "smartEncoding">;

export type SendSmsParams = {
  client: TwilioRestClient;
  account: SendAccount;
  sender: Sender;
  to: string;
  /** Markdown or plain text; it is flattened before sending. */
  text: string;
  clock: SendClock;
  /** What the per-recipient daily budget still allows; Infinity when it is off. */
  segmentsLeftToday?: number;
  /** Told each part's segments once Twilio may bill them: on acceptance, or when the outcome is unknown. */
  onSegmentsBilled?: (segments: number) => void;
  signal?: AbortSignal | undefined;
  statusCallback?: string | undefined;
};

/** What would be sent, without sending: flattened, chunked and fitted under the caps. */
export function planSms(text: string, account: SendAccount, segmentsLeftToday = Infinity): ReplyPlan {
  return planReply({
    text: flattenMarkdown(text),
    chunk: { maxChars: account.textChunkLimit, partMarkers: account.partMarkers, normalize: account.smartEncoding },
    maxSegmentsPerReply: account.maxSegmentsPerReply,
    segmentsLeftToday,
  });
}

export async function sendSms(params: SendSmsParams): Promise<SentPart[]> {
  const plan = planSms(params.text, params.account, params.segmentsLeftToday);
  if (plan.kind === "refuse") throw new SpendGuardError(params.to, plan.reason);
  const sent: SentPart[] = [];
  for (const [index, part] of plan.parts.entries()) {
    try {
      const message = await createPart(params, part, { index, total: plan.parts.length, sent });
      const segments = message.numSegments ?? part.segments;
      sent.push({ index, sid: message.sid, status: message.status, segments, encoding: part.encoding });
      params.onSegmentsBilled?.(segments);
    } catch (error) {
      throw failureAfter(sent, error);
    }
  }
  return sent;
}

type Position = { index: number; total: number; sent: readonly SentPart[] };

/** One part's create, repeated only while the retry policy says Twilio did not act on it. */
async function createPart(params: SendSmsParams, part: SmsPart, position: Position): Promise<TwilioMessage> {
  const started = params.clock.now();
  for (let attempt = 1; ; attempt++) {
    params.signal?.throwIfAborted();
    const requestedAt = params.clock.now();
    try {
      return await params.client.createMessage({ to: params.to, body: part.text, sender: params.sender, statusCallback: params.statusCallback });
    } catch (error) {
      const decision = decide({ error, attempt, elapsedMs: params.clock.now() - started, random: params.clock.random() });
      const failure = (outcome: PartFailure["outcome"], reason: string) => {
        const facts = error instanceof TwilioApiError ? error : undefined;
        return new SmsSendError(
          params.to,
          {
            outcome,
            reason,
            partIndex: position.index,
            totalParts: position.total,
            attempts: attempt,
            httpStatus: facts?.httpStatus,
            twilioCode: facts?.twilioCode,
          },
          position.sent,
          error,
        );
      };
      switch (decision.kind) {
        case "retry":
          await params.clock.sleep(decision.delayMs, params.signal);
          break;
        case "fail":
          throw failure(error instanceof TwilioApiError && error.transport ? "not-sent" : "rejected", decision.reason);
        case "unknown-outcome": {
          const found = await reconcilePart({
            client: params.client,
            query: { to: params.to, sender: params.sender, body: part.text },
            requestedAt,
            exclude: new Set(position.sent.map((sent) => sent.sid)),
            sleep: params.clock.sleep,
            signal: params.signal,
          });
          if (found.kind === "found") return found.message;
          params.onSegmentsBilled?.(part.segments);
          throw failure("unknown-outcome", `${decision.reason}; ${found.note}`);
        }
      }
    }
  }
}
