import twilio from "twilio";
import { API_VERSION } from "./message-resource.ts";
import { countSegments } from "./segments.ts";
import { newSid } from "./sids.ts";

/** Webhook form parameters; an array is sent as a repeated key, which is how Twilio signs it too. */
export type WebhookParams = Record<string, string | readonly string[]>;

/** The X-Twilio-Signature Twilio would send, computed by the twilio package itself so it can serve as an oracle. */
export function signTwilioRequest(authToken: string, url: string, params: WebhookParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export interface InboundSmsOptions {
  accountSid: string;
  from: string;
  to: string;
  body: string;
  /** Defaults to a fresh `SM…` SID (`MM…` when media is attached). */
  messageSid?: string;
  messagingServiceSid?: string;
  /** Defaults to `mediaUrls.length`; set it apart to simulate an inconsistent payload. */
  numMedia?: number;
  mediaUrls?: string[];
  /** One per media URL; defaults to `image/jpeg`. */
  mediaContentTypes?: string[];
  /** Only sent by Twilio when Advanced Opt-Out matched a keyword. */
  optOutType?: "STOP" | "START" | "HELP";
}

const COUNTRY_BY_PREFIX: readonly (readonly [string, string])[] = [
  ["+1", "US"],
  ["+44", "GB"],
  ["+49", "DE"],
  ["+33", "FR"],
  ["+61", "AU"],
];

function countryOf(number: string): string {
  return COUNTRY_BY_PREFIX.find(([prefix]) => number.startsWith(prefix))?.[1] ?? "";
}

/** The full field set of an inbound SMS webhook; Twilio sends the geo fields as empty strings when unknown. */
export function buildInboundSmsParams(options: InboundSmsOptions): Record<string, string> {
  const mediaUrls = options.mediaUrls ?? [];
  const messageSid = options.messageSid ?? newSid(mediaUrls.length > 0 ? "MM" : "SM");
  // Key order copies a payload captured from Twilio; handlers must not rely on it, but realism costs nothing.
  const params: Record<string, string> = {
    ToCountry: countryOf(options.to),
    ToState: "",
    SmsMessageSid: messageSid,
    NumMedia: String(options.numMedia ?? mediaUrls.length),
    ToCity: "",
    FromZip: "",
    SmsSid: messageSid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: options.body,
    FromCountry: countryOf(options.from),
    To: options.to,
    ToZip: "",
    NumSegments: String(countSegments(options.body).numSegments),
    MessageSid: messageSid,
    AccountSid: options.accountSid,
    From: options.from,
    ApiVersion: API_VERSION,
  };
  if (options.messagingServiceSid !== undefined) params.MessagingServiceSid = options.messagingServiceSid;
  if (options.optOutType !== undefined) params.OptOutType = options.optOutType;
  mediaUrls.forEach((url, i) => {
    params[`MediaUrl${i}`] = url;
    params[`MediaContentType${i}`] = options.mediaContentTypes?.[i] ?? "image/jpeg";
  });
  return params;
}

export interface PostWebhookOptions {
  url: string;
  authToken: string;
  params: WebhookParams;
  /** The URL to sign when it differs from the one posted to, e.g. the public URL in front of a proxy. */
  signUrl?: string;
  headers?: Record<string, string>;
  /** Overrides the computed signature; `null` sends no X-Twilio-Signature header at all. */
  signature?: string | null;
  /** Defaults to 15 s, Twilio's own total budget for a webhook. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function encodeForm(params: WebhookParams): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of typeof value === "string" ? [value] : value) form.append(key, item);
  }
  return form.toString();
}

/** POSTs a form webhook the way Twilio's proxy does (headers, encoding, signature). */
export async function postTwilioWebhook(options: PostWebhookOptions): Promise<WebhookResponse> {
  const signature =
    options.signature === undefined
      ? signTwilioRequest(options.authToken, options.signUrl ?? options.url, options.params)
      : options.signature;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const response = await fetch(options.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
      Accept: "*/*",
      "User-Agent": "TwilioProxy/1.1",
      ...(signature === null ? {} : { "X-Twilio-Signature": signature }),
      ...options.headers,
    },
    body: encodeForm(options.params),
    signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}
