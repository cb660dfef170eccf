/**
 * The outbound pipeline: flatten → chunk → one Twilio create per part, in
 * order, stopping at the first failure so a reply never arrives with a hole
 * in the middle.
 */
import type { ResolvedAccount, Sender } from "../config/accounts.ts";
import type { TwilioRestClient } from "../twilio/client.ts";
import { flattenMarkdown } from "./flatten.ts";
import { chunkForSms } from "./chunk.ts";
import type { SmsEncoding } from "./segments.ts";
import { PartialSendError } from "./receipts.ts";
import type { SentPart } from "./receipts.ts";

export type SendSmsParams = {
  client: TwilioRestClient;
  account: Pick<ResolvedAccount, "textChunkLimit">;
  sender: Sender;
  to: string;
  /** Markdown or plain text; it is flattened before sending. */
  text: string;
  signal?: AbortSignal | undefined;
  statusCallback?: string | undefined;
};

export type SmsPlan = { parts: { text: string; encoding: SmsEncoding; segments: number }[] };

/** What would be sent, without sending: the flattened, chunked parts. */
export function planSms(text: string, textChunkLimit: number): SmsPlan {
  const plain = flattenMarkdown(text);
  return { parts: chunkForSms(plain, { maxChars: textChunkLimit }) };
}

export async function sendSms(params: SendSmsParams): Promise<SentPart[]> {
  const { parts } = planSms(params.text, params.account.textChunkLimit);
  const sent: SentPart[] = [];
  for (const [index, part] of parts.entries()) {
    params.signal?.throwIfAborted();
    try {
      const message = await params.client.createMessage({
        to: params.to,
        body: part.text,
        sender: params.sender,
        statusCallback: params.statusCallback,
      });
      sent.push({
        index,
        sid: message.sid,
        status: message.status,
        segments: message.numSegments ?? part.segments,
        encoding: part.encoding,
      });
    } catch (error) {
      if (sent.length === 0) throw error;
      throw new PartialSendError(error, sent, parts.length);
    }
  }
  return sent;
}
