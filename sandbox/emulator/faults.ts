import type { PlainResponse } from "./http-io.ts";
import { twilioErrorBody } from "./twilio-errors.ts";

/**
 * A failure applied to one future Messages create request.
 * - `twilio-error`: an arbitrary Twilio error body with the given HTTP status.
 * - `rate-limit`: HTTP 429 / 20429, with `Retry-After` only when `retryAfterSeconds` is given
 *   (Twilio does not document that header, so a client must cope with its absence).
 * - `server-error`: 500 and 503 carry a Twilio JSON body; 502 is an HTML page, as a load balancer sends.
 *   With `afterCreate`, the message is created first, as when Twilio fails after storing it.
 * - `delay`: wait `ms`, then process the request normally (for timeout and ordering tests).
 * - `stall`: process the request normally (the message IS created), then hold the reply for `ms`:
 *   a client whose timeout is shorter gives up on a message that exists.
 * - `drop`: process the request normally, then destroy the socket without answering. The message
 *   IS created, as when Twilio accepted a send but the response was lost: a client that retries
 *   blindly will send a duplicate.
 */
export type EmulatorFault =
  | { kind: "twilio-error"; status: number; code: number; message?: string }
  | { kind: "rate-limit"; retryAfterSeconds?: number; code?: 20429 }
  | { kind: "server-error"; status?: 500 | 502 | 503; afterCreate?: boolean }
  | { kind: "delay"; ms: number }
  | { kind: "stall"; ms: number }
  | { kind: "drop" };

/** Catches a seconds-for-milliseconds slip before it stalls a test run for hours. */
const MAX_DELAY_MS = 120_000;

export class FaultQueue {
  #queue: EmulatorFault[] = [];

  push(fault: EmulatorFault, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a positive integer, got ${times}`);
    if ((fault.kind === "delay" || fault.kind === "stall") && !(fault.ms >= 0 && fault.ms <= MAX_DELAY_MS)) {
      throw new RangeError(`failNext: ${fault.kind} must be between 0 and ${MAX_DELAY_MS} ms, got ${fault.ms}`);
    }
    if (fault.kind === "twilio-error" && !(fault.status >= 400 && fault.status <= 599)) {
      throw new RangeError(`failNext: twilio-error status must be 4xx or 5xx, got ${fault.status}`);
    }
    for (let i = 0; i < times; i++) this.#queue.push(fault);
  }

  shift(): EmulatorFault | undefined {
    return this.#queue.shift();
  }

  clear(): void {
    this.#queue = [];
  }

  get pending(): number {
    return this.#queue.length;
  }
}

type ErrorFault = Extract<EmulatorFault, { kind: "twilio-error" | "rate-limit" | "server-error" }>;

export function isErrorFault(fault: EmulatorFault): fault is ErrorFault {
  return fault.kind === "twilio-error" || fault.kind === "rate-limit" || fault.kind === "server-error";
}

/** The reply for a fault that answers instead of processing; `code` is null when the body carries none. */
export function faultResponse(fault: ErrorFault): PlainResponse & { code: number | null } {
  switch (fault.kind) {
    case "twilio-error":
      return {
        status: fault.status,
        code: fault.code,
        body: twilioErrorBody(fault.status, fault.code, fault.message ?? `Injected Twilio error ${fault.code}`),
      };
    case "rate-limit": {
      const code = fault.code ?? 20429;
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
      return { status: 429, code, headers, body: twilioErrorBody(429, code, "Too Many Requests") };
    }
    case "server-error": {
      const status = fault.status ?? 500;
      if (status === 502) {
        return {
          status,
          code: null,
          headers: { "Content-Type": "text/html" },
          body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        };
      }
      const code = status === 503 ? 20503 : 20500;
      const message = status === 503 ? "Service Unavailable" : "An internal server error has occurred";
      return { status, code, body: twilioErrorBody(status, code, message) };
    }
  }
}
