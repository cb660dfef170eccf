// One account's entry in `openclaw channels status --json`, which is the
// gateway's `channels.status` RPC payload: the host lists each channel's
// accounts under `channelAccounts.<channel id>`.
export type AccountStatus = { accountId: string } & Record<string, unknown>;

export function accountStatus(payload: unknown, accountId: string, channel = "twilio-sms"): AccountStatus | undefined {
  const accounts = (payload as { channelAccounts?: Record<string, AccountStatus[]> } | undefined)?.channelAccounts?.[channel];
  return accounts?.find((entry) => entry.accountId === accountId);
}

/** Whether the account's status shows no turn running or waiting: every text it acknowledged so far has been handled. */
export function queueIsIdle(payload: unknown, accountId: string, channel = "twilio-sms"): boolean {
  return JSON.stringify(accountStatus(payload, accountId, channel)).includes('"queue":{"running":0,"waiting":0,');
}
