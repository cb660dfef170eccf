// One account's entry in `openclaw channels status --json`, which is the
// gateway's `channels.status` RPC payload: the host lists each channel's
// accounts under `channelAccounts.<channel id>`.
export type AccountStatus = { accountId: string } & Record<string, unknown>;

export function accountStatus(payload: unknown, accountId: string, channel = "twilio-sms"): AccountStatus | undefined {
  const accounts = (payload as { channelAccounts?: Record<string, AccountStatus[]> } | undefined)?.channelAccounts?.[channel];
  return accounts?.find((entry) => entry.accountId === accountId);
}
