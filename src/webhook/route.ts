/**
 * The HTTP door. One handler serves every account registered on a path; it
 * alone sets HTTP statuses and the TwiML ack. Steps, in order: method → address
 * budget → bounded body read → signature (per account token) → identity →
 * replay claim and journal → account budgets and backlog caps → ack. Turns
 * run later, from the journal (scheduler.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isRequestBodyLimitError, readRequestBodyWithLimit, resolveRequestClientIp } from "openclaw/plugin-sdk/webhook-ingress";
import { runDetachedWebhookWork } from "openclaw/plugin-sdk/webhook-request-guards";
import type { ResolvedAccount } from "../config/accounts.ts";
import { parseForm, readWebhook } from "./form.ts";
import type { InboundSms, StatusCallbackEvent } from "./form.ts";
import { isAddressedTo } from "./admit.ts";
import { redactUrl, signedUrlFor, verifySignature } from "./verify.ts";

export const MAX_BODY_BYTES = 32 * 1024;
const BODY_TIMEOUT_MS = 5_000;
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** What the route needs from each account registered on its path. */
export type WebhookTarget = {
  path: string;
  account: ResolvedAccount;
  /** Accepts a verified message addressed to this account: "ack" → 200 (journaled and queued), "busy" → 429. */
  accept(event: InboundSms): "ack" | "busy";
  /** True when this account sent the message, so its status callbacks are this account's. */
  ownsMessage(messageSid: string): boolean;
  onStatusCallback(event: StatusCallbackEvent): void;
  log(level: "info" | "warn", message: string): void;
};

export type RouteDeps = {
  trustedProxies: string[] | undefined;
  allowRealIpFallback: boolean;
  /** Counts a rejected request from an address; true once it is over budget. */
  rejected(address: string): boolean;
  addressBlocked(address: string): boolean;
  /** How long a body may take to arrive; Twilio sends it at once, so a slow one is not Twilio. Default 5 s. */
  bodyTimeoutMs?: number;
};

function send(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8", headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": contentType, ...headers });
  res.end(body);
}

function ack(res: ServerResponse) {
  send(res, 200, EMPTY_TWIML, "text/xml; charset=utf-8");
}

function isEncrypted(req: IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

export async function handleWebhookRequest(
  req: IncomingMessage,
  res: ServerResponse,
  targets: readonly WebhookTarget[],
  deps: RouteDeps,
): Promise<void> {
  if (req.method !== "POST") return send(res, 405, "Method Not Allowed", undefined, { allow: "POST" });
  const address = resolveRequestClientIp(req, deps.trustedProxies, deps.allowRealIpFallback) ?? req.socket.remoteAddress ?? "unknown";
  if (deps.addressBlocked(address)) return send(res, 429, "Too Many Requests", undefined, { "retry-after": "60" });

  let body: string;
  try {
    // Paused rather than destroyed on a limit, so the client still reads our status before the socket closes.
    body = await readRequestBodyWithLimit(req, { maxBytes: MAX_BODY_BYTES, timeoutMs: deps.bodyTimeoutMs ?? BODY_TIMEOUT_MS, destroyOnLimit: false });
  } catch (error) {
    deps.rejected(address);
    const close = { connection: "close" };
    if (isRequestBodyLimitError(error, "PAYLOAD_TOO_LARGE")) return send(res, 413, "Payload Too Large", undefined, close);
    if (isRequestBodyLimitError(error, "REQUEST_BODY_TIMEOUT")) return send(res, 408, "Request Timeout", undefined, close);
    return send(res, 400, "Bad Request", undefined, close);
  }

  const form = parseForm(body);
  const signature = req.headers["x-twilio-signature"];
  const signatureValue = Array.isArray(signature) ? signature[0] : signature;
  const verified: WebhookTarget[] = [];
  for (const target of targets) {
    const url = signedUrlFor({ publicUrl: target.account.publicUrl, host: req.headers.host, path: req.url ?? "/", encrypted: isEncrypted(req) });
    const verdict = verifySignature({ authToken: target.account.authToken ?? "", signature: signatureValue, url, form });
    if (verdict.ok) verified.push(target);
    else {
      target.log(
        "warn",
        `webhook signature check failed (${verdict.reason}) for account "${target.account.accountId}" against ${redactUrl(verdict.checkedUrl)}; ` +
          (target.account.publicUrl
            ? "check that publicUrl matches the URL configured in Twilio exactly"
            : "behind a proxy or tunnel, set publicUrl to the URL configured in Twilio"),
      );
    }
  }
  if (verified.length === 0) {
    deps.rejected(address);
    return send(res, 403, "Twilio signature check failed");
  }

  const parsed = readWebhook(form);
  if (parsed.kind === "invalid") {
    verified[0]?.log("warn", `ignored a signed webhook without the fields of a message: ${parsed.reason}`);
    return ack(res);
  }
  if (parsed.kind === "status") {
    // Accounts on one path may share one Twilio account, so the sender is found by the SID it stored.
    const { accountSid, messageSid } = parsed.event;
    const owner = verified.find((target) => target.account.accountSid === accountSid && target.ownsMessage(messageSid));
    if (owner) owner.onStatusCallback(parsed.event);
    else verified[0]?.log("info", `ignored a status callback for ${messageSid}, which no account on ${verified[0].path} sent`);
    return send(res, 204, "");
  }
  const owner = verified.find((target) => isAddressedTo(parsed.event, target.account));
  if (!owner) {
    verified[0]?.log(
      "warn",
      `ignored a signed message not addressed to any account on ${verified[0].path} (AccountSid or To/MessagingServiceSid differ)`,
    );
    return ack(res);
  }
  if (owner.accept(parsed.event) === "busy") return send(res, 429, "Too Many Requests", undefined, { "retry-after": "30" });
  return ack(res);
}

/** Starts post-ack work under the gateway's admission and restart-drain tracking. */
export function detach(work: () => Promise<void>): Promise<void> {
  return runDetachedWebhookWork(work);
}
