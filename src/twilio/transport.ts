/**
 * When a request to Twilio failed without an HTTP answer: before the request
 * left this machine (Twilio cannot have created anything) or after (it may
 * have). Pure; it reads only the error object.
 *
 * twilio-node sends through axios, which rethrows Node's socket error as an
 * AxiosError that keeps Node's `code` and holds the original error, with its
 * `syscall`, in `cause` (checked with twilio 6.2.0 / axios 1.x against a
 * closed port, an unknown host, a hanging server and a dropped socket). Node
 * opens a new connection in two system steps, and nothing of the request is
 * written until both succeed:
 * - `getaddrinfo` (DNS): ENOTFOUND, EAI_AGAIN, EAI_FAIL, ...;
 * - `connect` (TCP): ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, and ETIMEDOUT
 *   when the OS gives up on the handshake.
 * A kept-alive socket skips both steps, so a `syscall` of either can only
 * come from a fresh connection that never carried the request.
 * Certificate checks fail during the TLS handshake, also before the request
 * is written; they have no syscall, so they are named by code.
 * Everything else is "in flight": axios's own timeout (ECONNABORTED, or
 * ETIMEDOUT without a syscall) fires whether or not the request was already
 * written, and a reset or "socket hang up" (ECONNRESET, EPIPE) may come after
 * Twilio read the request and created the message.
 */
import type { TransportFailure } from "../errors.ts";

type ErrorFacts = { code?: unknown; syscall?: unknown; cause?: unknown; errors?: unknown };

/** Codes that only DNS resolution or a refused TCP handshake produce, for errors that lost their syscall. */
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const CONNECT_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"]);
/** OpenSSL's certificate verification results as Node reports them, plus Node's host-name check. */
const TLS_CODE = /^(CERT_|UNABLE_TO_(GET|VERIFY|DECRYPT)_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_TLS_CERT_ALTNAME_INVALID$)/;

function facts(error: unknown): ErrorFacts {
  return error !== null && typeof error === "object" ? (error as ErrorFacts) : {};
}

/** The syscall of the error, its cause, or (Node's happy-eyeballs AggregateError) its first attempt. */
function syscallOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 4; depth++) {
    const { syscall, cause, errors } = facts(current);
    if (typeof syscall === "string") return syscall;
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 4; depth++) {
    const { code, cause } = facts(current);
    if (typeof code === "string") return code;
    current = cause;
  }
  return undefined;
}

export function classifyTransportFailure(error: unknown): TransportFailure {
  const code = codeOf(error) ?? "network error";
  const syscall = syscallOf(error);
  if (syscall === "getaddrinfo" || DNS_CODES.has(code)) return { stage: "dns", code };
  if (syscall === "connect" || CONNECT_CODES.has(code)) return { stage: "connect", code };
  if (TLS_CODE.test(code)) return { stage: "tls", code };
  return { stage: "in-flight", code };
}
