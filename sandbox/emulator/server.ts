import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  addIncomingNumber,
  createAccountState,
  DEFAULT_ACCOUNT_SID,
  DEFAULT_AUTH_TOKEN,
  type AccountState,
  type EmulatorAccountOptions,
} from "./accounts.ts";
import { alertsPage, createAlert, type AlertOptions, type EmulatedAlert } from "./alerts.ts";
import { createMessage } from "./create-message.ts";
import { MediaCdn, type CdnRequest } from "./media-cdn.ts";
import { collectMedia } from "./media-fetch.ts";
import { createMedia, mediaListPage, mediaPath, mediaResource, type EmulatedMedia } from "./media-resource.ts";
import { faultResponse, FaultQueue, isErrorFault, type EmulatorFault } from "./faults.ts";
import { firstValue, parseBasicAuth, parseForm, readBody, send, type FormFields, type PlainResponse } from "./http-io.ts";
import { incomingNumbersPage } from "./incoming-numbers.ts";
import { messagesPage } from "./message-list.ts";
import { API_VERSION, messageResource, type EmulatedMessage } from "./message-resource.ts";
import { optOutEffect } from "./opt-out-keywords.ts";
import { PhoneApi, type PhoneOptions } from "./phone-api.ts";
import { twilioErrorBody } from "./twilio-errors.ts";
import { countSegments } from "./segments.ts";
import { newSid } from "./sids.ts";
import { servicePhoneNumbersPage, servicesPage, tollfreeVerificationsPage, usa2pPage } from "./compliance.ts";
import { MessageWaiters } from "./waiters.ts";
import { buildInboundSmsParams, postTwilioWebhook, type InboundSmsOptions, type WebhookResponse } from "./webhook-client.ts";

export interface TwilioEmulatorOptions {
  /** Defaults to one account with `DEFAULT_ACCOUNT_SID` / `DEFAULT_AUTH_TOKEN` and no sender restrictions. */
  accounts?: EmulatorAccountOptions[];
  /** Defaults to 127.0.0.1; the emulator is meant for loopback only. */
  host?: string;
  /** Defaults to 0 (an ephemeral port); read the result from `url`. */
  port?: number;
  /**
   * Where the media CDN listens (ephemeral port): a host apart from the API's, as mms.twiliocdn.com is
   * apart from api.twilio.com. Defaults to 127.0.0.2, or 127.0.0.1 where that alias does not exist.
   */
  cdnHost?: string;
}

/** A file attached to a text the emulator delivers, as a handset's MMS carries it. */
export interface InboundMediaFile {
  contentType: string;
  bytes: Uint8Array;
}

/** One HTTP request as the emulator saw it. Headers are not kept, so credentials never leak into test output. */
export interface EmulatedRequest {
  method: string;
  path: string;
  query: FormFields;
  form: FormFields;
  /** null while the reply is pending (delay fault) and when a drop fault destroyed the socket. */
  status: number | null;
  /** The Twilio error code of the reply (or of the processing a drop fault hid). */
  errorCode: number | null;
  fault: EmulatorFault["kind"] | null;
  /** The message this request created, if any (also set for a dropped request that created one). */
  messageSid: string | null;
  receivedAt: Date;
}

export interface WaitForMessagesOptions {
  timeoutMs?: number;
  /** Count only messages to this number. */
  to?: string;
}

export interface StatusCallbackOptions {
  /** Sent as `ErrorCode`, e.g. 30003 with `undelivered`; also stored as the message's `error_code`. */
  errorCode?: number;
}

/** How long an accepted message waits before each step of a successful delivery. */
export interface DeliveryTiming {
  /** From accepted to `sent` (handed to the carrier). */
  sentAfterMs: number;
  /** From `sent` to `delivered` (the carrier's delivery receipt). */
  deliveredAfterMs: number;
}

export interface SendInboundSmsOptions extends Omit<InboundSmsOptions, "accountSid"> {
  webhookUrl: string;
  /**
   * Files the text carries: each becomes a Media resource and a `MediaUrl{N}` on the API origin, and
   * the message SID starts with MM. Use `mediaUrls` instead to post arbitrary (e.g. forged) URLs.
   */
  media?: InboundMediaFile[];
  /** Defaults to the account that owns `to`, else the first account. Its auth token signs the request. */
  accountSid?: string;
  signUrl?: string;
  headers?: Record<string, string>;
  signature?: string | null;
  timeoutMs?: number;
}

export interface InboundSmsResult extends WebhookResponse {
  /** The exact parameters posted, e.g. to read the generated `MessageSid`. */
  params: Record<string, string>;
}

const CREATE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const FETCH_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const NUMBERS_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\.json$/;
const MEDIA_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\/([^/.]+)(\.json)?$/;
const MEDIA_LIST_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\.json$/;

type Reply = PlainResponse & { code: number | null };

/** Marks a request whose socket must be destroyed instead of answered. */
const DROP = Symbol("drop");

function errorReply(status: number, code: number, message: string, headers?: Record<string, string>): Reply {
  return { status, code, headers, body: twilioErrorBody(status, code, message) };
}

/** Twilio rejects both a wrong secret and a valid login used on another account's path with 20003. */
function unauthorized(): Reply {
  return errorReply(401, 20003, "Authenticate", { "WWW-Authenticate": 'Basic realm="Twilio API"' });
}

function notFound(path: string): Reply {
  return errorReply(404, 20404, `The requested resource ${path} was not found`);
}

/** A Twilio REST API emulator listening on loopback. Create one with `startTwilioEmulator()`. */
export class TwilioEmulator {
  readonly #server: Server;
  readonly #accounts: Map<string, AccountState>;
  readonly #defaultAccount: AccountState;
  readonly #faults = new FaultQueue();
  readonly #waiters = new MessageWaiters();
  readonly #closing = new AbortController();
  readonly #cdn = new MediaCdn((sid) => this.#media.find((m) => m.sid === sid));
  #closed: Promise<void> | undefined;
  #phone: PhoneApi | undefined;
  #delivery: DeliveryTiming | undefined;
  #messages: EmulatedMessage[] = [];
  #alerts: EmulatedAlert[] = [];
  #media: EmulatedMedia[] = [];
  #requests: EmulatedRequest[] = [];
  #url = "";

  constructor(accounts: EmulatorAccountOptions[]) {
    const states = accounts.map(createAccountState);
    const first = states[0];
    if (!first) throw new Error("startTwilioEmulator: at least one account is required");
    this.#accounts = new Map(states.map((a) => [a.sid, a]));
    this.#defaultAccount = first;
    this.#server = createServer((req, res) => {
      // The phone page is not Twilio's API, so its traffic stays out of `requests`.
      if (this.#phone?.owns(new URL(req.url ?? "/", "http://emulator.invalid").pathname)) {
        void this.#phone.handle(req, res);
        return;
      }
      this.#handle(req).then(
        (reply) => {
          if (reply === DROP) req.socket.destroy();
          else send(res, reply);
        },
        (error: unknown) => {
          // A vanished client or close() leaves nothing to answer; anything else is an emulator bug worth seeing.
          if (req.socket.destroyed || res.headersSent) req.socket.destroy();
          else send(res, { status: 500, body: twilioErrorBody(500, 20500, `Twilio emulator failure: ${String(error)}`) });
        },
      );
    });
  }

  /** Binds the server; called once by `startTwilioEmulator`. */
  async listen(host: string, port: number, cdnHost = "127.0.0.2"): Promise<void> {
    await this.#cdn.listen(cdnHost);
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  }

  /** Base URL for clients, e.g. `http://127.0.0.1:41234`; assign it to twilio-node's `client.api.baseUrl`. */
  get url(): string {
    return this.#url;
  }

  /** SID of the first (by default the only) account. */
  get accountSid(): string {
    return this.#defaultAccount.sid;
  }

  /** Auth token of the first account. */
  get authToken(): string {
    return this.#defaultAccount.token;
  }

  /** Snapshot of accepted messages, oldest first. */
  get messages(): EmulatedMessage[] {
    return structuredClone(this.#messages);
  }

  /** Snapshot of every Media resource (inbound and outbound files) not yet deleted, oldest first. */
  get media(): EmulatedMedia[] {
    return this.#media.map((m) => ({ ...m, bytes: Buffer.from(m.bytes) }));
  }

  /** The media CDN's origin, e.g. `http://127.0.0.2:40123`: the redirect target of every media URL. */
  get cdnOrigin(): string {
    return this.#cdn.origin;
  }

  /** Every request the media CDN received, oldest first, with whether it carried credentials. */
  get cdnRequests(): CdnRequest[] {
    return structuredClone(this.#cdn.requests);
  }

  /** The bytes of a Media resource, for the phone page; undefined once deleted. */
  mediaFile(mediaSid: string): EmulatedMedia | undefined {
    return this.#media.find((m) => m.sid === mediaSid);
  }

  /** Snapshot of every request received, oldest first. */
  get requests(): EmulatedRequest[] {
    return structuredClone(this.#requests);
  }

  /**
   * Makes the next `times` Messages create requests fail with `fault`, queued after earlier faults.
   * A fault is consumed before authentication and validation, like a rate limiter in front of the API.
   */
  failNext(fault: EmulatorFault, times = 1): void {
    this.#faults.push(fault, times);
  }

  /** Blocks sends to `number` from the account (default: first account) until `optIn`. */
  optOut(number: string): void;
  optOut(accountSid: string, number: string): void;
  optOut(first: string, second?: string): void {
    const [account, number] = this.#accountAndNumber(first, second);
    account.optedOut.add(number);
  }

  optIn(number: string): void;
  optIn(accountSid: string, number: string): void;
  optIn(first: string, second?: string): void {
    const [account, number] = this.#accountAndNumber(first, second);
    account.optedOut.delete(number);
  }

  /** Whether `number` texted STOP (or was opted out) and has not opted back in. */
  isOptedOut(number: string, accountSid?: string): boolean {
    const account = accountSid === undefined ? this.#defaultAccount : this.#account(accountSid);
    return account.optedOut.has(number);
  }

  /**
   * From now on every accepted message moves on as a delivered text does on
   * Twilio: to `sent`, then to `delivered`, with a signed status callback at
   * each step when the message asked for one (none for the initial status).
   * The sandbox turns it on; tests that post callbacks themselves leave it off.
   */
  deliverMessages(timing: DeliveryTiming): void {
    this.#delivery = timing;
  }

  /** Serves the sandbox phone page (see phone-api.ts) and returns its URL. Calling it again replaces the options. */
  attachPhone(options: PhoneOptions): string {
    this.#phone = new PhoneApi(this, options);
    return `${this.#url}/phone`;
  }

  /**
   * Sets what IncomingPhoneNumbers reports as the number's SMS webhook. An unknown number becomes owned
   * by the account (default: the account already owning it, else the first), so it is also a valid `From`.
   */
  setSmsUrl(number: string, url: string, method: "POST" | "GET" = "POST", accountSid?: string): void {
    const account = accountSid === undefined ? this.#ownerOf(number) : this.#account(accountSid);
    const entry = addIncomingNumber(account.numbers, number);
    entry.smsUrl = url;
    entry.smsMethod = method;
  }

  /** Adds a Monitor alert (default 11200, "HTTP retrieval failure") as Twilio's debugger would. */
  addAlert(options: AlertOptions): void {
    this.#alerts.push(createAlert(options.accountSid ?? this.accountSid, options));
  }

  /** Resolves with the matching messages once at least `count` exist; rejects after `timeoutMs` (default 10 s). */
  waitForMessages(count: number, options: WaitForMessagesOptions = {}): Promise<EmulatedMessage[]> {
    if (this.#closing.signal.aborted) return Promise.reject(new Error("waitForMessages: the emulator was closed"));
    return this.#waiters.wait(this.messages, count, options.to, options.timeoutMs ?? 10_000, () => this.#describe());
  }

  /** Clears messages, requests, pending faults, opt-outs and the phone page's texts. Accounts and SMS URLs stay. */
  reset(): void {
    this.#phone?.reset();
    this.#messages = [];
    this.#alerts = [];
    this.#media = [];
    this.#cdn.requests = [];
    this.#requests = [];
    this.#faults.clear();
    for (const account of this.#accounts.values()) account.optedOut.clear();
  }

  /**
   * Posts a signed status callback for a message to its `StatusCallback` URL and returns the HTTP status
   * the receiver answered. Also moves the stored message to `status`, as a later fetch would show.
   */
  async sendStatusCallback(sid: string, status: string, options: StatusCallbackOptions = {}): Promise<number> {
    const message = this.#messages.find((m) => m.sid === sid);
    if (!message) throw new Error(`sendStatusCallback: no message ${sid}`);
    if (!message.statusCallback) throw new Error(`sendStatusCallback: message ${sid} was sent without StatusCallback`);
    message.status = status;
    message.errorCode = options.errorCode ?? null;
    message.updatedAt = new Date();
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: API_VERSION,
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: status,
      SmsStatus: status,
      To: message.to,
    };
    // The emulator picks no sender from a service pool, so a service-only message has no From to report.
    if (message.from !== null) params.From = message.from;
    if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
    if (options.errorCode !== undefined) params.ErrorCode = String(options.errorCode);
    const response = await postTwilioWebhook({
      url: message.statusCallback,
      authToken: this.#account(message.accountSid).token,
      params,
      signal: this.#closing.signal,
    });
    return response.status;
  }

  /**
   * Posts a signed inbound SMS webhook like Twilio does. A body that is exactly an opt-out keyword (STOP, …)
   * or opt-in keyword (START, …) first updates the opt-out list, as Twilio's default handling does.
   */
  async sendInboundSms(options: SendInboundSmsOptions): Promise<InboundSmsResult> {
    const { webhookUrl, accountSid, signUrl, headers, signature, timeoutMs, media, ...fields } = options;
    const account = accountSid === undefined ? this.#ownerOf(options.to) : this.#account(accountSid);
    if (media && media.length > 0) {
      if (fields.mediaUrls) throw new Error("sendInboundSms: give either media or mediaUrls, not both");
      const messageSid = fields.messageSid ?? newSid("MM");
      const files = media.map((file) => createMedia(account.sid, messageSid, file.contentType, file.bytes, new Date()));
      this.#media.push(...files);
      Object.assign(fields, {
        messageSid,
        mediaUrls: files.map((file) => `${this.#url}${mediaPath(file)}`),
        mediaContentTypes: files.map((file) => file.contentType),
      });
    }
    const effect = optOutEffect(options.body);
    if (effect === "opt-out") account.optedOut.add(options.from);
    if (effect === "opt-in") account.optedOut.delete(options.from);
    const params = buildInboundSmsParams({ ...fields, accountSid: account.sid });
    const response = await postTwilioWebhook({
      url: webhookUrl,
      authToken: account.token,
      params,
      signUrl,
      headers,
      signature,
      timeoutMs,
      signal: this.#closing.signal,
    });
    return { ...response, params };
  }

  /** Stops listening, cuts pending (delayed) replies and keep-alive sockets, aborts outgoing webhooks. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#closing.abort();
      this.#waiters.rejectAll("the emulator was closed");
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    }).then(() => this.#cdn.close());
    return this.#closed;
  }

  #account(sid: string): AccountState {
    const account = this.#accounts.get(sid);
    if (!account) throw new Error(`Twilio emulator: unknown account ${sid}`);
    return account;
  }

  #ownerOf(number: string): AccountState {
    return [...this.#accounts.values()].find((a) => a.numbers.has(number)) ?? this.#defaultAccount;
  }

  #accountAndNumber(first: string, second: string | undefined): [AccountState, string] {
    return second === undefined ? [this.#defaultAccount, first] : [this.#account(first), second];
  }

  #describe(): string {
    const messages = this.#messages.map((m) => `  ${m.sid} to ${m.to}: ${JSON.stringify(m.body.slice(0, 60))}`);
    const requests = this.#requests.map(
      (r) => `  ${r.method} ${r.path} -> ${r.status ?? "no reply"}${r.errorCode === null ? "" : ` (${r.errorCode})`}`,
    );
    return [`Messages (${messages.length}):`, ...messages, `Requests (${requests.length}):`, ...requests].join("\n");
  }

  async #handle(req: IncomingMessage): Promise<Reply | typeof DROP> {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const record: EmulatedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: parseForm(url.searchParams),
      form: {},
      status: null,
      errorCode: null,
      fault: null,
      messageSid: null,
      receivedAt: new Date(),
    };
    this.#requests.push(record);
    const text = await readBody(req);
    if (text !== "") record.form = parseForm(new URLSearchParams(text));
    const reply = await this.#route(req, url, record);
    record.errorCode = reply.code;
    if (record.fault === "drop") return DROP;
    record.status = reply.status;
    return reply;
  }

  async #route(req: IncomingMessage, url: URL, record: EmulatedRequest): Promise<Reply> {
    const create = CREATE_PATH.exec(url.pathname);
    if (create?.[1] && req.method === "POST") return this.#create(req, create[1], record);
    if (create?.[1] && req.method === "GET") {
      const account = this.#authenticate(req, create[1]);
      if (!account) return unauthorized();
      const page = messagesPage(account.sid, this.#messages, record.query);
      return page.ok ? { status: 200, code: null, body: page.body } : errorReply(400, 20001, page.message);
    }
    const fetchOne = FETCH_PATH.exec(url.pathname);
    if (fetchOne?.[1] && fetchOne[2] && req.method === "GET") {
      const account = this.#authenticate(req, fetchOne[1]);
      if (!account) return unauthorized();
      const message = this.#messages.find((m) => m.sid === fetchOne[2] && m.accountSid === account.sid);
      return message ? { status: 200, code: null, body: messageResource(message) } : notFound(url.pathname);
    }
    const media = MEDIA_PATH.exec(url.pathname);
    if (media?.[1] && media[2] && media[3]) {
      const account = this.#authenticate(req, media[1]);
      if (!account) return unauthorized();
      return this.#mediaRoute(req.method ?? "GET", account, media[2], media[3], media[4] !== undefined, url.pathname);
    }
    const mediaList = MEDIA_LIST_PATH.exec(url.pathname);
    if (mediaList?.[1] && mediaList[2] && req.method === "GET") {
      const account = this.#authenticate(req, mediaList[1]);
      if (!account) return unauthorized();
      const files = this.#media.filter((m) => m.accountSid === account.sid && m.messageSid === mediaList[2]);
      return { status: 200, code: null, body: mediaListPage(account.sid, mediaList[2], files) };
    }
    const numbers = NUMBERS_PATH.exec(url.pathname);
    if (numbers?.[1] && req.method === "GET") {
      const account = this.#authenticate(req, numbers[1]);
      if (!account) return unauthorized();
      const body = incomingNumbersPage(account, firstValue(record.query, "PhoneNumber"));
      return { status: 200, code: null, body };
    }
    if (url.pathname.startsWith("/v1/Services") || url.pathname === "/v1/Tollfree/Verifications") {
      const account = this.#authenticate(req, parseBasicAuth(req.headers.authorization)?.username ?? "");
      if (!account) return unauthorized();
      return req.method === "GET" ? this.#compliance(account, url, record) : notFound(url.pathname);
    }
    if (url.pathname === "/v1/Alerts" && req.method === "GET") {
      const account = this.#authenticate(req, parseBasicAuth(req.headers.authorization)?.username ?? "");
      if (!account) return unauthorized();
      return { status: 200, code: null, body: alertsPage(this.#alerts, account.sid) };
    }
    return notFound(url.pathname);
  }

  #compliance(account: AccountState, url: URL, record: EmulatedRequest): Reply {
    const now = new Date();
    // Compliance resources only ever name numbers the account owns.
    const pnSid = (phoneNumber: string) => account.numbers.get(phoneNumber)?.sid ?? "";
    if (url.pathname === "/v1/Tollfree/Verifications") {
      const wanted = firstValue(record.query, "TollfreePhoneNumberSid");
      const verifications = account.tollfreeVerifications
        .map((verification) => ({ ...verification, pnSid: pnSid(verification.phoneNumber) }))
        .filter((verification) => wanted === undefined || verification.pnSid === wanted);
      return { status: 200, code: null, body: tollfreeVerificationsPage(account.sid, verifications, now) };
    }
    if (url.pathname === "/v1/Services") return { status: 200, code: null, body: servicesPage(account.sid, account.messagingServices, now) };
    const match = /^\/v1\/Services\/([^/]+)\/(PhoneNumbers|Compliance\/Usa2p)$/.exec(url.pathname);
    const service = account.messagingServices.find((candidate) => candidate.sid === match?.[1]);
    if (!match || !service) return notFound(url.pathname);
    if (match[2] === "PhoneNumbers") return { status: 200, code: null, body: servicePhoneNumbersPage(account.sid, service, pnSid, now) };
    return { status: 200, code: null, body: usa2pPage(account.sid, service, account.campaignSids.get(service.sid) ?? "", now) };
  }

  async #create(req: IncomingMessage, accountSid: string, record: EmulatedRequest): Promise<Reply> {
    const fault = this.#faults.shift();
    record.fault = fault?.kind ?? null;
    if (fault && isErrorFault(fault) && !(fault.kind === "server-error" && fault.afterCreate)) return faultResponse(fault);
    if (fault?.kind === "delay") await sleep(fault.ms, undefined, { signal: this.#closing.signal });

    const account = this.#authenticate(req, accountSid);
    if (!account) return unauthorized();
    const outcome = createMessage(account, record.form, new Date());
    if (!outcome.ok) return errorReply(outcome.status, outcome.code, outcome.message);
    const message = outcome.message;
    const failure = message.mediaUrls.length > 0 ? await this.#collectMedia(message) : undefined;
    this.#messages.push(message);
    record.messageSid = message.sid;
    this.#waiters.notify(this.messages);
    if (fault?.kind === "server-error") return faultResponse(fault);
    if (fault?.kind === "stall") await sleep(fault.ms, undefined, { signal: this.#closing.signal });
    // Twilio accepts the create and fails the message afterwards, so the sender learns it from a status callback.
    if (failure) setImmediate(() => void this.#failMessage(message.sid, failure.errorCode));
    else if (this.#delivery) void this.#deliver(message.sid, this.#delivery);
    // Twilio answers before handing the message to the carrier, so the create response has no date_sent.
    return { status: 201, code: null, body: messageResource({ ...message, sentAt: null }) };
  }

  /** Fetches the message's media like Twilio; returns the error the message will fail with, if any. */
  async #collectMedia(message: EmulatedMessage): Promise<{ errorCode: number } | undefined> {
    const collected = await collectMedia(message.mediaUrls, this.#closing.signal);
    message.mediaFetches = collected.fetches;
    if (!collected.ok) return { errorCode: collected.errorCode };
    const now = new Date();
    const files = collected.files.map((file) => createMedia(message.accountSid, message.sid, file.contentType, file.bytes, now));
    this.#media.push(...files);
    message.media = files.map((file) => file.sid);
    if (message.mmsConverted) {
      // The converter's SMS carries the text plus one link per file, and is billed by its segments.
      const links = files.map((file) => this.#cdn.publicUrl(file));
      message.body = [message.body, ...links].filter((part) => part !== "").join("\n");
      ({ numSegments: message.numSegments, encoding: message.encoding } = countSegments(message.body));
    }
    return undefined;
  }

  async #failMessage(sid: string, errorCode: number): Promise<void> {
    const message = this.#messages.find((m) => m.sid === sid);
    if (!message) return;
    if (!message.statusCallback) {
      Object.assign(message, { status: "failed", errorCode, updatedAt: new Date() });
      return;
    }
    // A receiver that is down loses the callback, as with Twilio; the message is failed either way.
    await this.sendStatusCallback(sid, "failed", { errorCode }).catch(() => undefined);
  }

  #mediaRoute(method: string, account: AccountState, messageSid: string, mediaSid: string, json: boolean, path: string): Reply {
    const media = this.#media.find((m) => m.sid === mediaSid && m.messageSid === messageSid && m.accountSid === account.sid);
    if (!media) return notFound(path);
    if (!json && (method === "GET" || method === "HEAD")) {
      return { status: 307, code: null, body: "", headers: { Location: this.#cdn.signedUrl(media) } };
    }
    if (json && method === "GET") return { status: 200, code: null, body: mediaResource(media) };
    if (json && method === "DELETE") {
      this.#media = this.#media.filter((m) => m !== media);
      return { status: 204, code: null, body: "" };
    }
    return errorReply(405, 20004, "Method not allowed");
  }

  async #deliver(sid: string, timing: DeliveryTiming): Promise<void> {
    const steps = [
      ["sent", timing.sentAfterMs],
      ["delivered", timing.deliveredAfterMs],
    ] as const;
    try {
      for (const [status, afterMs] of steps) {
        await sleep(afterMs, undefined, { signal: this.#closing.signal });
        const message = this.#messages.find((m) => m.sid === sid);
        // reset() forgot it: nothing left to deliver.
        if (!message) return;
        if (message.statusCallback) {
          // The status moves on whether or not the receiver answers, as on Twilio.
          await this.sendStatusCallback(sid, status).catch(() => undefined);
        } else {
          message.status = status;
          message.updatedAt = new Date();
        }
      }
    } catch {
      // close() aborted the wait.
    }
  }

  #authenticate(req: IncomingMessage, pathAccountSid: string): AccountState | null {
    const credentials = parseBasicAuth(req.headers.authorization);
    const account = this.#accounts.get(pathAccountSid);
    if (!credentials || !account) return null;
    return credentials.username === account.sid && credentials.password === account.token ? account : null;
  }
}

/** Starts an emulator on 127.0.0.1 (ephemeral port unless `port` is given). Always `close()` it. */
export async function startTwilioEmulator(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const emulator = new TwilioEmulator(options.accounts ?? [{ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN }]);
  await emulator.listen(options.host ?? "127.0.0.1", options.port ?? 0, options.cdnHost);
  return emulator;
}
