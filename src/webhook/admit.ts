/**
 * Decides what a verified inbound SMS may do before any agent sees it:
 * identity, opt-out keywords, sender kind and the channel's own policy
 * switches. Pairing and allowlists are resolved the SDK's way afterwards
 * (dispatch.ts); this module is pure so every branch is table-tested.
 */
import type { ResolvedAccount } from "../config/accounts.ts";
import { classifySender, RCS_PREFIX, rcsNumber } from "../phone.ts";
import type { SenderKind } from "../phone.ts";
import type { InboundSms } from "./form.ts";

/** Twilio's default opt-out keywords (REVOKE and OPTOUT since 2025); single word only. */
export const OPT_OUT_KEYWORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
export const OPT_IN_KEYWORDS = new Set(["START", "UNSTOP", "YES"]);
export const HELP_KEYWORDS = new Set(["HELP", "INFO"]);

export type Admission =
  | { kind: "dispatch" }
  | { kind: "opt-out" }
  | { kind: "opt-in" }
  | { kind: "help" }
  | { kind: "drop"; reason: DropReason; senderKind?: SenderKind };

export type DropReason = "account-mismatch" | "recipient-mismatch" | "non-e164-sender" | "dm-disabled" | "opted-out" | "empty";

export function keywordOf(body: string): string | undefined {
  const word = body.trim().replace(/[.!]+$/, "").toUpperCase();
  return /^[A-Z]+$/.test(word) ? word : undefined;
}

/**
 * True when the message is addressed to this account's number or Messaging
 * Service. An RCS text is addressed to the RCS sender (`rcs:<agent id>`),
 * which lives in a Messaging Service, so it matches through the service's SID
 * (or through the number, when Twilio names it as `rcs:+E164`).
 */
export function isAddressedTo(event: Pick<InboundSms, "accountSid" | "to" | "messagingServiceSid">, account: ResolvedAccount): boolean {
  if (event.accountSid !== account.accountSid) return false;
  if (account.fromNumber && (event.to === account.fromNumber || rcsNumber(event.to) === account.fromNumber)) return true;
  return Boolean(account.messagingServiceSid && event.messagingServiceSid === account.messagingServiceSid);
}

/**
 * Where replies to this text go. A text that came over RCS is answered over
 * RCS (`rcs:+E164`) when the account sends through a Messaging Service, which
 * holds the RCS sender; a plain number cannot send RCS, so otherwise the
 * answer is an SMS to the same person's number.
 */
export function replyAddress(event: Pick<InboundSms, "from" | "channel">, account: Pick<ResolvedAccount, "sender">): string {
  return event.channel === "rcs" && account.sender?.kind === "service" ? `${RCS_PREFIX}${event.from}` : event.from;
}

export function admit(event: InboundSms, account: ResolvedAccount, senderOptedOut: boolean): Admission {
  if (event.accountSid !== account.accountSid) return { kind: "drop", reason: "account-mismatch" };
  if (!isAddressedTo(event, account)) return { kind: "drop", reason: "recipient-mismatch" };
  const senderKind = classifySender(event.from);
  if (senderKind !== "e164") return { kind: "drop", reason: "non-e164-sender", senderKind };

  const keyword = keywordOf(event.body);
  if (event.optOutType === "STOP" || (keyword && OPT_OUT_KEYWORDS.has(keyword))) return { kind: "opt-out" };
  // "Yes" is also an ordinary answer, so it only opts back in when the sender is opted out.
  const optInKeyword = keyword !== undefined && OPT_IN_KEYWORDS.has(keyword) && (keyword !== "YES" || senderOptedOut);
  if (event.optOutType === "START" || optInKeyword) return { kind: "opt-in" };
  // Twilio will not deliver our reply to an opted-out number (21610), so a turn would be wasted.
  if (senderOptedOut) return { kind: "drop", reason: "opted-out" };
  if (event.optOutType === "HELP" || (keyword && HELP_KEYWORDS.has(keyword))) return { kind: "help" };
  if (account.dmPolicy === "disabled") return { kind: "drop", reason: "dm-disabled" };
  if (!event.body.trim() && event.numMedia === 0) return { kind: "drop", reason: "empty" };
  return { kind: "dispatch" };
}
