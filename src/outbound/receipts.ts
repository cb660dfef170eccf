/**
 * Receipts for what reached Twilio, and the error for what did not: one entry
 * per SMS part or MMS with its Message SID, initial status and billed
 * segments (an MMS is billed per message, so it says 0 segments and `mms`).
 */
import { createChannelPartialDeliveryError } from "openclaw/plugin-sdk/channel-inbound";
import { createMessageReceiptFromOutboundResults } from "openclaw/plugin-sdk/channel-outbound";
import { CHANNEL_ID } from "../config/accounts.ts";
import { maskPhone, maskSid } from "../mask.ts";
import type { SmsEncoding } from "./segments.ts";

export type SentPart = {
  index: number;
  sid: string;
  status: string;
  /** SMS segments billed; 0 for an MMS, which is billed once per message. */
  segments: number;
  encoding: SmsEncoding;
  /** For a message with attachments: how many it carries and how Twilio bills it (an MMS, or an SMS with links once converted). */
  media?: { count: number; billedAs: "mms" | "sms" };
};

/**
 * A part Twilio did not accept. "rejected": Twilio refused it, nothing was
 * created. "not-sent": the request never reached Twilio (DNS, connection,
 * certificate), nothing was created. "unknown-outcome": the request may have
 * created the message, Twilio's message list did not show it, and it was
 * deliberately not resent.
 */
export type PartFailure = {
  outcome: "rejected" | "not-sent" | "unknown-outcome";
  /** A plain-language sentence from the retry policy. */
  reason: string;
  partIndex: number;
  totalParts: number;
  attempts: number;
  httpStatus: number | undefined;
  twilioCode: number | undefined;
};

export class SmsSendError extends Error {
  readonly code = "TWILIO_SMS_SEND";
  readonly outcome: PartFailure["outcome"];
  readonly partIndex: number;
  readonly totalParts: number;
  readonly attempts: number;
  readonly httpStatus: number | undefined;
  readonly twilioCode: number | undefined;
  readonly delivered: readonly SentPart[];
  constructor(to: string, failure: PartFailure, delivered: readonly SentPart[], cause: unknown) {
    super(describeFailure(to, failure, delivered), { cause });
    this.name = "SmsSendError";
    this.outcome = failure.outcome;
    this.partIndex = failure.partIndex;
    this.totalParts = failure.totalParts;
    this.attempts = failure.attempts;
    this.httpStatus = failure.httpStatus;
    this.twilioCode = failure.twilioCode;
    this.delivered = delivered;
  }
}

function describeFailure(to: string, failure: PartFailure, delivered: readonly SentPart[]): string {
  const head = {
    rejected: `Twilio rejected ${maskPhone(to)}`,
    "not-sent": `SMS to ${maskPhone(to)} was not sent`,
    "unknown-outcome": `SMS to ${maskPhone(to)}`,
  }[failure.outcome];
  const { partIndex, totalParts } = failure;
  let parts = "";
  if (delivered.length > 0) {
    const range = delivered.length === 1 ? "Part 1" : `Parts 1–${delivered.length}`;
    const sids = delivered.map((part) => maskSid(part.sid)).join(", ");
    parts = ` ${range} of ${totalParts} went out (${sids}); part ${partIndex + 1} failed and the rest were not sent.`;
  } else if (totalParts > 1) {
    parts = ` Part 1 of ${totalParts} failed and the rest were not sent.`;
  }
  return `twilio-sms: ${head}: ${failure.reason}.${parts}`;
}

/**
 * Once a part has gone out the reply is visible, so the SDK must not treat
 * the failure as "nothing sent" and retry the whole reply: it gets the
 * partial-delivery error carrying what was delivered.
 */
export function failureAfter(delivered: readonly SentPart[], cause: unknown): unknown {
  if (delivered.length === 0) return cause;
  return createChannelPartialDeliveryError(cause, {
    visibleReplySent: true,
    receipt: buildReceipt(delivered),
    messageIds: delivered.map((part) => part.sid),
  });
}

/** One receipt entry per SMS part, for `message send` and agent replies alike. */
export function receiptResults(parts: readonly SentPart[]) {
  return parts.map((part) => ({
    channel: CHANNEL_ID,
    messageId: part.sid,
    meta: {
      status: part.status,
      segments: part.segments,
      encoding: part.encoding,
      part: part.index + 1,
      ...(part.media ? { media: part.media.count, billedAs: part.media.billedAs } : {}),
    },
  }));
}

/** "media" once any part carried attachments. */
export function receiptKind(parts: readonly SentPart[]): "text" | "media" {
  return parts.some((part) => part.media) ? "media" : "text";
}

export function buildReceipt(parts: readonly SentPart[]) {
  return createMessageReceiptFromOutboundResults({ results: receiptResults(parts), kind: receiptKind(parts) });
}
