// One account's entry in `openclaw channels status --json`, which is the
// gateway's `channels.status` RPC payload: the host lists each channel's
// accounts under `channelAccounts.<channel id>`.
import type { GatewayRpc } from "../../../sandbox/gateway/rpc.ts";
import { until } from "./until.ts";

export type AccountStatus = { accountId: string } & Record<string, unknown>;

export function accountStatus(payload: unknown, accountId: string, channel = "twilio-sms"): AccountStatus | undefined {
  const accounts = (payload as { channelAccounts?: Record<string, AccountStatus[]> } | undefined)?.channelAccounts?.[channel];
  return accounts?.find((entry) => entry.accountId === accountId);
}

/**
 * Waits until the account's status shows no turn running or waiting: every
 * text it acknowledged so far has been handled, and whatever those texts send
 * has been sent.
 */
export function waitForIdleQueue(rpc: GatewayRpc, accountId: string, timeoutMs = 60_000): Promise<true> {
  return until(
    `the ${accountId} account's status to show no turn running or waiting`,
    async () => {
      const queue = accountStatus(await rpc("channels.status", { channel: "twilio-sms" }), accountId)?.queue as { running?: number; waiting?: number } | undefined;
      return queue?.running === 0 && queue.waiting === 0 ? true : undefined;
    },
    timeoutMs,
  );
}
