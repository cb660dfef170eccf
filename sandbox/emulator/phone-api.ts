// The sandbox phone: a page and a small JSON API on the emulator's own port,
// so a person can text the agent from a browser. Texts go out as the same
// signed webhooks Twilio sends; replies are the messages the emulator accepted.
//
// The page is up before the agent: `npm start` serves it while the gateway
// boots. Until then the handset keeps what is typed, as a phone out of
// coverage keeps a text "sending", and sends it, in order, once the agent is
// up; Twilio (the emulator) sees nothing before that moment.
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { send, type PlainResponse } from "./http-io.ts";
import type { EmulatedMessage } from "./message-resource.ts";
import type { EmulatedMedia } from "./media-resource.ts";
import { MAX_IMAGE_BYTES, sniffImageType } from "./media-types.ts";
import { buildThread, knownSenders, type PhoneText, type Thread } from "./phone-thread.ts";
import { countSegments } from "./segments.ts";
import { newSid } from "./sids.ts";
import type { InboundSmsResult, SendInboundSmsOptions } from "./server.ts";

export interface ApprovalResult {
  ok: boolean;
  /** What the command printed, shown under the button. */
  output: string;
}

export interface PhoneOptions {
  /** The gateway route the phone's texts are posted to, signed with the number owner's auth token. */
  webhookUrl: string;
  /** The Twilio number the agent texts from; the phone texts it. */
  agentNumber: string;
  /** Shown with each pairing code; defaults to the twilio-sms channel's command. */
  pairingCommand?: string;
  /** Runs the approval for the page's button; without it the page only shows the command. */
  approvePairing?: (code: string) => Promise<ApprovalResult>;
  /** Offered in the sender picker before any text was sent. */
  suggestedNumbers?: string[];
  /**
   * Settles when the agent behind `webhookUrl` is up (or failed to start).
   * Until it does, texts are held on the phone; without it the agent counts as up.
   */
  agentReady?: Promise<unknown>;
}

/** Whether the agent can take texts yet, as the page shows it. */
type AgentState = "starting" | "ready" | "failed";

type Picture = { contentType: string; bytes: Buffer };

/** The part of the emulator the phone uses. */
export interface PhoneBackend {
  readonly messages: EmulatedMessage[];
  sendInboundSms(options: SendInboundSmsOptions): Promise<InboundSmsResult>;
  isOptedOut(number: string): boolean;
  mediaFile(mediaSid: string): EmulatedMedia | undefined;
}

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  "/phone": { file: "phone-page.html", type: "text/html; charset=utf-8" },
  "/phone/": { file: "phone-page.html", type: "text/html; charset=utf-8" },
  "/phone/phone-page.js": { file: "phone-page.js", type: "text/javascript; charset=utf-8" },
};
const E164 = /^\+[1-9]\d{6,14}$/;
const PAIRING_CODE = /^[A-Za-z0-9-]{3,32}$/;
const MAX_JSON_BYTES = 16 * 1024;
// A picture travels base64-encoded (4/3 of its size) inside the send request.
const MAX_SEND_JSON_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + MAX_JSON_BYTES;
const MEDIA_ROUTE = /^\/phone\/api\/media\/(ME[0-9a-f]{32})$/;
// Twilio refuses longer bodies, so a handset never sends more in one text.
const MAX_TEXT_CHARS = 1600;
// Bounds memory when a script drives the page for a long time.
const MAX_KEPT_TEXTS = 2000;

class BadRequest extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function json(status: number, body: unknown): PlainResponse {
  return { status, body, headers: { "Cache-Control": "no-store" } };
}

async function readJson(req: IncomingMessage, maxBytes = MAX_JSON_BYTES): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    throw new BadRequest(415, "send application/json");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadRequest(413, "request too large");
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below like any other malformed body.
  }
  throw new BadRequest(400, "expected a JSON object");
}

function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string") throw new BadRequest(400, `${key} must be a string`);
  return value;
}

export class PhoneApi {
  readonly #backend: PhoneBackend;
  readonly #options: PhoneOptions;
  readonly #pairingCommand: string;
  #sent: PhoneText[] = [];
  readonly #approved = new Set<string>();
  #agent: AgentState;
  // Texts typed before the agent was up, oldest first, with the picture each carries.
  #held: { text: PhoneText; picture: Picture | undefined }[] = [];

  constructor(backend: PhoneBackend, options: PhoneOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#pairingCommand = options.pairingCommand ?? "openclaw pairing approve twilio-sms";
    this.#agent = options.agentReady ? "starting" : "ready";
    options.agentReady?.then(
      () => this.#release(),
      () => this.#giveUp(),
    );
  }

  /** Forgets the texts sent and the codes approved, with the emulator's own reset(). */
  reset(): void {
    this.#sent = [];
    this.#held = [];
    this.#approved.clear();
  }

  // Sends what was held in the order it was typed; a text typed meanwhile joins
  // the end of the queue, and the phone counts the agent as up only once it is empty.
  async #release(): Promise<void> {
    for (let next = this.#held.shift(); next; next = this.#held.shift()) await this.#deliver(next.text, next.picture);
    this.#agent = "ready";
  }

  // The agent never came up: what the phone held never left it.
  #giveUp(): void {
    for (const { text } of this.#held) text.webhookStatus = "not sent";
    this.#held = [];
    this.#agent = "failed";
  }

  owns(path: string): boolean {
    return path === "/phone" || path.startsWith("/phone/");
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      send(res, await this.#route(req));
    } catch (error) {
      if (res.headersSent || req.socket.destroyed) return;
      const status = error instanceof BadRequest ? error.status : 500;
      send(res, json(status, { error: error instanceof Error ? error.message : String(error) }));
    }
  }

  async #route(req: IncomingMessage): Promise<PlainResponse> {
    const url = new URL(req.url ?? "/", "http://phone.invalid");
    this.#checkOrigin(req);
    const page = PAGE_FILES[url.pathname];
    if (page && req.method === "GET") {
      const text = await readFile(new URL(page.file, import.meta.url), "utf8");
      return { status: 200, body: text, headers: { "Content-Type": page.type, "Cache-Control": "no-store" } };
    }
    const media = MEDIA_ROUTE.exec(url.pathname);
    if (media?.[1] && req.method === "GET") return this.#media(media[1]);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /phone/api/info":
        return json(200, this.#info());
      case "GET /phone/api/thread":
        return json(200, this.#thread(url.searchParams.get("number") ?? ""));
      case "GET /phone/api/count":
        return json(200, countSegments(url.searchParams.get("body") ?? ""));
      case "POST /phone/api/send":
        return json(200, await this.#send(await readJson(req, MAX_SEND_JSON_BYTES)));
      case "POST /phone/api/approve":
        return json(200, await this.#approve(await readJson(req)));
      default:
        return json(404, { error: `no phone route ${route}` });
    }
  }

  // The approve route runs a command, so a page on another origin (or a DNS
  // name rebound to loopback) must not be able to reach it.
  #checkOrigin(req: IncomingMessage): void {
    const port = req.socket.localPort;
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!hosts.includes(req.headers.host ?? "")) throw new BadRequest(403, "the phone answers on loopback host names only");
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) throw new BadRequest(403, "cross-origin request refused");
  }

  #info(): Record<string, unknown> {
    const used = knownSenders(this.#sent);
    const suggested = (this.#options.suggestedNumbers ?? []).filter((n) => !used.includes(n));
    return {
      agentNumber: this.#options.agentNumber,
      pairingCommand: this.#pairingCommand,
      canApprove: this.#options.approvePairing !== undefined,
      numbers: [...used, ...suggested],
      agent: this.#agent,
    };
  }

  // The bubbles' pictures: the emulator's own copy of each file, on the page's origin.
  #media(mediaSid: string): PlainResponse {
    const file = this.#backend.mediaFile(mediaSid);
    if (!file) return json(404, { error: "no such picture (deleted, or the emulator was reset)" });
    return {
      status: 200,
      body: file.bytes,
      headers: { "Content-Type": file.contentType, "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff" },
    };
  }

  /** The optional picture of a send: `{ contentType, data }` with base64 data, checked to be the image it claims. */
  #picture(body: Record<string, unknown>): Picture | undefined {
    const picture = body.picture;
    if (picture === undefined || picture === null) return undefined;
    if (typeof picture !== "object") throw new BadRequest(400, "picture must be an object");
    const data = stringField(picture as Record<string, unknown>, "data");
    const bytes = Buffer.from(data, "base64");
    if (bytes.length === 0) throw new BadRequest(400, "the picture is empty");
    if (bytes.length > MAX_IMAGE_BYTES) throw new BadRequest(413, "a picture holds at most 5 MB");
    const contentType = sniffImageType(bytes);
    if (!contentType) throw new BadRequest(415, "attach a JPEG, PNG or GIF picture");
    return { contentType, bytes };
  }

  #thread(number: string): Thread {
    if (!E164.test(number)) throw new BadRequest(400, "number must be in E.164 form, e.g. +15551234567");
    return buildThread({
      number,
      agentNumber: this.#options.agentNumber,
      sent: this.#sent,
      messages: this.#backend.messages,
      optedOut: this.#backend.isOptedOut(number),
      approvedCodes: this.#approved,
    });
  }

  async #send(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const from = stringField(body, "from").trim();
    const text = stringField(body, "body");
    const picture = this.#picture(body);
    if (!E164.test(from)) throw new BadRequest(400, "from must be in E.164 form, e.g. +15551234567");
    if (from === this.#options.agentNumber) throw new BadRequest(400, "that is the agent's own number; text from another one");
    if (text.trim() === "" && !picture) throw new BadRequest(400, "type a text first");
    if (text.length > MAX_TEXT_CHARS) throw new BadRequest(400, `a text holds at most ${MAX_TEXT_CHARS} characters`);
    const { numSegments, encoding } = countSegments(text);
    const sent: PhoneText = {
      sid: newSid(picture ? "MM" : "SM"),
      from,
      to: this.#options.agentNumber,
      body: text,
      numSegments,
      encoding,
      webhookStatus: "held",
      at: new Date(),
      mediaSids: [],
    };
    if (this.#agent === "ready") await this.#deliver(sent, picture);
    else if (this.#agent === "starting") this.#held.push({ text: sent, picture });
    else sent.webhookStatus = "not sent";
    // A text joins the thread once its webhook answered, or at once when it is held or not sent.
    this.#sent.push(sent);
    if (this.#sent.length > MAX_KEPT_TEXTS) this.#sent.splice(0, this.#sent.length - MAX_KEPT_TEXTS);
    return { sid: sent.sid, webhookStatus: sent.webhookStatus };
  }

  /** Posts the text to the agent as Twilio would and records what its webhook answered. */
  async #deliver(sent: PhoneText, picture: Picture | undefined): Promise<void> {
    try {
      const result = await this.#backend.sendInboundSms({
        webhookUrl: this.#options.webhookUrl,
        from: sent.from,
        to: sent.to,
        body: sent.body,
        messageSid: sent.sid,
        ...(picture ? { media: [picture] } : {}),
      });
      sent.webhookStatus = result.status;
      sent.mediaSids = Object.keys(result.params)
        .filter((key) => key.startsWith("MediaUrl"))
        .map((key) => result.params[key]!.split("/").pop()!);
    } catch {
      // An unreachable gateway is shown on the bubble rather than failing the page.
      sent.webhookStatus = 0;
    }
  }

  async #approve(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const code = stringField(body, "code").trim();
    if (!PAIRING_CODE.test(code)) throw new BadRequest(400, "that does not look like a pairing code");
    const command = `${this.#pairingCommand} ${code}`;
    if (!this.#options.approvePairing) throw new BadRequest(501, `run it yourself: ${command}`);
    const result = await this.#options.approvePairing(code);
    if (result.ok) this.#approved.add(code);
    return { command, ...result };
  }
}
