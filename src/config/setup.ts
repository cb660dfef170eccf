/**
 * `openclaw channels add --channel twilio-sms --account-sid … --from-number …`
 * plus one token source (`--auth-token-env NAME`, `--auth-token-file PATH` or
 * `--auth-token …`): the setup fields (mirrored in package.json
 * `openclaw.channel.setup.fields`), how they land in config, and what the
 * wizard refuses or warns about before the gateway ever sees the account.
 */
import { defineChannelSetupContract } from "openclaw/plugin-sdk/channel-setup";
import type { OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import { CHANNEL_ID, DEFAULT_ACCOUNT_ID, readChannelSection, resolveAccount } from "./accounts.ts";
import type { ResolvedAccount, TwilioEnv } from "./accounts.ts";
import { AccountConfigSchema } from "./schema.ts";

const FIELD_KEYS = ["accountSid", "authToken", "authTokenFile", "authTokenEnv", "fromNumber", "messagingServiceSid", "publicUrl"] as const;
const TOKEN_KEYS = ["authToken", "authTokenFile", "authTokenEnv"] as const;
// The host's env SecretRef id grammar.
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

type SetupInput = Partial<Record<(typeof FIELD_KEYS)[number], string>>;

function pickInput(input: unknown): SetupInput {
  const source = (input ?? {}) as Record<string, unknown>;
  const picked: SetupInput = {};
  for (const key of FIELD_KEYS) {
    const value = source[key];
    if (typeof value === "string" && value.trim()) picked[key] = value.trim();
  }
  return picked;
}

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Refusals: values that would leave the account unable to start. Null when the input is usable. */
export function validateSetupInput(input: unknown, existing: { webhookPath?: string | undefined } = {}): string | null {
  const values = pickInput(input);
  const problems: string[] = [];
  const tokenFlags = TOKEN_KEYS.filter((key) => values[key] !== undefined);
  if (tokenFlags.length > 1) problems.push(`give one token source, not ${tokenFlags.map(flag).join(" and ")}`);
  if (values.authTokenEnv !== undefined && !ENV_NAME.test(values.authTokenEnv)) {
    problems.push(`${flag("authTokenEnv")} must be an environment variable name such as TWILIO_AUTH_TOKEN (capitals, digits, _)`);
  }
  const { authTokenEnv: _env, ...schemaInput } = values;
  const result = AccountConfigSchema.safeParse(schemaInput);
  if (!result.success) problems.push(...result.error.issues.map((issue) => `${flag(String(issue.path[0]))} ${issue.message}`));
  else if (values.publicUrl) {
    const url = new URL(values.publicUrl);
    const webhookPath = existing.webhookPath ?? "/twilio-sms/webhook";
    if (url.pathname === "/") {
      problems.push(`--public-url has no path, so it can never match the URL Twilio signs; use ${url.origin}${webhookPath}`);
    } else if (url.pathname !== webhookPath) {
      problems.push(`--public-url ends in ${url.pathname} but the account listens on ${webhookPath}; use ${url.origin}${webhookPath}, or set webhookPath to "${url.pathname}" first`);
    }
  }
  return problems.length > 0 ? problems.join("; ") : null;
}

/** Warnings: the account will run, but something deserves a second look. */
export function setupWarnings(input: unknown, account: ResolvedAccount): string[] {
  const values = pickInput(input);
  const where = account.accountId === DEFAULT_ACCOUNT_ID ? "channels.twilio-sms" : `channels.twilio-sms.accounts.${account.accountId}`;
  const warnings: string[] = [];
  if (values.publicUrl?.startsWith("http://")) {
    warnings.push(`${where}.publicUrl is http://: texts and the signature travel unencrypted; use the https:// URL of your tunnel or proxy`);
  }
  if (values.authToken !== undefined) {
    warnings.push(
      `${where}.authToken is stored as plain text in openclaw.json; prefer ${flag("authTokenEnv")} TWILIO_AUTH_TOKEN or ${flag("authTokenFile")} <path>, or run openclaw secrets configure to move it`,
    );
  }
  if (account.tokenSource === "missing") {
    warnings.push(
      `${where} has no Auth Token, so it will not start; add one with ${flag("authTokenEnv")} <NAME>, ${flag("authTokenFile")} <path>${account.accountId === DEFAULT_ACCOUNT_ID ? ", or TWILIO_AUTH_TOKEN in the gateway's environment" : ""}`,
    );
  }
  if (!account.publicUrl) {
    warnings.push(`${where}.publicUrl is not set; add ${flag("publicUrl")} with the https URL entered in Twilio, or every webhook behind a proxy or tunnel fails with 403`);
  }
  return warnings;
}

export const createSetupContract = (env: () => TwilioEnv) =>
  defineChannelSetupContract({
  fields: {
    accountSid: { kind: "string", cli: { flags: "--account-sid <sid>", description: "Twilio Account SID (AC…)" } },
    authTokenEnv: {
      kind: "string",
      cli: { flags: "--auth-token-env <name>", description: "Read the Auth Token from this environment variable of the gateway (stored as a SecretRef)" },
    },
    authTokenFile: { kind: "string", cli: { flags: "--auth-token-file <path>", description: "Read the Auth Token from this file" } },
    authToken: {
      kind: "string",
      sensitive: true,
      cli: { flags: "--auth-token <token>", description: "Twilio Auth Token, stored as plain text (prefer --auth-token-env or --auth-token-file)" },
    },
    fromNumber: { kind: "string", cli: { flags: "--from-number <e164>", description: "Twilio phone number in E.164 (+15551234567)" } },
    messagingServiceSid: {
      kind: "string",
      cli: { flags: "--messaging-service-sid <sid>", description: "Twilio Messaging Service SID (MG…)" },
    },
    publicUrl: { kind: "string", cli: { flags: "--public-url <url>", description: "Public https webhook URL exactly as configured in Twilio" } },
  },
  adapter: {
    validateInput: ({ cfg, accountId, input }) => {
      const section = (readChannelSection(cfg) ?? {}) as { webhookPath?: string; accounts?: Record<string, { webhookPath?: string }> };
      const named = accountId && accountId !== DEFAULT_ACCOUNT_ID;
      return validateSetupInput(input, { webhookPath: named ? section.accounts?.[accountId]?.webhookPath : section.webhookPath });
    },
    applyAccountConfig: ({ cfg, accountId, input }) => {
      const { authTokenEnv, ...values } = pickInput(input);
      const entry: Record<string, unknown> = { ...values };
      if (authTokenEnv) entry.authToken = { source: "env", provider: "default", id: authTokenEnv };
      const channels = (cfg.channels ?? {}) as Record<string, unknown>;
      const section = { ...((channels[CHANNEL_ID] ?? {}) as Record<string, unknown>) };
      const named = accountId && accountId !== DEFAULT_ACCOUNT_ID;
      const target = named ? { ...((section.accounts as Record<string, Record<string, unknown>> | undefined)?.[accountId] ?? {}) } : section;
      // A new token source replaces the old one: authToken would otherwise win over a new authTokenFile.
      if (TOKEN_KEYS.some((key) => pickInput(input)[key] !== undefined)) {
        delete target.authToken;
        delete target.authTokenFile;
      }
      Object.assign(target, entry);
      if (named) section.accounts = { ...((section.accounts ?? {}) as Record<string, unknown>), [accountId]: target };
      return { ...cfg, channels: { ...channels, [CHANNEL_ID]: section } } as OpenClawConfig;
    },
    afterAccountConfigWritten: ({ cfg, accountId, input, runtime }) => {
      const account = resolveAccount(readChannelSection(cfg), accountId, env());
      for (const warning of setupWarnings(input, account)) runtime.log(`Warning: ${warning}`);
    },
  },
});
