/**
 * Whether a failed Messages create may be sent again. Pure: the caller passes
 * the attempt count, the time spent and a random number, and does the waiting.
 *
 * Messages create has no idempotency key, so the only safe resend is one
 * Twilio told us it did not act on: a 429 (documented as "not processed").
 * A 5xx, a timeout or a dropped connection may come after Twilio created the
 * message, so those are reported as an unknown outcome and never resent: a
 * missing reply is recoverable, a duplicate text is not. Every other answer
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

const NOT_RESENT = "the message may or may not have been created, so it was not resent";

export function decide(input: RetryInput): RetryDecision {
  const { error } = input;
  if (!(error instanceof TwilioApiError)) {
    const name = error instanceof Error ? error.name : typeof error;
    return { kind: "unknown-outcome", reason: `the send failed unexpectedly (${name}); ${NOT_RESENT}` };
  }
  const status = error.httpStatus;
  const code = error.twilioCode;
  if (status === undefined) return { kind: "unknown-outcome", reason: `${error.message}; ${NOT_RESENT}` };
  if (status === 429) return backOff(input, error);
  const info = describeTwilioCode(code);
  if (status >= 500 || info?.retry === "unknown-outcome") {
    return { kind: "unknown-outcome", reason: `Twilio answered ${status}${code ? ` (${code})` : ""}; ${NOT_RESENT}` };
  }
  if (info?.retry === "after-backoff") return backOff(input, error);
  if (!info) return { kind: "fail", reason: `${error.message}${error.moreInfo ? ` (see ${error.moreInfo})` : ""}` };
  return { kind: "fail", reason: `${info.cause} (${code})${info.fix ? `; ${info.fix}` : ""}` };
}

/**
 * Equal jitter (half fixed, half random) so a wait is never near zero, and
 * never sooner than Retry-After when Twilio sends one (it is not documented,
 * so its absence is normal).
 */
function backOff({ attempt, elapsedMs, random }: RetryInput, error: TwilioApiError): RetryDecision {
  const what = error.httpStatus === 429 ? "rate limited" : (describeTwilioCode(error.twilioCode)?.cause ?? "busy");
  const answer = `${what} (${[error.httpStatus, error.twilioCode].filter(Boolean).join(", code ")})`;
  const tries = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
  if (attempt >= RETRY_LIMITS.maxAttempts) {
    return { kind: "fail", reason: `still ${answer} after ${tries}; nothing was sent, try again shortly` };
  }
  const ceiling = Math.min(RETRY_LIMITS.maxDelayMs, RETRY_LIMITS.baseDelayMs * 2 ** (attempt - 1));
  const jitter = (random * ceiling) / 2;
  const delayMs = Math.round(
    error.retryAfterSeconds === undefined ? ceiling / 2 + jitter : error.retryAfterSeconds * 1000 + jitter,
  );
  if (elapsedMs + delayMs > RETRY_LIMITS.maxElapsedMs) {
    const wait = error.retryAfterSeconds === undefined ? "" : ` and asked for a ${error.retryAfterSeconds} s wait`;
    const budget = RETRY_LIMITS.maxElapsedMs / 1000;
    return { kind: "fail", reason: `${answer}${wait}; stopped after ${tries} rather than wait past ${budget} s; nothing was sent` };
  }
  return { kind: "retry", delayMs };
}
