/**
 * Whether a failed Messages create may be sent again. Pure: the caller passes
 * the attempt count, the time spent and a random number, and does the waiting.
 *
 * Messages create has no idempotency key, so the only safe resend is one
 * Twilio cannot have acted on: a 429 (documented as "not processed"), or a
 * request that never left this machine because DNS or the TCP connection
 * failed (see twilio/transport.ts for how that is told apart). A 5xx, a
 * timeout or a connection lost once the request was out may come after
 * Twilio created the message: that is an unknown outcome, which the send
 * pipeline checks against Twilio's message list and never resends blindly:
 * a missing reply is recoverable, a duplicate text is not. Every other answer
 * is a refusal that repeats until a person fixes something, so it fails now.
 */
import { TwilioApiError } from "../errors.ts";
import { describeTwilioCode } from "../twilio/codes.ts";

export const RETRY_LIMITS = Object.freeze({
  /** Create requests per part, first one included. */
  maxAttempts: 5,
  /** Waiting stops once the next pause would take the part past this. */
  maxElapsedMs: 20_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
});

export type RetryInput = {
  error: unknown;
  /** 1 for the first request of a part. */
  attempt: number;
  /** Since the part's first request started. */
  elapsedMs: number;
  /** Uniform in [0, 1); spreads concurrent senders apart. */
  random: number;
};

export type RetryDecision =
  | { kind: "retry"; delayMs: number }
  | { kind: "fail"; reason: string }
  | { kind: "unknown-outcome"; reason: string };

const NOTHING_CREATED = "nothing was created";

export function decide(input: RetryInput): RetryDecision {
  const { error } = input;
  if (!(error instanceof TwilioApiError)) {
    const name = error instanceof Error ? error.name : typeof error;
    return { kind: "unknown-outcome", reason: `the send failed unexpectedly (${name})` };
  }
  const { transport } = error;
  if (transport?.stage === "dns") {
    return backOff(input, { answer: `could not look up Twilio's API host (${transport.code})`, outcome: NOTHING_CREATED });
  }
  if (transport?.stage === "connect") return backOff(input, { answer: `could not connect to Twilio (${transport.code})`, outcome: NOTHING_CREATED });
  if (transport?.stage === "tls") {
    return {
      kind: "fail",
      reason: `${error.message}, so nothing was created; check the system clock and any proxy or custom CA between the gateway and apiBaseUrl`,
    };
  }
  const status = error.httpStatus;
  const code = error.twilioCode;
  if (status === undefined) return { kind: "unknown-outcome", reason: error.message };
  if (status === 429) return backOff(input, { answer: `rate limited (${describeAnswer(error)})`, retryAfterSeconds: error.retryAfterSeconds, outcome: "nothing was sent" });
  const info = describeTwilioCode(code);
  if (status >= 500 || info?.retry === "unknown-outcome") {
    return { kind: "unknown-outcome", reason: `Twilio answered ${status}${code ? ` (${code})` : ""}` };
  }
  if (info?.retry === "after-backoff") {
    return backOff(input, { answer: `${info.cause} (${describeAnswer(error)})`, retryAfterSeconds: error.retryAfterSeconds, outcome: "nothing was sent" });
  }
  if (!info) return { kind: "fail", reason: `${error.message}${error.moreInfo ? ` (see ${error.moreInfo})` : ""}` };
  return { kind: "fail", reason: `${info.cause} (${code})${info.fix ? `; ${info.fix}` : ""}` };
}

function describeAnswer(error: TwilioApiError): string {
  return [error.httpStatus, error.twilioCode].filter(Boolean).join(", code ");
}

type Refusal = {
  /** What happened, e.g. "rate limited (429, code 20429)". */
  answer: string;
  retryAfterSeconds?: number | undefined;
  /** What the person can rely on when we give up. */
  outcome: string;
};

/**
 * Equal jitter (half fixed, half random) so a wait is never near zero, and
 * never sooner than Retry-After when Twilio sends one (it is not documented,
 * so its absence is normal).
 */
function backOff({ attempt, elapsedMs, random }: RetryInput, { answer, retryAfterSeconds, outcome }: Refusal): RetryDecision {
  const tries = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
  if (attempt >= RETRY_LIMITS.maxAttempts) {
    return { kind: "fail", reason: `still ${answer} after ${tries}; ${outcome}, try again shortly` };
  }
  const ceiling = Math.min(RETRY_LIMITS.maxDelayMs, RETRY_LIMITS.baseDelayMs * 2 ** (attempt - 1));
  const jitter = (random * ceiling) / 2;
  const delayMs = Math.round(retryAfterSeconds === undefined ? ceiling / 2 + jitter : retryAfterSeconds * 1000 + jitter);
  if (elapsedMs + delayMs > RETRY_LIMITS.maxElapsedMs) {
    const wait = retryAfterSeconds === undefined ? "" : ` and asked for a ${retryAfterSeconds} s wait`;
    const budget = RETRY_LIMITS.maxElapsedMs / 1000;
    return { kind: "fail", reason: `${answer}${wait}; stopped after ${tries} rather than wait past ${budget} s; ${outcome}` };
  }
  return { kind: "retry", delayMs };
}
