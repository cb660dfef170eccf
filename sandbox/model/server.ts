// A deterministic OpenAI-compatible chat model on loopback, so gateway tests
// get the same reply every time without network access or API keys.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export type ReplyFn = (userText: string) => string;

export type ModelServerOptions = {
  /** Model id reported by GET /v1/models and echoed in completions. */
  modelId?: string;
  reply?: ReplyFn;
  /** Loopback port to listen on; 0 (default) takes any free one. */
  port?: number;
};

export type ModelServer = {
  /** Base URL including `/v1`, ready for an `openai-completions` provider. */
  url: string;
  modelId: string;
  /** The current-turn user text of every chat request, in arrival order (failed ones included). */
  requests: string[];
  /**
   * The image parts (`image_url.url`, usually a data URL) of each chat request's
   * messages, session history included, same order as `requests`; the model only gets them when its
   * config declares `input: ["text", "image"]`.
   */
  images: string[][];
  /** Raw request bodies, for debugging a test that sees something unexpected. */
  bodies: unknown[];
  setReply(fn: ReplyFn): void;
  /**
   * Sends every picture of a turn back with the reply: each is saved under
   * `dir` and named on its own `MEDIA:` line, the host's way for a reply to
   * carry a file. `dir` must be one the host lets a reply read (its state
   * dir's `media/`). Undefined turns it off.
   */
  echoPictures(dir: string | undefined): void;
  /**
   * The next `n` chat requests fail (HTTP 500 unless `status` says otherwise).
   * Measured on OpenClaw 2026.9.6: a 500 is retried with backoff, so
   * failNext(1..6) still ends in a normal reply (a 6th retry lands ~60 s
   * later) and a failed turn takes ~7 calls and ~70 s; `{ status: 400 }` is
   * terminal on the first call ("provider rejected the request schema"), the
   * quick way to get a failed turn.
   */
  failNext(n: number, options?: { status?: number; message?: string }): void;
  close(): Promise<void>;
};

export const defaultReply: ReplyFn = (userText) =>
  `**Echo:** ${userText}\n\n- item one\n- see [docs](https://example.com)`;

type ChatMessage = { role?: unknown; content?: unknown };

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        const p = part as { type?: unknown; text?: unknown };
        return p && p.type === "text" && typeof p.text === "string" ? p.text : "";
      })
      .join("\n");
  }
  return "";
}
/** The image parts of the current turn: the user messages after the last assistant or tool message. */
function currentTurnImages(messages: unknown): string[] {
  if (!Array.isArray(messages)) return [];
  const list = messages as ChatMessage[];
  const last = list.findLastIndex((message) => message?.role === "assistant" || message?.role === "tool");
  return imageUrls(list.slice(last + 1).filter((message) => message?.role === "user"));
}

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

/** Writes each data-URL picture under `dir`; returns the `MEDIA:` lines naming them. */
function savePictures(images: readonly string[], dir: string, turn: number): string[] {
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  for (const [index, url] of images.entries()) {
    const [, mime, data] = /^data:([^;,]+);base64,(.*)$/s.exec(url) ?? [];
    if (!mime || data === undefined) continue;
    const path = join(dir, `echo-${turn}-${index + 1}.${EXTENSIONS[mime] ?? "bin"}`);
    writeFileSync(path, Buffer.from(data, "base64"));
    lines.push(`MEDIA:${path}`);
  }
  return lines;
}

function imageUrls(messages: unknown): string[] {
  if (!Array.isArray(messages)) return [];
  const urls: string[] = [];
  for (const message of messages as ChatMessage[]) {
    if (!Array.isArray(message?.content)) continue;
    for (const part of message.content as { type?: unknown; image_url?: { url?: unknown } }[]) {
      if (part?.type === "image_url" && typeof part.image_url?.url === "string") urls.push(part.image_url.url);
    }
  }
  return urls;
}

// What OpenClaw 2026.9.6 adds around the typed text of a turn (observed on the
// wire, and read from its own stripper in dist/strip-inbound-meta-*.mjs):
// - a separate user message wrapped in <<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>> …
//   <<<END_OPENCLAW_INTERNAL_CONTEXT>>> (exec sessions, subagents);
// - inside the typed message: a leading envelope "[Tue 2026-11-24 10:59 UTC] "
//   (from channels "[Channel +1555… Tue …] +1555…: "), context blocks whose
//   header line ends with the marker ⟦openclaw:ctx⟧ (usually followed by a
//   ```json fence), "Delivery: … `message` tool" hints, and a trailing
//   "Runtime: agent=… | …" line moved out of the system prompt for caching;
// - a "[media attached: <path> (<type>)]" line for each picture of the turn
//   (its content then comes as separate text and image parts);
// - when a turn is retried after a model error, the earlier text comes back
//   under a "[Queued user message from a previous active turn; …]" line,
//   followed by a "Continue the current task from the existing transcript, …"
//   instruction.
const INTERNAL_BLOCK_RE = /<<<BEGIN_([A-Z_]+)>>>[\s\S]*?<<<END_\1>>>/g;
const CONTEXT_MARKER = "\u27E6openclaw:ctx\u27E7";
const ENVELOPE_RE = /^\[([^\]\n]*\d{4}-\d{2}-\d{2}[^\]\n]*)\] */;
const SENDER_LABEL_RE = /^([^\n:]{1,80}): /;
const RUNTIME_LINE_RE = /^Runtime: .*\|/;
const DELIVERY_HINT_RE = /^Delivery: .*`message` tool/;
const RETRY_MARKER_RE = /^\[Queued user message from a previous active turn;.*\]$/;
const RETRY_PROMPT_RE = /^Continue the current task from the existing transcript,/;
const MEDIA_NOTE_RE = /^\[media attached[^\]]*\]$/;

function stripEnvelope(text: string): string {
  const match = ENVELOPE_RE.exec(text);
  if (!match) return text;
  const header = match[1] ?? "";
  const body = text.slice(match[0].length);
  // A direct-chat envelope repeats the sender as "<from>: " before the body.
  const label = SENDER_LABEL_RE.exec(body)?.[1];
  if (label !== undefined && (header.includes(label) || label === "(sender)" || label === "(self)")) {
    return body.slice(label.length + 2);
  }
  return body;
}

function stripContextLines(text: string): string {
  const lines = text.split("\n");
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === `Context: ${CONTEXT_MARKER}`) break; // this block runs to the end
    if (line.endsWith(CONTEXT_MARKER)) {
      if ((lines[i + 1] ?? "").trim() === "```json") {
        i += 2;
        while (i < lines.length && (lines[i] ?? "").trim() !== "```") i++;
      } else {
        while (i + 1 < lines.length && (lines[i + 1] ?? "").trim() !== "") i++;
      }
      continue;
    }
    if ([RUNTIME_LINE_RE, DELIVERY_HINT_RE, RETRY_MARKER_RE, RETRY_PROMPT_RE, MEDIA_NOTE_RE].some((re) => re.test(line))) continue;
    kept.push(lines[i] ?? "");
  }
  return kept.join("\n");
}

/** One user message without what OpenClaw added to it; "" when it was all host context. */
export function stripHostContext(text: string): string {
  const withoutBlocks = stripEnvelope(text.replace(INTERNAL_BLOCK_RE, "").trim());
  return stripEnvelope(stripContextLines(withoutBlocks).trim()).trim();
}

/**
 * The user's own words for the current turn.
 *
 * The current turn is every `user` message after the last `assistant` or
 * `tool` message. Each is cleaned with `stripHostContext`; messages that were
 * only host context drop out and the rest are joined with newlines (normally
 * exactly one survives: the typed text).
 */
export function currentTurnUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return "";
  const list = messages as ChatMessage[];
  let start = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    const role = list[i]?.role;
    if (role === "assistant" || role === "tool") {
      start = i + 1;
      break;
    }
  }
  return list
    .slice(start)
    .filter((m) => m?.role === "user")
    .map((m) => stripHostContext(contentText(m.content)))
    .filter((t) => t.length > 0)
    .join("\n");
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

// Split into a few pieces so the host's streaming assembly is exercised, while
// staying deterministic.
function splitForStream(text: string): string[] {
  const pieces = text.match(/[\s\S]{1,24}/g);
  return pieces ?? [""];
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const modelId = options.modelId ?? "echo-1";
  let reply: ReplyFn = options.reply ?? defaultReply;
  let pictureDir: string | undefined;
  let failures = 0;
  let failure = { status: 500, message: "model-server: injected failure" };
  let counter = 0;
  const requests: string[] = [];
  const images: string[][] = [];
  const bodies: unknown[] = [];

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as { messages?: unknown; stream?: unknown; model?: unknown; stream_options?: { include_usage?: unknown } };
    bodies.push(body);
    const userText = currentTurnUserText(body.messages);
    requests.push(userText);
    images.push(imageUrls(body.messages));
    if (failures > 0) {
      failures--;
      const type = failure.status >= 500 ? "server_error" : "invalid_request_error";
      sendJson(res, failure.status, { error: { message: failure.message, type, code: "injected_failure" } });
      return;
    }
    const id = `chatcmpl-${++counter}`;
    const pictures = pictureDir ? savePictures(currentTurnImages(body.messages), pictureDir, counter) : [];
    const text = [reply(userText), ...pictures].join("\n\n");
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === "string" ? body.model : modelId;
    const usage = {
      prompt_tokens: estimateTokens(JSON.stringify(body.messages ?? "")),
      completion_tokens: estimateTokens(text),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (body.stream !== true) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage,
      });
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: "assistant", content: "" }, null));
    for (const piece of splitForStream(text)) res.write(chunk({ content: piece }, null));
    res.write(chunk({}, "stop"));
    if (body.stream_options?.include_usage === true) {
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
      sendJson(res, 200, { object: "list", data: [{ id: modelId, object: "model", created: 0, owned_by: "model-server" }] });
      return;
    }
    if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
      chat(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 400, { error: { message: String(err), type: "invalid_request_error" } });
        else res.destroy();
      });
      return;
    }
    sendJson(res, 404, { error: { message: `model-server: no route ${req.method} ${path}`, type: "not_found" } });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    modelId,
    requests,
    images,
    bodies,
    setReply(fn) {
      reply = fn;
    },
    echoPictures(dir) {
      pictureDir = dir;
    },
    failNext(n, opts = {}) {
      failures = Math.max(0, Math.floor(n));
      failure = { status: opts.status ?? 500, message: opts.message ?? "model-server: injected failure" };
    },
    close() {
      // Streaming keep-alive sockets would otherwise hold close() open.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
