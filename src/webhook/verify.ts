/**
 * Chooses the URL Twilio signed and checks `X-Twilio-Signature` with the
 * twilio package's own validator (which also accepts the with/without-port
 * variants and compares in constant time). Forwarded-host headers are never
 * trusted: behind a proxy the operator sets `publicUrl`.
 */
// The validator module alone: the package's index would bring every REST domain (see src/twilio/client.ts).
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";
import type { FormParams } from "./form.ts";

export type SignedUrlInput = {
  publicUrl: string | undefined;
  /** The request's Host header and path+query, as received. */
  host: string | undefined;
  path: string;
  /** True when the request reached the gateway over TLS. */
  encrypted: boolean;
};

/** The URL Twilio signed: `publicUrl` exactly as configured, else this request's own scheme, Host and path. */
export function signedUrlFor(input: SignedUrlInput): string | undefined {
  if (input.publicUrl) return input.publicUrl;
  if (!input.host) return undefined;
  return `${input.encrypted ? "https" : "http"}://${input.host}${input.path}`;
}

export type Verdict = { ok: true } | { ok: false; reason: "missing-signature" | "no-url" | "mismatch"; checkedUrl: string | undefined };

export function verifySignature(params: {
  authToken: string;
  signature: string | undefined;
  url: string | undefined;
  form: FormParams;
}): Verdict {
  if (!params.signature) return { ok: false, reason: "missing-signature", checkedUrl: params.url };
  if (!params.url) return { ok: false, reason: "no-url", checkedUrl: undefined };
  let valid = false;
  try {
    valid = validateRequest(params.authToken, params.signature, params.url, params.form);
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: "mismatch", checkedUrl: params.url };
}

/** The checked URL without its query string, which may carry tokens of the operator's own. */
export function redactUrl(url: string | undefined): string {
  if (!url) return "(none)";
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? "?…" : ""}`;
  } catch {
    return "(unparseable)";
  }
}
