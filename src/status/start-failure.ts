/**
 * An account the operator configured but that cannot run. The host only calls
 * startAccount for accounts it believes configured (config.isConfigured), so
 * this is the one place such an account can speak: one log line with every
 * reason (each names its key and fix), and a blocked status so `channels
 * status` shows the error and `/readyz` reports the channel as failing. The
 * account then stays down, without restart attempts, until its config changes.
 */
import { channelBlockedPatch, channelStoppedPatch } from "openclaw/plugin-sdk/gateway-runtime";
import type { ChannelAccountSnapshot } from "openclaw/plugin-sdk/channel-contract";
import type { ResolvedAccount } from "../config/accounts.ts";

type StartFailureContext = {
  log?: { error(message: string): void } | undefined;
  getStatus(): ChannelAccountSnapshot;
  setStatus(next: ChannelAccountSnapshot): void;
};

export function describeStartFailure(account: ResolvedAccount): string {
  return `invalid config, not started: ${account.problems.join("; ")}`;
}

/** Returns true when the account cannot start; it has then said why. */
export function reportStartFailure(ctx: StartFailureContext, account: ResolvedAccount): boolean {
  if (account.configured) return false;
  const reason = describeStartFailure(account);
  ctx.log?.error(`[twilio-sms:${account.accountId}] ${reason}`);
  ctx.setStatus({ ...ctx.getStatus(), accountId: account.accountId, configured: true, ...channelStoppedPatch(), ...channelBlockedPatch(reason) });
  return true;
}
