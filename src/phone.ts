/**
 * Phone-number handling shared by config, security and outbound: E.164
 * normalising, `twilio:` target parsing, sender classification and `rcs:`
 * addresses.
 */
import { TargetError } from "./errors.ts";
import { maskPhone } from "./mask.ts";

export const TARGET_PREFIX = "twilio";

const E164 = /^\+[1-9]\d{6,14}$/;

/** Strict E.164 after removing the punctuation people type: spaces, dashes, dots, brackets. */
export function normalizeE164(raw: string): string | undefined {
  const compact = raw.trim().replace(/[\s\-().]/g, "");
  return E164.test(compact) ? compact : undefined;
}

/**
 * Parses a send target: a bare E.164 number or `twilio:+E164`. The generic
 * `sms:` prefix belongs to other SMS channels and is refused so a message
 * never leaves through the wrong provider.
 */
export function parseTarget(raw: string): string {
  const trimmed = raw.trim();
  const colon = trimmed.indexOf(":");
  let number = trimmed;
  if (colon >= 0) {
    const prefix = trimmed.slice(0, colon).toLowerCase();
    if (prefix !== TARGET_PREFIX) {
      throw new TargetError(
        `twilio-sms: target prefix "${prefix}:" is not ours; use a bare E.164 number (+15551230001) or twilio:+15551230001`,
      );
    }
    number = trimmed.slice(colon + 1);
  }
  const normalized = normalizeE164(number);
  if (!normalized) {
    throw new TargetError(
      `twilio-sms: target "${maskPhone(number) || number.slice(0, 3)}" is not a phone number; use E.164 such as +15551230001`,
    );
  }
  return normalized;
}

export const RCS_PREFIX = "rcs:";

/**
 * The number behind an RCS user address (`rcs:+15551234567`, what Twilio puts
 * in `From` for a text sent over RCS); undefined for anything else, including
 * an RCS agent id (`rcs:acme_agent`) and a bare number.
 */
export function rcsNumber(raw: string): string | undefined {
  const value = raw.trim();
  return value.toLowerCase().startsWith(RCS_PREFIX) ? normalizeE164(value.slice(RCS_PREFIX.length)) : undefined;
}

/**
 * The person an address reaches: `rcs:+E164` is the same person as `+E164`,
 * so opt-outs, allowlists and daily budgets are kept per number, whichever way
 * they text.
 */
export function addressNumber(address: string): string {
  return rcsNumber(address) ?? address;
}

export type SenderKind = "e164" | "short-code" | "alphanumeric" | "rcs" | "unknown";

/**
 * Classifies an inbound `From`. Only E.164 senders can be paired or answered;
 * the rest are logged and ignored rather than rejected with a 4xx that
 * Twilio would report as a webhook failure.
 */
export function classifySender(raw: string): SenderKind {
  const value = raw.trim();
  if (value.toLowerCase().startsWith("rcs:")) return "rcs";
  if (E164.test(value)) return "e164";
  if (/^\d{3,8}$/.test(value)) return "short-code";
  if (/^[A-Za-z0-9 ]{1,11}$/.test(value) && /[A-Za-z]/.test(value)) return "alphanumeric";
  return "unknown";
}

/** Normalises an `allowFrom` entry; `*` passes through, a prefixed number is unwrapped. */
export function normalizeAllowEntry(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed === "*") return trimmed;
  const unprefixed = trimmed.replace(/^(twilio|twilio-sms|sms|tel):/i, "");
  return normalizeE164(unprefixed) ?? trimmed;
}
