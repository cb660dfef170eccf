import type { EmulatedMessage } from "./message-resource.ts";
import type { SmsEncoding } from "./segments.ts";

/** A text the phone page sent: an inbound SMS as Twilio would have received it. */
export interface PhoneText {
  sid: string;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  encoding: SmsEncoding;
  /**
   * What the gateway's webhook answered (200, 403, 429, …), 0 when it could not
   * be reached; "held" while the phone keeps the text because the agent is
   * starting, "not sent" when the agent never came up. Twilio saw neither of the last two.
   */
  webhookStatus: number | "held" | "not sent";
  at: Date;
  /** Media resources (`ME…`) of the pictures the text carried. */
  mediaSids: string[];
}

/** One bubble; directions are seen from the handset, so "sent" went to the agent. */
export interface ThreadEntry {
  direction: "sent" | "received";
  sid: string;
  body: string;
  numSegments: number;
  encoding: SmsEncoding;
  /** Twilio's message status for replies; `webhook <status>` for texts the phone sent. */
  status: string;
  at: string;
  /** Links to the pictures in the bubble, served by the phone API. */
  media: string[];
  /** The code in a pairing reply, so the page can offer the approval. */
  pairingCode?: string;
  approved?: boolean;
}

/**
 * What Twilio would bill for the thread, in segments: it bills each segment,
 * the agent's replies and the texts it receives alike. No price: that depends
 * on the destination country and carrier fees, which the emulator does not know.
 */
export interface ThreadCost {
  replies: number;
  replySegments: number;
  texts: number;
  textSegments: number;
}

export interface Thread {
  number: string;
  optedOut: boolean;
  cost: ThreadCost;
  messages: ThreadEntry[];
}

const PAIRING_CODE = /Pairing code: ([A-Za-z0-9-]+)/;

/** Where the page loads a Media resource's bytes from (see phone-api.ts). */
export function phoneMediaPath(mediaSid: string): string {
  return `/phone/api/media/${mediaSid}`;
}

export function pairingCodeOf(body: string): string | undefined {
  return PAIRING_CODE.exec(body)?.[1];
}

function sentStatus(webhookStatus: PhoneText["webhookStatus"]): string {
  if (webhookStatus === "held") return "waiting for the agent to start";
  if (webhookStatus === "not sent") return "not sent: the agent did not start";
  return webhookStatus === 0 ? "webhook unreachable" : `webhook ${webhookStatus}`;
}

/** Merges what the handset sent with what the agent sent it, oldest first. */
export function buildThread(input: {
  number: string;
  agentNumber: string;
  sent: readonly PhoneText[];
  messages: readonly EmulatedMessage[];
  optedOut: boolean;
  approvedCodes: ReadonlySet<string>;
}): Thread {
  const mine = input.sent.filter((text) => text.from === input.number);
  const sent: ThreadEntry[] = mine.map((text) => ({
    direction: "sent",
    sid: text.sid,
    body: text.body,
    numSegments: text.numSegments,
    encoding: text.encoding,
    status: sentStatus(text.webhookStatus),
    at: text.at.toISOString(),
    media: text.mediaSids.map(phoneMediaPath),
  }));
  const received: ThreadEntry[] = input.messages
    .filter((message) => message.to === input.number && (message.from === null || message.from === input.agentNumber))
    .map((message) => {
      const code = pairingCodeOf(message.body);
      return {
        direction: "received",
        sid: message.sid,
        body: message.body,
        numSegments: message.numSegments,
        encoding: message.encoding,
        status: message.status,
        at: message.createdAt.toISOString(),
        // A converted MMS reaches the handset as text with links, so it shows no pictures.
        media: message.mmsConverted ? [] : message.media.map(phoneMediaPath),
        ...(code === undefined ? {} : { pairingCode: code, approved: input.approvedCodes.has(code) }),
      };
    });
  // A stable sort keeps a reply after the text that caused it when both share a millisecond.
  const messages = [...sent, ...received].sort((a, b) => a.at.localeCompare(b.at));
  const segments = (entries: readonly { numSegments: number }[]) => entries.reduce((sum, entry) => sum + entry.numSegments, 0);
  const arrived = mine.filter((text) => typeof text.webhookStatus === "number");
  return {
    number: input.number,
    optedOut: input.optedOut,
    // Twilio bills an inbound text when it arrives, whatever the webhook answers; a text still on the phone has not arrived.
    cost: { replies: received.length, replySegments: segments(received), texts: arrived.length, textSegments: segments(arrived) },
    messages,
  };
}

/** Every number the handset has used, most recent first. */
export function knownSenders(sent: readonly PhoneText[]): string[] {
  const seen = new Set<string>();
  for (let i = sent.length - 1; i >= 0; i -= 1) seen.add(sent[i]!.from);
  return [...seen];
}
