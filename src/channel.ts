/**
 * The one channel adapter object. Wiring only: every capability the channel
 * has is listed here, built from the modules that own it. This is the only
 * module that reads `process.env`.
 */
import { createChatChannelPlugin } from "openclaw/plugin-sdk/channel-core";
import type { OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import { createEmptyChannelDirectoryAdapter } from "openclaw/plugin-sdk/directory-runtime";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import {
  createComputedAccountStatusAdapter,
  createDefaultChannelRuntimeState,
} from "openclaw/plugin-sdk/status-helpers";
import {
  CHANNEL_ID,
  DEFAULT_ACCOUNT_ID,
  defaultAccountId,
  listAccountIds,
  readChannelSection,
  resolveAccount,
} from "./config/accounts.ts";
import type { ResolvedAccount, TwilioEnv } from "./config/accounts.ts";
import { channelConfigJsonSchema } from "./config/json-schema.ts";
import { CHANNEL_UI_HINTS, parseChannelConfig } from "./config/schema.ts";
import { collectRuntimeConfigAssignments, secretTargetRegistryEntries } from "./config/secret-contract.ts";
import { createSetupContract } from "./config/setup.ts";
import { createRuntimeRegistry } from "./account-runtime.ts";
import { createGatewayAdapter } from "./gateway.ts";
import { createWebhookRoutes } from "./webhook/paths.ts";
import { APPROVED_REPLY } from "./webhook/approvals.ts";
import { collectWarnings, doctorLines, officialSmsPluginPresent, warningsForAccount } from "./status/warnings.ts";
import { createOutboundAdapter } from "./outbound/adapter.ts";
import { runtimeStore } from "./runtime.ts";
import { normalizeAllowEntry, parseTarget, TARGET_PREFIX } from "./phone.ts";
import { describeAccountExtras } from "./status/snapshot.ts";
import { describeStartFailure } from "./status/start-failure.ts";
import { collectStatusIssues } from "./status/issues.ts";
import { createTwilioClient } from "./twilio/client.ts";
import { formatProbe, probeAccount } from "./status/probe.ts";
import type { ProbeResult } from "./status/probe.ts";

const env = (): TwilioEnv => process.env;

const allAccounts = (cfg: OpenClawConfig) => listAccountIds(readChannelSection(cfg), env()).map((id) => resolve(cfg, id));

function warningsFor(cfg: OpenClawConfig, accountId: string) {
  return warningsForAccount(collectWarnings(allAccounts(cfg), { officialSmsPluginPresent: officialSmsPluginPresent(cfg) }), accountId);
}

/** For runtimes opened for one send, outside any account's log: only problems are worth a line. */
const quietLog = {
  info: () => undefined,
  warn: (message: string) => console.warn(`[twilio-sms] ${message}`),
  error: (message: string) => console.error(`[twilio-sms] ${message}`),
};

const resolve = (cfg: OpenClawConfig, accountId?: string | null): ResolvedAccount =>
  resolveAccount(readChannelSection(cfg), accountId, env());

/**
 * Builds the channel. Each plugin object owns its webhook route table and the
 * registry of its running account runtimes, so nothing outlives it at module level.
 */
export function createTwilioSmsPlugin() {
  const stateDir = () => resolveStateDir(process.env);
  const routes = createWebhookRoutes();
  const runtimes = createRuntimeRegistry({ stateDir, log: quietLog });
  const outbound = createOutboundAdapter({ resolveAccount: resolve, send: runtimes.send, sendMedia: runtimes.sendMedia });
  const gateway = createGatewayAdapter({ runtime: runtimeStore.getRuntime, warnings: warningsFor, stateDir, runtimes, routes });

  async function probe(account: ResolvedAccount, timeoutMs: number | undefined): Promise<ProbeResult> {
    const client = createTwilioClient(
      { accountSid: account.accountSid ?? "", authToken: account.authToken ?? "", apiBaseUrl: account.apiBaseUrl },
      timeoutMs === undefined ? {} : { timeoutMs },
    );
    try {
      return await probeAccount(account, client, Date.now());
    } finally {
      client.close();
    }
  }

  return createChatChannelPlugin<ResolvedAccount, ProbeResult>({
    base: {
      id: CHANNEL_ID,
      meta: {
        id: CHANNEL_ID,
        label: "Twilio SMS",
        selectionLabel: "Twilio SMS (carrier text messages)",
        detailLabel: "Twilio SMS",
        docsPath: "/channels/twilio-sms",
        docsLabel: "twilio-sms",
        blurb: "Text your agent from any phone through a Twilio number.",
        markdownCapable: false,
      },
      capabilities: { chatTypes: ["direct"], media: true, reactions: false, threads: false, blockStreaming: false },
      // Resolving an account reads the root and that account only, and each account owns its own runtime.
      reload: { configPrefixes: [`channels.${CHANNEL_ID}`], accountScopedRestart: true },
      configSchema: {
        schema: channelConfigJsonSchema(),
        uiHints: CHANNEL_UI_HINTS,
        runtime: { safeParse: (value: unknown) => parseChannelConfig(value) },
      },
      setupContract: createSetupContract(env),
      config: {
        listAccountIds: (cfg) => listAccountIds(readChannelSection(cfg), env()),
        resolveAccount: resolve,
        defaultAccountId: (cfg) => defaultAccountId(readChannelSection(cfg), env()),
        // Read-only surfaces (security audit, doctor) judge the account from this, so it carries the
        // real dmPolicy and allowFrom; only the token itself is left out.
        inspectAccount: (cfg, accountId) => {
          const account = resolve(cfg, accountId);
          return {
            ...account,
            authToken: undefined,
            tokenStatus: account.authToken ? "available" : account.tokenSource === "secret-ref" ? "configured_unavailable" : "missing",
          };
        },
        isEnabled: (account) => account.enabled,
        // An invalid account counts as configured so the gateway starts it and it can report why it cannot run.
        isConfigured: (account) => account.configState !== "unconfigured",
        unconfiguredReason: (account) => account.problems.join("; "),
        describeAccount: (account) => ({
          accountId: account.accountId,
          name: account.name ?? account.accountId,
          enabled: account.enabled,
          configured: account.configState !== "unconfigured",
          ...(account.configState === "invalid" ? { lastError: describeStartFailure(account) } : {}),
        }),
        resolveAllowFrom: ({ cfg, accountId }) => resolve(cfg, accountId).allowFrom,
        formatAllowFrom: ({ allowFrom }) => allowFrom.map((entry) => normalizeAllowEntry(String(entry))),
        resolveDefaultTo: ({ cfg, accountId }) => resolve(cfg, accountId).defaultTo,
        hasConfiguredState: ({ cfg }) => listAccountIds(readChannelSection(cfg), env()).some((id) => resolve(cfg, id).configured),
      },
      secrets: { secretTargetRegistryEntries, collectRuntimeConfigAssignments },
      messaging: {
        targetPrefixes: [TARGET_PREFIX],
        normalizeTarget: (raw) => {
          try {
            return parseTarget(raw);
          } catch {
            return undefined;
          }
        },
        inferTargetChatType: () => "direct",
        targetResolver: {
          looksLikeId: (raw) => /^(twilio:)?\s*\+?[\d\s().-]{7,}$/i.test(raw.trim()),
          hint: "an E.164 phone number such as +15551230001 (or twilio:+15551230001)",
          // Runs after the (empty) directory misses. Throwing our own error here keeps the host's
          // "Unknown target <raw>" message, which echoes the full number into openclaw.log, from being built.
          resolveTarget: async ({ input }) => ({ to: parseTarget(input), kind: "user" }),
        },
      },
      directory: createEmptyChannelDirectoryAdapter(),
      status: createComputedAccountStatusAdapter<ResolvedAccount, ProbeResult>({
        probeAccount: ({ account, timeoutMs }) => probe(account, timeoutMs),
        formatCapabilitiesProbe: ({ probe }) => formatProbe(probe).map((text) => ({ text })),
        defaultRuntime: createDefaultChannelRuntimeState(DEFAULT_ACCOUNT_ID),
        collectStatusIssues,
        resolveAccountSnapshot: ({ account, runtime, probe }) => ({
          accountId: account.accountId,
          name: account.name ?? account.accountId,
          enabled: account.enabled,
          configured: account.configState !== "unconfigured",
          ...(account.configState === "invalid" ? { lastError: describeStartFailure(account) } : {}),
          extra: {
            ...describeAccountExtras(account),
            // The gateway publishes delivery and queue facts as the runtime's `application` patch.
            ...pickApplication(runtime?.application),
            // A running webhook is not a connection to Twilio: after a probe, "connected" means Twilio accepted these credentials.
            ...(probe && !probe.twilioAnswered ? { connected: false } : {}),
          },
        }),
      }),
      gateway,
      doctor: {
        dmAllowFromMode: "topOnly",
        // Never let `doctor --fix` "repair" an open policy by adding "*": that opens the number to
        // everyone. The host reads this capability from the loaded plugin (and package.json), though
        // the SDK's adapter type does not list it yet.
        ...{ openDmRequiresAllowFromWildcard: false },
        collectPreviewWarnings: ({ cfg }) => doctorLines(allAccounts(cfg), { officialSmsPluginPresent: officialSmsPluginPresent(cfg) }),
      },
      agentPrompt: {
        messageToolHints: () => [
          "Twilio SMS is plain text: no Markdown or tables render. Keep replies short; every 153 characters (67 with emoji or non-Latin text) is a billed segment. Pictures (JPEG, PNG, GIF up to 5 MB, up to 10 per message) go out as MMS, billed per message, to US and Canadian numbers; elsewhere the texter gets a link instead.",
        ],
      },
    },
    security: {
      dm: {
        channelKey: CHANNEL_ID,
        resolvePolicy: (account) => account.dmPolicy,
        resolveAllowFrom: (account) => account.allowFrom,
        defaultPolicy: "pairing",
        policyPathSuffix: "dmPolicy",
        approveHint: "openclaw pairing approve twilio-sms <code>",
        normalizeEntry: normalizeAllowEntry,
      },
      collectWarnings: ({ cfg, account }) =>
        warningsFor(cfg, account.accountId).map(({ checkId, severity, title, detail, remediation }) => ({ checkId, severity, title, detail, remediation })),
    },
    pairing: {
      text: {
        idLabel: "phone number",
        message: APPROVED_REPLY,
        normalizeAllowEntry: (entry) => normalizeAllowEntry(entry),
        notify: async ({ cfg, id, accountId, message }) => {
          await runtimes.send({ account: resolve(cfg, accountId ?? DEFAULT_ACCOUNT_ID), to: parseTarget(id), text: message });
        },
      },
    },
    outbound,
  });
}

function pickApplication(application: unknown): Record<string, unknown> {
  const { deliveries, queue } = (application ?? {}) as { deliveries?: unknown; queue?: unknown };
  return { ...(deliveries === undefined ? {} : { deliveries }), ...(queue === undefined ? {} : { queue }) };
}
