/**
 * Typed errors with a stable `code`. Messages are redacted when the error is
 * built, so any layer may log them as they are.
 */

/** A config value that cannot work; names the key and how to fix it. */
export class ConfigError extends Error {
  readonly code = "TWILIO_SMS_CONFIG";
  readonly key: string;
  readonly fix: string;
  constructor(key: string, problem: string, fix: string) {
    super(`channels.twilio-sms: ${key} ${problem}. Fix: ${fix}`);
    this.name = "ConfigError";
    this.key = key;
    this.fix = fix;
  }
}

/** A send target that is not a phone number we can text. Raised before any Twilio call. */
export class TargetError extends Error {
  readonly code = "TWILIO_SMS_TARGET";
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

/**
 * How a request failed when no HTTP answer came back, by when it failed:
 * - `dns` / `connect`: the connection never opened, so no byte of the request
 *   left this machine and Twilio cannot have acted on it; worth retrying.
 * - `tls`: the server's certificate was refused during the handshake, also
 *   before the request was written; it repeats until someone fixes the trust store or proxy.
 * - `in-flight`: a timeout, a reset or anything else once a connection was
 *   open; the request may have reached Twilio, so the outcome is unknown.
 */
export type TransportFailure = { stage: "dns" | "connect" | "tls" | "in-flight"; code: string };

/** A Twilio REST failure, carrying Twilio's own facts (never credentials). */
export class TwilioApiError extends Error {
  readonly code = "TWILIO_SMS_API";
  /** HTTP status, or undefined when no response arrived (network failure, timeout). */
  readonly httpStatus: number | undefined;
  /** Twilio error code such as 21211, when Twilio sent one. */
  readonly twilioCode: number | undefined;
  readonly moreInfo: string | undefined;
  /** Seconds from a `Retry-After` header, when present. */
  readonly retryAfterSeconds: number | undefined;
  /** Set when no HTTP answer arrived. */
  readonly transport: TransportFailure | undefined;
  constructor(
    message: string,
    facts: {
      httpStatus?: number;
      twilioCode?: number;
      moreInfo?: string;
      retryAfterSeconds?: number;
      transport?: TransportFailure;
      cause?: unknown;
    },
  ) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = "TwilioApiError";
    this.httpStatus = facts.httpStatus;
    this.twilioCode = facts.twilioCode;
    this.moreInfo = facts.moreInfo;
    this.retryAfterSeconds = facts.retryAfterSeconds;
    this.transport = facts.transport;
  }
}

/** A send asked of an account that is stopping: nothing was sent. */
export class AccountStoppedError extends Error {
  readonly code = "TWILIO_SMS_ACCOUNT_STOPPED";
  constructor(accountId: string) {
    super(`twilio-sms: account "${accountId}" stopped before this SMS was sent; nothing was sent`);
    this.name = "AccountStoppedError";
  }
}
