/**
 * Sends a reply with attachments: the opt-out ledger is checked first, the
 * files are planned against Twilio's MMS limits (`planMms`), hosted under the
 * account's public URL with an unguessable token, and each planned message is
 * created with its `MediaUrl`s and a status callback; the token is bound to
 * the Message SID so the final status callback revokes it. Text past the MMS
 * body limit goes out afterwards through the ordinary SMS pipeline.
 *
 * An MMS is billed once per message, not per segment: its receipt part says
 * `segments: 0` and `billedAs: "mms"`, and the per-recipient daily segment
 * budget is not charged for it (it counts SMS segments only). A converted MMS
 * (a recipient outside the US and Canada) is billed as the SMS it becomes: its
 * segments are checked against that budget before anything is sent and
 * charged as each message goes out, like any SMS.
 */
import type { ResolvedAccount } from "../config/accounts.ts";
import { addressNumber } from "../phone.ts";
import type { HostedFile, OutboundMediaHost } from "../media/host.ts";
import type { DeliveryStore } from "../store/deliveries.ts";
import type { OptOutLedger } from "../store/optouts.ts";
import type { TwilioRestClient } from "../twilio/client.ts";
import { SpendGuardError } from "./budget.ts";
import { OptedOutError, createSegmentTally, type SegmentTally } from "./guarded-send.ts";
import { planMms, requirePublicUrl } from "./mms.ts";
import type { SentPart } from "./receipts.ts";
import { analyzeSegments } from "./segments.ts";

export type MmsSendParams = {
  account: ResolvedAccount;
  to: string;
  text: string;
  files: readonly HostedFile[];
  signal?: AbortSignal | undefined;
  /** The host's custody check, awaited right before each Twilio create (a reply split into several MMS has several). */
  beforeSend?: (() => Promise<void>) | undefined;
};
export type MmsSender = (params: MmsSendParams) => Promise<SentPart[]>;

export class MmsRefusedError extends Error {
  readonly code = "TWILIO_SMS_MMS_REFUSED";
  constructor(reason: string) {
    super(`twilio-sms: ${reason}; nothing was sent`);
    this.name = "MmsRefusedError";
  }
}

export function createMmsSender(deps: {
  client: TwilioRestClient;
  /** Undefined when the account has no publicUrl: every send then fails with the config error. */
  host: OutboundMediaHost | undefined;
  optOuts: OptOutLedger;
  deliveries: DeliveryStore;
  now: () => number;
  /** The account's daily segment tally, shared with the SMS sender; a fresh one when not given. */
  tally?: SegmentTally;
  /** The SMS pipeline, for text beyond the MMS body limit. */
  sendText(params: { account: ResolvedAccount; to: string; text: string; signal?: AbortSignal | undefined }): Promise<SentPart[]>;
}): MmsSender {
  const tally = deps.tally ?? createSegmentTally(deps.now);
  return async ({ account, to, text, files, signal, beforeSend }) => {
    requirePublicUrl(account.publicUrl, account.accountId);
    const host = deps.host;
    if (!host || !account.sender) throw new Error(`twilio-sms: account "${account.accountId}" cannot send attachments: ${account.problems[0] ?? "it is not running in this gateway"}`);
    if (deps.optOuts.isOptedOut(account.accountId, addressNumber(to))) throw new OptedOutError(to);
    // Over RCS the files travel as RCS media, never converted; the plan prices them as the MMS fallback.
    const attachments = files.map((file) => ({ contentType: file.contentType, size: file.bytes.byteLength, fileName: file.fileName }));
    const plan = planMms({ text, attachments, to: addressNumber(to) });
    if (plan.kind === "refuse") throw new MmsRefusedError(plan.reason);
    const converted = plan.messages.reduce((sum, message) => sum + message.segments, 0);
    if (converted > tally.left(account, to)) {
      throw new SpendGuardError(
        to,
        `outside the US and Canada Twilio sends these pictures as an SMS with links, ${converted} segments, more than today's segment budget for this number allows (dailySegmentsPerRecipient); it resets at 00:00 UTC`,
      );
    }

    const parts: SentPart[] = [];
    for (const message of plan.messages) {
      signal?.throwIfAborted();
      await beforeSend?.();
      signal?.throwIfAborted();
      const hosted = message.attachments.map((index) => host.put(files[index]!));
      let sent;
      try {
        sent = await deps.client.createMessage({
          to,
          body: message.body,
          sender: account.sender,
          statusCallback: account.publicUrl,
          mediaUrls: hosted.map((file) => file.url),
        });
      } catch (error) {
        for (const file of hosted) host.revoke(file.token);
        throw error;
      }
      for (const file of hosted) host.bindMessage(file.token, sent.sid);
      tally.charge(account, to, message.segments);
      deps.deliveries.recordSent(sent.sid, sent.status, deps.now());
      parts.push({
        index: parts.length,
        sid: sent.sid,
        status: sent.status,
        segments: message.segments,
        encoding: analyzeSegments(message.body).encoding,
        media: { count: message.attachments.length, billedAs: message.converted ? "sms" : "mms" },
      });
    }
    if (plan.restText) {
      const rest = await deps.sendText({ account, to, text: plan.restText, signal });
      for (const part of rest) parts.push({ ...part, index: parts.length });
    }
    return parts;
  };
}
