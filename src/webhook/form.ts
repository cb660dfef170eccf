/**
 * Parses Twilio's form body. Repeated keys stay arrays because Twilio signs
 * every received parameter, duplicates included; a bracket-expanding parser
 * would rewrite keys and break the signature.
 */
import { readInboundMediaRefs, type InboundMediaRef } from "../media/inbound-plan.ts";
import { rcsNumber } from "../phone.ts";

export type FormParams = Record<string, string | string[]>;

export function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

function first(params: FormParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

export type InboundSms = {
  messageSid: string;
  accountSid: string;
  /**
   * The sender. For a text sent over RCS (`From=rcs:+E164`) this is the plain
   * number and `channel` says "rcs", so one person is one identity (pairing,
   * allowlist, opt-out, session) whether they text by SMS or RCS.
   */
  from: string;
  /** Set when the text came over RCS; replies then go back to the `rcs:` address. Absent for SMS/MMS. */
  channel?: "rcs";
  to: string;
  body: string;
  messagingServiceSid: string | undefined;
  numMedia: number;
  /**
   * The attachments as the webhook announced them. Kept on the event so the
   * journal stores them and a text resumed after a restart still has its
   * pictures; absent on rows journaled before media was supported.
   */
  media?: InboundMediaRef[];
  optOutType: string | undefined;
};

export type StatusCallbackEvent = {
  messageSid: string;
  accountSid: string;
  status: string;
  errorCode: number | undefined;
};

export type ParsedWebhook =
  | { kind: "message"; event: InboundSms }
  | { kind: "status"; event: StatusCallbackEvent }
  | { kind: "invalid"; reason: string };

/**
 * The statuses Twilio gives a message coming in to us (`SmsStatus=received` on
 * the inbound webhook; `receiving` while it is still being assembled). Every
 * other status (queued, sent, delivered, failed, read, ...) belongs to a
 * message we sent, so the request is a status callback.
 */
const INBOUND_STATUSES = new Set(["received", "receiving"]);

/**
 * Classifies a verified form as an inbound message or a delivery status
 * callback, by its status and never by a missing `Body`: a status callback may
 * carry the body (some channels and Messaging Service setups send it), and an
 * inbound picture message may come without one.
 */
export function readWebhook(params: FormParams): ParsedWebhook {
  const messageSid = first(params, "MessageSid") ?? first(params, "SmsSid") ?? first(params, "SmsMessageSid");
  const accountSid = first(params, "AccountSid");
  if (!messageSid || !accountSid) return { kind: "invalid", reason: "MessageSid or AccountSid missing" };
  const status = (first(params, "MessageStatus") || first(params, "SmsStatus"))?.trim().toLowerCase();
  if (status && !INBOUND_STATUSES.has(status)) {
    const code = Number(first(params, "ErrorCode"));
    return { kind: "status", event: { messageSid, accountSid, status, errorCode: Number.isFinite(code) && code > 0 ? code : undefined } };
  }
  const from = first(params, "From");
  const to = first(params, "To");
  if (!from || !to) return { kind: "invalid", reason: "From or To missing" };
  const numMedia = Number(first(params, "NumMedia") ?? "0");
  const rcs = rcsNumber(from);
  return {
    kind: "message",
    event: {
      messageSid,
      accountSid,
      from: rcs ?? from,
      ...(rcs ? { channel: "rcs" as const } : {}),
      to,
      body: first(params, "Body") ?? "",
      messagingServiceSid: first(params, "MessagingServiceSid") || undefined,
      numMedia: Number.isFinite(numMedia) ? numMedia : 0,
      media: readInboundMediaRefs(params),
      optOutType: first(params, "OptOutType")?.toUpperCase() || undefined,
    },
  };
}
