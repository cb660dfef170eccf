/**
 * The secrets contract: which config paths hold a Twilio Auth Token, and which
 * account owns each one. The gateway's secrets runtime does not ask the loaded
 * plugin for it; it loads `dist/secret-contract-api.js` (src/secret-contract-api.ts)
 * before any plugin runs, resolves every active SecretRef into its runtime
 * config snapshot (at start, on config reload and on `openclaw secrets reload`),
 * and parks an account whose ref cannot be resolved instead of failing the
 * gateway. `secrets audit` and `secrets configure` read the same registry
 * entries to find plaintext tokens.
 */
import { normalizeAccountId } from "openclaw/plugin-sdk/account-id";
import {
  collectSecretInputAssignment,
  createChannelSecretTargetRegistryEntries,
  getChannelRecord,
  hasOwnProperty,
  isEnabledFlag,
  isRecord,
} from "openclaw/plugin-sdk/channel-secret-basic-runtime";
import type { createSimpleChannelSecretContract } from "openclaw/plugin-sdk/channel-secret-basic-runtime";
import { CHANNEL_ID, DEFAULT_ACCOUNT_ID, listAccountIds } from "./accounts.ts";
import { ownsToken } from "./secrets.ts";

export const secretTargetRegistryEntries = createChannelSecretTargetRegistryEntries({
  channelKey: CHANNEL_ID,
  account: ["authToken"],
  channel: ["authToken"],
});

type SecretCollectorParams = Parameters<ReturnType<typeof createSimpleChannelSecretContract>["collectRuntimeConfigAssignments"]>[0];

/**
 * Our inheritance differs from the SDK's simple helper: the root is itself the
 * `default` account whenever it (or the environment) names a sender, even when
 * named accounts exist, so a root token can be needed by `default` alone.
 */
export function collectRuntimeConfigAssignments({ config, defaults, context }: SecretCollectorParams): void {
  const channel = getChannelRecord(config, CHANNEL_ID);
  if (!channel) return;
  const enabled = isEnabledFlag(channel);
  const { accounts: rawAccounts, ...rootDefaults } = channel;
  const accounts = isRecord(rawAccounts) ? rawAccounts : {};
  const owner = (accountId: string, contract: unknown) => ({
    ownerKind: "account" as const,
    ownerId: `${CHANNEL_ID}:${normalizeAccountId(accountId)}`,
    requiredForGateway: false,
    disposition: "isolate" as const,
    contract,
  });

  const inheritors: { accountId: string; account: Record<string, unknown> }[] = [];
  if (listAccountIds(channel, context.env).includes(DEFAULT_ACCOUNT_ID) && !isRecord(accounts[DEFAULT_ACCOUNT_ID])) {
    inheritors.push({ accountId: DEFAULT_ACCOUNT_ID, account: rootDefaults });
  }
  for (const [accountId, account] of Object.entries(accounts)) {
    if (isRecord(account) && isEnabledFlag(account) && !ownsToken(account)) inheritors.push({ accountId, account });
  }
  const rootToken = {
    value: channel.authToken,
    path: `channels.${CHANNEL_ID}.authToken`,
    expected: "string",
    defaults,
    context,
    apply: (value: unknown) => {
      channel.authToken = value;
    },
  } as const;
  if (!enabled || inheritors.length === 0) {
    collectSecretInputAssignment({ ...rootToken, active: false, inactiveReason: "no enabled twilio-sms account uses this top-level authToken." });
  } else {
    for (const { accountId, account } of inheritors) {
      collectSecretInputAssignment({ ...rootToken, owner: owner(accountId, { channel: rootDefaults, account }) });
    }
  }
  for (const [accountId, account] of Object.entries(accounts)) {
    if (!isRecord(account) || !hasOwnProperty(account, "authToken")) continue;
    collectSecretInputAssignment({
      value: account.authToken,
      path: `channels.${CHANNEL_ID}.accounts.${accountId}.authToken`,
      expected: "string",
      defaults,
      context,
      active: enabled && isEnabledFlag(account),
      inactiveReason: "the twilio-sms account is disabled.",
      owner: owner(accountId, { channel: rootDefaults, account }),
      apply: (value) => {
        account.authToken = value;
      },
    });
  }
}
