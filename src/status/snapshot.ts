/**
 * What `openclaw channels status` shows per account: configuration facts with
 * numbers masked and the token reduced to where it came from.
 */
import type { ResolvedAccount } from "../config/accounts.ts";
import { maskPhone, maskSid } from "../mask.ts";

export function describeAccountExtras(account: ResolvedAccount): Record<string, unknown> {
  return {
    accountSid: maskSid(account.accountSid),
    tokenSource: account.tokenSource,
    sender: account.sender?.kind === "number" ? maskPhone(account.sender.fromNumber) : maskSid(account.messagingServiceSid),
    senderKind: account.sender?.kind ?? null,
    webhookPath: account.webhookPath,
    publicUrl: account.publicUrl ?? null,
    dmPolicy: account.dmPolicy,
    allowFrom: account.allowFrom.map((entry) => (entry === "*" ? entry : maskPhone(entry))),
    textChunkLimit: account.textChunkLimit,
    partMarkers: account.partMarkers,
    smartEncoding: account.smartEncoding,
    // The spend guard, so an operator can see why a long reply ended in "[…truncated]".
    spendGuard: {
      maxSegmentsPerReply: account.maxSegmentsPerReply,
      dailySegmentsPerRecipient: account.dailySegmentsPerRecipient ?? "off",
    },
    apiBaseUrl: account.apiBaseUrl,
    problems: account.problems,
  };
}
