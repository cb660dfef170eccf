/**
 * Receipts for what reached Twilio: one entry per SMS part with its Message
 * SID, initial status and billed segments.
 */
import { createMessageReceiptFromOutboundResults } from "openclaw/plugin-sdk/channel-outbound";
import type { SmsEncoding } from "./segments.ts";
import { CHANNEL_ID } from "../config/accounts.ts";

export type SentPart = { index: number; sid: string; status: string; segments: number; encoding: SmsEncoding };

/** Some parts went out, then one failed; the rest were not sent. */
export class PartialSendError extends Error {
  readonly code = "TWILIO_SMS_PARTIAL";
  readonly delivered: readonly SentPart[];
  readonly totalParts: number;
  constructor(cause: unknown, delivered: readonly SentPart[], totalParts: number) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `twilio-sms: sent ${delivered.length} of ${totalParts} parts (${delivered.map((part) => part.sid).join(", ")}); part ${delivered.length + 1} failed: ${reason}. The remaining parts were not sent.`,
      { cause },
    );
    this.name = "PartialSendError";
    this.delivered = delivered;
    this.totalParts = totalParts;
  }
}

export function buildReceipt(parts: readonly SentPart[], to: string) {
  return createMessageReceiptFromOutboundResults({
    results: parts.map((part) => ({
      channel: CHANNEL_ID,
      messageId: part.sid,
      meta: { status: part.status, segments: part.segments, encoding: part.encoding, part: part.index + 1 },
    })),
    kind: "text",
  });
}
