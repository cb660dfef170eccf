/**
 * The only door to Twilio's REST API. It builds the official `twilio` client
 * pointed at the account's `apiBaseUrl` and turns every failure into a
 * `TwilioApiError` that keeps Twilio's facts (status, code, Retry-After) and
 * never the credentials.
 */
import http from "node:http";
// twilio-node's `twilio()` client requires every one of its ~40 REST domains,
// which no bundler can leave out: 7.5 MB of an 8 MB plugin, parsed again on
// every gateway start, config reload and CLI command. The client is the same
// BaseTwilio.Client with the three domains this plugin calls (Api, Messaging,
// Monitor) built on it, exactly as `twilio()`'s own getters build them.
import BaseTwilio from "twilio/lib/base/BaseTwilio.js";
import RequestClient from "twilio/lib/base/RequestClient.js";
import Api from "twilio/lib/rest/Api.js";
import Messaging from "twilio/lib/rest/Messaging.js";
import Monitor from "twilio/lib/rest/Monitor.js";
import type { Sender } from "../config/accounts.ts";
import { DEFAULT_API_BASE_URL } from "../config/schema.ts";
import { TwilioApiError } from "../errors.ts";
import { maskPhone } from "../mask.ts";
import { classifyTransportFailure } from "./transport.ts";

export type TwilioMessage = {
  sid: string;
  status: string;
  /** Segments Twilio counted; undefined when it has not chosen a sender yet (Messaging Service). */
  numSegments: number | undefined;
  errorCode: number | null;
};

export type CreateMessageParams = {
  to: string;
  body: string;
  sender: Sender;
  statusCallback?: string | undefined;
  /** Up to 10 public http(s) URLs Twilio fetches and attaches (MMS). */
  mediaUrls?: readonly string[] | undefined;
};

/** An outbound message we may have created: who it went to, from which sender, with which text, created no earlier than `since`. */
export type SentMessageQuery = { to: string; sender: Sender; body: string; since: Date };

/** A number on the account and where Twilio sends its inbound texts; undefined when the account has no such number. */
export type IncomingNumber = { smsUrl: string | null; smsMethod: string | null };

/** A Twilio debugger alert for a webhook Twilio could not deliver (error 11200). */
export type WebhookFailure = { requestUrl: string; at: Date };

export interface TwilioRestClient {
  createMessage(params: CreateMessageParams): Promise<TwilioMessage>;
  /** Outbound messages in Twilio's message list that match the query, oldest first. */
  findSentMessages(query: SentMessageQuery): Promise<TwilioMessage[]>;
  findIncomingNumber(phoneNumber: string): Promise<IncomingNumber | undefined>;
  webhookFailuresSince(since: Date): Promise<WebhookFailure[]>;
  /** Deletes a Media resource (a received file) at Twilio; resolves false when Twilio no longer has it. */
  deleteMedia(messageSid: string, mediaSid: string): Promise<boolean>;
  /** The carrier registration US texts from this sender need (A2P 10DLC or toll-free verification). */
  senderRegistration(sender: Sender): Promise<SenderRegistration>;
}

/**
 * - toll-free: the number's Toll-Free Verification status (null: none submitted);
 * - a2p-10dlc: the A2P campaign of the Messaging Service the number is in
 *   (service null: in none; campaignStatus null: the service has no campaign);
 * - not-checked: senders US carrier registration does not apply to (non-+1 numbers).
 */
export type SenderRegistration =
  | { kind: "toll-free"; status: string | null; rejectionReason: string | null }
  | { kind: "a2p-10dlc"; messagingServiceSid: string | null; campaignStatus: string | null }
  | { kind: "not-checked" };

// NANP toll-free area codes.
const TOLL_FREE = /^\+18(00|33|44|55|66|77|88)\d{7}$/;

export type TwilioCredentials = { accountSid: string; authToken: string; apiBaseUrl: string };

type RequestOptions<TData> = Parameters<RequestClient["request"]>[0] & { data?: TData };
type RawResponse = { statusCode: number; body: unknown; headers: Record<string, unknown> };
type TwilioErrorBody = { code?: unknown; message?: unknown; more_info?: unknown };

function parseBody(body: unknown): TwilioErrorBody | undefined {
  if (body && typeof body === "object") return body as TwilioErrorBody;
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body) as TwilioErrorBody;
  } catch {
    return undefined;
  }
}

function retryAfterSeconds(headers: Record<string, unknown>): number | undefined {
  const raw = headers["retry-after"] ?? headers["Retry-After"];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

// Twilio's messages quote the numbers involved ("The 'To' number +15551230001
// is not valid"), and these errors reach CLI output and logs.
const PHONE_NUMBER = /\+\d{7,15}|\b\d{10,15}\b/g;

function errorFromResponse(response: RawResponse): TwilioApiError {
  const body = parseBody(response.body);
  const code = typeof body?.code === "number" ? body.code : Number(body?.code) || undefined;
  const message =
    typeof body?.message === "string" && body.message
      ? body.message.replace(PHONE_NUMBER, (number) => maskPhone(number))
      : `HTTP ${response.statusCode}`;
  return new TwilioApiError(`Twilio ${code ? `error ${code}` : `HTTP ${response.statusCode}`}: ${message}`, {
    httpStatus: response.statusCode,
    twilioCode: code,
    moreInfo: typeof body?.more_info === "string" ? body.more_info : undefined,
    retryAfterSeconds: retryAfterSeconds(response.headers ?? {}),
  });
}

const NEVER_SENT = "the request was never sent";

function errorFromTransport(error: unknown): TwilioApiError {
  const transport = classifyTransportFailure(error);
  const { code } = transport;
  const message = {
    dns: `could not look up Twilio's API host (${code}); ${NEVER_SENT}`,
    connect: `could not connect to Twilio (${code}); ${NEVER_SENT}`,
    tls: `Twilio's TLS certificate was not accepted (${code}); ${NEVER_SENT}`,
    // axios reports its own timeout as ECONNABORTED, which reads like a reset.
    "in-flight": `Twilio request failed before a response arrived (${code === "ECONNABORTED" || code === "ETIMEDOUT" ? "timed out" : code})`,
  }[transport.stage];
  return new TwilioApiError(message, { transport });
}

/**
 * twilio-node raises `RestException` without response headers, which loses
 * `Retry-After`. Failing inside the transport keeps every fact, and the
 * client passes our rejection through unchanged.
 */
class FactPreservingRequestClient extends RequestClient {
  override async request<TData>(opts: RequestOptions<TData>) {
    let response: RawResponse;
    try {
      response = (await super.request<TData>(opts)) as unknown as RawResponse;
    } catch (error) {
      throw errorFromTransport(error);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) throw errorFromResponse(response);
    return response as never;
  }
}

/** A conversation rarely holds more texts from one sender in a day than this; the match is on the newest. */
const LOOKUP_PAGE_SIZE = 50;

function toTwilioMessage(message: { sid: string; status: string; numSegments: string; errorCode: number | null }): TwilioMessage {
  const segments = Number(message.numSegments);
  return {
    sid: message.sid,
    status: message.status,
    numSegments: Number.isFinite(segments) && segments > 0 ? segments : undefined,
    errorCode: message.errorCode ?? null,
  };
}

/** A client that owns kept-alive sockets; `close()` lets them go when its account stops. */
export type ClosableTwilioClient = TwilioRestClient & { close(): void };

export function createTwilioClient(credentials: TwilioCredentials, options: { timeoutMs?: number } = {}): ClosableTwilioClient {
  const timeout = options.timeoutMs ?? 15_000;
  const httpClient = new FactPreservingRequestClient({ timeout, keepAlive: true });
  // twilio-node keeps only its https sockets alive; a plain-http API origin (an emulator) gets its own agent too.
  const httpAgent = new http.Agent({ keepAlive: true, timeout });
  httpClient.axios.defaults.httpAgent = httpAgent;
  const twilio = new BaseTwilio.Client(credentials.accountSid, credentials.authToken, {
    // An empty env stops twilio-node reading TWILIO_EDGE / TWILIO_REGION, which would rewrite the API host.
    env: {},
    autoRetry: false,
    httpClient,
  });
  const api = new Api(twilio);
  const messaging = new Messaging(twilio);
  const monitor = new Monitor(twilio);
  api.baseUrl = credentials.apiBaseUrl;
  // Alerts live on monitor.twilio.com and compliance on messaging.twilio.com; a stand-in API (emulator) serves them on its own origin.
  if (credentials.apiBaseUrl !== DEFAULT_API_BASE_URL) {
    monitor.baseUrl = credentials.apiBaseUrl;
    messaging.baseUrl = credentials.apiBaseUrl;
  }
  const { messages, incomingPhoneNumbers } = api.v2010.account;

  async function campaignStatus(messagingServiceSid: string): Promise<string | null> {
    const [campaign] = await messaging.v1.services(messagingServiceSid).usAppToPerson.list({ limit: 1 });
    return campaign?.campaignStatus ?? null;
  }

  return {
    close() {
      httpAgent.destroy();
      (httpClient.axios.defaults.httpsAgent as { destroy?: () => void } | undefined)?.destroy?.();
    },
    async createMessage({ to, body, sender, statusCallback, mediaUrls }) {
      const message = await messages.create({
        to,
        body,
        ...(sender.kind === "number" ? { from: sender.fromNumber } : { messagingServiceSid: sender.messagingServiceSid }),
        ...(statusCallback ? { statusCallback } : {}),
        ...(mediaUrls && mediaUrls.length > 0 ? { mediaUrl: [...mediaUrls] } : {}),
      });
      return toTwilioMessage(message);
    },
    async findSentMessages({ to, sender, body, since }) {
      // Twilio filters DateSent by calendar day (GMT) and `DateSent>` means "on or after"; the exact
      // instant is checked below against date_created, which Twilio sets as it accepts the request.
      // A message still queued has no date_sent yet and is left out by the filter, which is why the
      // caller looks more than once.
      const page = await messages.list({
        to,
        ...(sender.kind === "number" ? { from: sender.fromNumber } : {}),
        dateSentAfter: new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate())),
        pageSize: LOOKUP_PAGE_SIZE,
        limit: LOOKUP_PAGE_SIZE,
      });
      // date_created has whole seconds.
      const sinceSecond = Math.floor(since.getTime() / 1000) * 1000;
      return page
        .filter(
          (message) =>
            message.direction.startsWith("outbound") &&
            message.body === body &&
            message.dateCreated.getTime() >= sinceSecond &&
            (sender.kind === "number" || message.messagingServiceSid === sender.messagingServiceSid),
        )
        .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())
        .map(toTwilioMessage);
    },
    async webhookFailuresSince(since) {
      const alerts = await monitor.v1.alerts.list({ logLevel: "error", startDate: since, limit: 50 });
      return alerts.filter((alert) => alert.errorCode === "11200").map((alert) => ({ requestUrl: alert.requestUrl, at: alert.dateCreated }));
    },
    async findIncomingNumber(phoneNumber) {
      const [number] = await incomingPhoneNumbers.list({ phoneNumber, limit: 1 });
      return number ? { smsUrl: number.smsUrl || null, smsMethod: number.smsMethod || null } : undefined;
    },
    async deleteMedia(messageSid, mediaSid) {
      try {
        return await messages(messageSid).media(mediaSid).remove();
      } catch (error) {
        if (error instanceof TwilioApiError && error.httpStatus === 404) return false;
        throw error;
      }
    },
    async senderRegistration(sender) {
      if (sender.kind === "service") {
        return { kind: "a2p-10dlc", messagingServiceSid: sender.messagingServiceSid, campaignStatus: await campaignStatus(sender.messagingServiceSid) };
      }
      const phoneNumber = sender.fromNumber;
      if (TOLL_FREE.test(phoneNumber)) {
        const [number] = await incomingPhoneNumbers.list({ phoneNumber, limit: 1 });
        const [verification] = number ? await messaging.v1.tollfreeVerifications.list({ tollfreePhoneNumberSid: number.sid, limit: 1 }) : [];
        return { kind: "toll-free", status: verification?.status ?? null, rejectionReason: verification?.rejectionReason ?? null };
      }
      if (!phoneNumber.startsWith("+1")) return { kind: "not-checked" };
      // Twilio has no number → service lookup: walk the account's services (few, in practice).
      for (const service of await messaging.v1.services.list({ limit: 50 })) {
        const numbers = await messaging.v1.services(service.sid).phoneNumbers.list({ limit: 400 });
        if (numbers.some((number) => number.phoneNumber === phoneNumber)) {
          return { kind: "a2p-10dlc", messagingServiceSid: service.sid, campaignStatus: await campaignStatus(service.sid) };
        }
      }
      return { kind: "a2p-10dlc", messagingServiceSid: null, campaignStatus: null };
    },
  };
}
