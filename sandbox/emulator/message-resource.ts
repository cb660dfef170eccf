import type { FormFields } from "./http-io.ts";
import type { MediaFetchRecord } from "./media-fetch.ts";
import type { SmsEncoding } from "./segments.ts";

export const API_VERSION = "2010-04-01";

/** A one-page list in the 2010 API's envelope (everything fits on page 0 at PageSize 50). */
export function singlePage(uri: string, key: string, items: readonly unknown[]): Record<string, unknown> {
  return {
    end: Math.max(items.length - 1, 0),
    first_page_uri: uri,
    [key]: items,
    next_page_uri: null,
    page: 0,
    page_size: 50,
    previous_page_uri: null,
    start: 0,
    uri,
  };
}

/** A message the emulator accepted, as tests inspect it. */
export interface EmulatedMessage {
  sid: string;
  accountSid: string;
  to: string;
  /** null when only a Messaging Service was given: the emulator does not pick a sender from a pool. */
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  /** SIDs of the Media resources Twilio kept from the fetched files (`ME…`), in `mediaUrls` order. */
  media: string[];
  /** Each HEAD and GET Twilio made for `mediaUrls`, in order. */
  mediaFetches: MediaFetchRecord[];
  /** Outside the US and Canada Twilio's MMS Converter sends the text plus a link to the media as SMS. */
  mmsConverted: boolean;
  statusCallback: string | null;
  /** Segments per Twilio's calculator, even when the create response reports "0" (Messaging Service). */
  numSegments: number;
  encoding: SmsEncoding;
  /** Starts at `queued` / `accepted`; `sendStatusCallback` moves it on. */
  status: string;
  errorCode: number | null;
  createdAt: Date;
  /**
   * When the message left for the carrier, which Twilio reports as date_sent. The emulator hands every
   * message over at once, so this equals `createdAt`; the create response still shows null, as Twilio
   * answers before sending. Its status only moves when a test sends a status callback.
   */
  sentAt: Date | null;
  updatedAt: Date;
  /** Every form field of the create request, including ones the emulator does not interpret. */
  params: FormFields;
}

/** Twilio's RFC 2822 form: `Thu, 30 Jul 2015 20:12:31 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

export function messageUri(accountSid: string, sid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
}

/** The Message resource JSON exactly as the REST API spells it (snake_case, numbers as strings). */
export function messageResource(message: EmulatedMessage): Record<string, unknown> {
  const base = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.createdAt),
    date_sent: message.sentAt === null ? null : rfc2822(message.sentAt),
    date_updated: rfc2822(message.updatedAt),
    direction: "outbound-api",
    error_code: message.errorCode,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    // Twilio reports 0 until a sender is chosen from the service's pool.
    num_segments: message.from === null ? "0" : String(message.numSegments),
    price: null,
    price_unit: "USD",
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: message.to,
    uri: messageUri(message.accountSid, message.sid),
  };
}
