/**
 * Resolves `channels.twilio-sms` into fully defaulted accounts. The root is the
 * `default` account; named accounts live under `accounts.<id>` and inherit the
 * root's credentials and policy (so two numbers on one Twilio account need the
 * token once), but never its sender identity or webhook URL. Environment
 * fallbacks apply to the default account only and always lose to config.
 */
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_MEDIA_MAX_MB,
  DEFAULT_MEDIA_MAX_TOTAL_MB,
  DEFAULT_MAX_SEGMENTS_PER_REPLY,
  DEFAULT_TEXT_CHUNK_LIMIT,
  DEFAULT_WEBHOOK_PATH,
  parseChannelConfig,
} from "./schema.ts";
import type { AccountConfig, ChannelConfig } from "./schema.ts";
import { ownsToken, resolveAuthToken } from "./secrets.ts";
import type { TokenSource } from "./secrets.ts";
import { normalizeAllowEntry } from "../phone.ts";

export const CHANNEL_ID = "twilio-sms";
export const DEFAULT_ACCOUNT_ID = "default";

export type LimitSettings = {
  rejectedPerMinutePerAddress: number;
  messagesPerMinutePerSender: number;
  messagesPerMinute: number;
  maxConcurrentTurns: number;
  maxBacklogPerSender: number;
  maxBacklog: number;
};

export const DEFAULT_LIMITS: LimitSettings = {
  rejectedPerMinutePerAddress: 30,
  messagesPerMinutePerSender: 10,
  messagesPerMinute: 120,
  maxConcurrentTurns: 4,
  maxBacklogPerSender: 20,
  maxBacklog: 1000,
};

export type MediaSettings = {
  /** Largest single incoming file, in bytes. */
  maxBytes: number;
  /** Most bytes taken from one incoming message. */
  maxTotalBytes: number;
  deleteAfterDownload: boolean;
  /** Redirect hosts allowed on top of Twilio's own media hosts. */
  cdnHosts: string[];
};

export type DmPolicy = "pairing" | "allowlist" | "open" | "disabled";

/** Only these names are read, and only for the default account. */
export type TwilioEnv = {
  TWILIO_ACCOUNT_SID?: string | undefined;
  TWILIO_AUTH_TOKEN?: string | undefined;
  TWILIO_SMS_FROM?: string | undefined;
  TWILIO_MESSAGING_SERVICE_SID?: string | undefined;
};

export type Sender = { kind: "number"; fromNumber: string } | { kind: "service"; messagingServiceSid: string };

export type ResolvedAccount = {
  accountId: string;
  name: string | undefined;
  enabled: boolean;
  /** True when credentials and a sender are all present and the config is valid. */
  configured: boolean;
  /**
   * "invalid": the operator configured this account but something in it cannot
   * work (the gateway reports it as failing, never as "not configured").
   */
  configState: "ready" | "invalid" | "unconfigured";
  /** Human-readable reasons the account cannot run, each naming the key and the fix. */
  problems: string[];
  accountSid: string | undefined;
  /** The resolved token. Never copy it into status, logs or errors. */
  authToken: string | undefined;
  tokenSource: TokenSource;
  /** The key the token is configured at: a named account without its own token uses the root's. */
  tokenKey: string;
  fromNumber: string | undefined;
  messagingServiceSid: string | undefined;
  sender: Sender | undefined;
  defaultTo: string | undefined;
  publicUrl: string | undefined;
  webhookPath: string;
  dmPolicy: DmPolicy;
  allowFrom: string[];
  textChunkLimit: number;
  maxSegmentsPerReply: number;
  /** Undefined: no daily limit. */
  dailySegmentsPerRecipient: number | undefined;
  partMarkers: boolean;
  smartEncoding: boolean;
  apiBaseUrl: string;
  limits: LimitSettings;
  helpReply: string | undefined;
  holdTurns: boolean;
  media: MediaSettings;
};

const MB = 1024 * 1024;

type ConfigLike = { channels?: Record<string, unknown> | undefined };

export function readChannelSection(cfg: ConfigLike | undefined): unknown {
  return cfg?.channels?.[CHANNEL_ID];
}

const INHERITED_KEYS = [
  "accountSid",
  "authToken",
  "authTokenFile",
  "apiBaseUrl",
  "dmPolicy",
  "allowFrom",
  "textChunkLimit",
  "maxSegmentsPerReply",
  "dailySegmentsPerRecipient",
  "partMarkers",
  "smartEncoding",
  "limits",
  "helpReply",
  "holdTurns",
  "mediaMaxMb",
  "mediaMaxTotalMb",
  "deleteMediaAfterDownload",
  "mediaCdnHosts",
] as const;

function envFallbacks(env: TwilioEnv): AccountConfig {
  const pick = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  const fallback: AccountConfig = {};
  const sid = pick(env.TWILIO_ACCOUNT_SID);
  const from = pick(env.TWILIO_SMS_FROM);
  const service = pick(env.TWILIO_MESSAGING_SERVICE_SID);
  if (sid) fallback.accountSid = sid;
  if (from) fallback.fromNumber = from;
  if (service) fallback.messagingServiceSid = service;
  return fallback;
}

function hasOwnSender(account: AccountConfig): boolean {
  return Boolean(account.fromNumber || account.messagingServiceSid || account.accountSid);
}

/**
 * Lists account ids: `default` when the root (or the environment) configures
 * anything or no named accounts exist, plus every named account.
 */
export function listAccountIds(section: unknown, env: TwilioEnv): string[] {
  const config = (section ?? {}) as ChannelConfig;
  const named = Object.keys(config.accounts ?? {});
  const rootUsed = hasOwnSender(config) || hasOwnSender(envFallbacks(env)) || Boolean(config.authToken);
  const ids = rootUsed || named.length === 0 ? [DEFAULT_ACCOUNT_ID] : [];
  for (const id of named) if (!ids.includes(id)) ids.push(id);
  return ids;
}

export function defaultAccountId(section: unknown, env: TwilioEnv): string {
  const config = (section ?? {}) as ChannelConfig;
  const ids = listAccountIds(section, env);
  if (config.defaultAccount && ids.includes(config.defaultAccount)) return config.defaultAccount;
  return ids[0] ?? DEFAULT_ACCOUNT_ID;
}

export function resolveAccount(
  section: unknown,
  accountId: string | null | undefined,
  env: TwilioEnv,
  readFile?: (path: string) => string,
): ResolvedAccount {
  const id = accountId?.trim() || defaultAccountId(section, env);
  const parsed = parseChannelConfig(section);
  // Another account's mistake is that account's problem, not this one's.
  const problems = parsed.success
    ? []
    : parsed.issues.filter((issue) => issue.path[0] !== "accounts" || issue.path[1] === id).map((issue) => issue.message);
  const root: ChannelConfig = parsed.success ? parsed.data : ((section ?? {}) as ChannelConfig);

  const own: AccountConfig = id === DEFAULT_ACCOUNT_ID ? { ...root, ...(root.accounts?.[id] ?? {}) } : (root.accounts?.[id] ?? {});
  const merged: AccountConfig = { ...own };
  if (id !== DEFAULT_ACCOUNT_ID) {
    const ownToken = ownsToken(own);
    for (const key of INHERITED_KEYS) {
      if ((key === "authToken" || key === "authTokenFile") && ownToken) continue;
      if (merged[key] === undefined && root[key] !== undefined) (merged as Record<string, unknown>)[key] = root[key];
    }
  }
  const env_ = id === DEFAULT_ACCOUNT_ID ? envFallbacks(env) : {};
  const accountSid = merged.accountSid ?? env_.accountSid;
  const fromNumber = merged.fromNumber ?? (merged.messagingServiceSid ? undefined : env_.fromNumber);
  const messagingServiceSid = merged.messagingServiceSid ?? (merged.fromNumber ? undefined : env_.messagingServiceSid);

  const keyPrefix = id === DEFAULT_ACCOUNT_ID ? "channels.twilio-sms" : `channels.twilio-sms.accounts.${id}`;
  const tokenKey = `${id !== DEFAULT_ACCOUNT_ID && !ownsToken(own) ? "channels.twilio-sms" : keyPrefix}.authToken`;
  const token = resolveAuthToken({
    authToken: merged.authToken,
    authTokenFile: merged.authTokenFile,
    envToken: id === DEFAULT_ACCOUNT_ID ? env.TWILIO_AUTH_TOKEN : undefined,
    path: tokenKey,
    readFile,
  });

  if (!accountSid) problems.push(`${keyPrefix}.accountSid is not set; add your Twilio Account SID (AC…) or set TWILIO_ACCOUNT_SID`);
  if (token.status === "unavailable") {
    problems.push(
      token.source === "missing"
        ? `${keyPrefix}.authToken is not set; add the Auth Token, a SecretRef, authTokenFile, or TWILIO_AUTH_TOKEN`
        : token.reason,
    );
  }
  if (!fromNumber && !messagingServiceSid) {
    problems.push(`${keyPrefix}.fromNumber is not set; add your Twilio number (E.164) or a messagingServiceSid`);
  }

  const sender: Sender | undefined = fromNumber
    ? { kind: "number", fromNumber }
    : messagingServiceSid
      ? { kind: "service", messagingServiceSid }
      : undefined;

  // Anything the operator wrote for this account (or a named account's mere
  // existence) means they meant it to run.
  const attempted =
    id !== DEFAULT_ACCOUNT_ID ||
    Boolean(accountSid || fromNumber || messagingServiceSid || merged.authToken || merged.authTokenFile || token.status === "available") ||
    !parsed.success;
  const configState = problems.length === 0 ? "ready" : attempted ? "invalid" : "unconfigured";

  return {
    accountId: id,
    name: merged.name,
    enabled: merged.enabled !== false && (id === DEFAULT_ACCOUNT_ID || root.enabled !== false),
    configured: problems.length === 0,
    configState,
    problems,
    accountSid,
    authToken: token.status === "available" ? token.value : undefined,
    tokenSource: token.source,
    tokenKey,
    fromNumber,
    messagingServiceSid,
    sender,
    defaultTo: merged.defaultTo,
    publicUrl: merged.publicUrl,
    webhookPath: merged.webhookPath ?? DEFAULT_WEBHOOK_PATH,
    dmPolicy: merged.dmPolicy ?? "pairing",
    allowFrom: (merged.allowFrom ?? []).map((entry) => normalizeAllowEntry(String(entry))),
    textChunkLimit: merged.textChunkLimit ?? DEFAULT_TEXT_CHUNK_LIMIT,
    maxSegmentsPerReply: merged.maxSegmentsPerReply ?? DEFAULT_MAX_SEGMENTS_PER_REPLY,
    dailySegmentsPerRecipient: merged.dailySegmentsPerRecipient,
    partMarkers: merged.partMarkers ?? false,
    smartEncoding: merged.smartEncoding ?? true,
    apiBaseUrl: (merged.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, ""),
    limits: { ...DEFAULT_LIMITS, ...merged.limits },
    helpReply: merged.helpReply,
    holdTurns: merged.holdTurns === true,
    media: {
      maxBytes: Math.floor((merged.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB) * MB),
      maxTotalBytes: Math.floor((merged.mediaMaxTotalMb ?? DEFAULT_MEDIA_MAX_TOTAL_MB) * MB),
      deleteAfterDownload: merged.deleteMediaAfterDownload === true,
      cdnHosts: (merged.mediaCdnHosts ?? []).map((host) => host.toLowerCase()),
    },
  };
}
