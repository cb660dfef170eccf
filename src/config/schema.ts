/**
 * The `channels.twilio-sms` config, written once in zod. It validates at
 * runtime and is emitted as the JSON schema in `openclaw.plugin.json`
 * (`npm run manifest`; a test keeps the two in step). Defaults live in
 * `accounts.ts`, not here, so a named account can tell "unset, inherit the
 * root value" from "set".
 */
import { z } from "zod";

export const DEFAULT_WEBHOOK_PATH = "/twilio-sms/webhook";
export const DEFAULT_TEXT_CHUNK_LIMIT = 1530;
export const MAX_BODY_CHARS = 1600;
export const DEFAULT_MAX_SEGMENTS_PER_REPLY = 40;
export const DEFAULT_API_BASE_URL = "https://api.twilio.com";
export const DEFAULT_MEDIA_MAX_MB = 5;
export const DEFAULT_MEDIA_MAX_TOTAL_MB = 16;

const SecretRefSchema = z
  .object({
    source: z.enum(["env", "file", "exec", "store"]),
    provider: z.string().min(1),
    id: z.string().min(1),
  })
  .strict()
  .meta({ description: "OpenClaw SecretRef, resolved by the gateway's secrets providers." });

const e164 = (what: string) =>
  z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, { error: `must be ${what} in E.164 form, e.g. +15551234567 (plus sign, country code, no spaces)` });

// The regex is what the manifest's JSON schema can carry; URL.canParse then catches the rest.
const httpUrl = (what: string) => {
  const error = `must be an absolute http(s) URL: ${what}`;
  return z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+/i, { error, abort: true })
    .refine((value) => URL.canParse(value), { error });
};

const megabytes = z
  .number({ error: "must be a number of megabytes, e.g. 5" })
  .positive({ error: "must be more than 0" })
  .max(100, { error: "must be at most 100 (MB)" });

// A bare host name: no scheme, port, path or wildcard, so one entry allows exactly one host.
const hostName = z
  .string()
  .regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, {
    error: "must be a bare host name such as media.example.com (no scheme, port, path or *)",
  });

const positiveInt = z.number().int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" });

const DmPolicySchema = z.enum(["pairing", "allowlist", "open", "disabled"], {
  error: 'must be one of "pairing" (default), "allowlist", "open" (needs allowFrom: ["*"]) or "disabled"',
});

export const AccountConfigSchema = z
  .object({
    enabled: z.boolean().optional().meta({ description: "Set false to keep the account configured but stopped." }),
    name: z.string().min(1).optional().meta({ description: "Display name in status output." }),
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, {
        error: "must be a Twilio Account SID: AC followed by 32 hex characters (Twilio Console → Account info)",
      })
      .optional()
      .meta({ description: "Twilio Account SID (AC…). Env fallback for the default account: TWILIO_ACCOUNT_SID." }),
    authToken: z
      .union([z.string().min(1, { error: "must not be empty; paste the Auth Token from the Twilio Console, or remove the key" }), SecretRefSchema], {
        error: 'must be the Auth Token string or a SecretRef such as {"source":"env","provider":"default","id":"TWILIO_AUTH_TOKEN"}',
      })
      .optional()
      .meta({ description: "Twilio Auth Token, or a SecretRef. Env fallback for the default account: TWILIO_AUTH_TOKEN." }),
    authTokenFile: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Path of a file holding the Auth Token (used when authToken is not set)." }),
    fromNumber: e164("your Twilio phone number")
      .optional()
      .meta({ description: "Twilio number to send from (E.164). Wins over messagingServiceSid. Env: TWILIO_SMS_FROM." }),
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, { error: "must be a Messaging Service SID: MG followed by 32 hex characters" })
      .optional()
      .meta({ description: "Messaging Service to send through (MG…). Env: TWILIO_MESSAGING_SERVICE_SID." }),
    defaultTo: e164("the default recipient")
      .optional()
      .meta({ description: "Recipient used when a send names no target." }),
    publicUrl: httpUrl("the webhook URL exactly as configured in Twilio, e.g. https://sms.example.com/twilio-sms/webhook")
      .optional()
      .meta({
        description:
          "The public webhook URL exactly as entered in Twilio (scheme, host, path, query). Signatures are checked against it.",
      }),
    webhookPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, { error: 'must be a URL path starting with "/", e.g. /twilio-sms/webhook' })
      .optional()
      .meta({ description: `Gateway path that receives Twilio webhooks. Default ${DEFAULT_WEBHOOK_PATH}.` }),
    dmPolicy: DmPolicySchema.optional().meta({
      description: 'Who may text the agent: "pairing" (default), "allowlist", "open" (needs allowFrom ["*"]), "disabled".',
    }),
    allowFrom: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .meta({ description: 'Senders allowed without pairing (E.164), or ["*"] with dmPolicy "open".' }),
    textChunkLimit: z
      .number()
      .int({ error: "must be a whole number of characters" })
      .min(1, { error: "must be at least 1" })
      .max(MAX_BODY_CHARS, { error: `must be at most ${MAX_BODY_CHARS} (Twilio's Body limit)` })
      .optional()
      .meta({ description: `Largest SMS part in characters, 1..${MAX_BODY_CHARS}. Default ${DEFAULT_TEXT_CHUNK_LIMIT} (10 GSM-7 segments).` }),
    maxSegmentsPerReply: positiveInt
      .optional()
      .meta({
        description: `Most segments one reply may bill; a longer reply is cut at a word or sentence and ends with "[…truncated]". Default ${DEFAULT_MAX_SEGMENTS_PER_REPLY} (about 6,000 plain characters).`,
      }),
    dailySegmentsPerRecipient: positiveInt
      .optional()
      .meta({
        description:
          "Most segments sent to one number per UTC day; a reply is cut to what is left and refused once none is. Unset (default): no daily limit. Counted in gateway memory, so a restart starts the day's count again.",
      }),
    partMarkers: z
      .boolean()
      .optional()
      .meta({ description: 'Prefix each part of a multi-part reply with "(1/3) ". Default false.' }),
    smartEncoding: z
      .boolean()
      .optional()
      .meta({
        description:
          "Replace curly quotes, dashes, odd spaces and similar look-alikes with plain GSM-7 characters when that keeps a part out of UCS-2 (2–3× cheaper). Emoji and non-Latin text are never changed. Default true.",
      }),
    limits: z
      .object({
        rejectedPerMinutePerAddress: positiveInt.optional().meta({ description: "Unsigned or invalid webhook requests allowed per client address per minute (default 30)." }),
        messagesPerMinutePerSender: positiveInt.optional().meta({ description: "Accepted texts per sender per minute (default 10)." }),
        messagesPerMinute: positiveInt.optional().meta({ description: "Accepted texts per account per minute (default 120)." }),
        maxConcurrentTurns: positiveInt.optional().meta({ description: "Agent turns running at once per account (default 4); more texts wait in the journal." }),
        maxBacklogPerSender: positiveInt
          .optional()
          .meta({ description: "Texts from one sender journaled and not yet answered, running one included, before that sender's next text gets 429 (default 20)." }),
        maxBacklog: positiveInt
          .optional()
          .meta({ description: "Texts journaled and not yet answered on the account before the next text gets 429 (default 1000)." }),
      })
      .strict()
      .optional()
      .meta({
        description:
          "Webhook budgets. Within them every text is journaled, acknowledged 200 and queued for its turn; past one, Twilio gets 429, which it does not retry by default, so the text is lost.",
      }),
    holdTurns: z
      .boolean()
      .optional()
      .meta({
        description:
          "Maintenance switch: keep acknowledging and journaling texts but start no agent turns; they run, in order, once it is turned off. Default false.",
      }),
    helpReply: z
      .string()
      .min(1)
      .max(MAX_BODY_CHARS)
      .optional()
      .meta({
        description:
          "Reply to HELP/INFO. Unset (default): send nothing and rely on Twilio's own HELP auto-reply, which carrier rules require anyway.",
      }),
    mediaMaxMb: megabytes.optional().meta({
      description: `Largest picture or file taken from an incoming MMS, in MB; a bigger one is skipped and the agent told so. Default ${DEFAULT_MEDIA_MAX_MB}.`,
    }),
    mediaMaxTotalMb: megabytes.optional().meta({
      description: `Most MB taken from one incoming MMS across all its files. Default ${DEFAULT_MEDIA_MAX_TOTAL_MB}.`,
    }),
    deleteMediaAfterDownload: z
      .boolean()
      .optional()
      .meta({
        description:
          "Delete each incoming file from Twilio (its Media resource) once it is saved locally, so Twilio keeps no copy. Default false.",
      }),
    mediaCdnHosts: z
      .array(hostName)
      .optional()
      .meta({
        description:
          "Extra hosts Twilio's media links may redirect to, besides mms.twiliocdn.com, media.twiliocdn.com and s3-external-1.amazonaws.com. Needed only for an emulator (the sandbox sets it); credentials are never sent to these hosts.",
      }),
    apiBaseUrl: httpUrl("Twilio's API origin, e.g. https://api.twilio.com")
      .optional()
      .meta({ description: `Twilio REST API origin. Default ${DEFAULT_API_BASE_URL}; point it at an emulator for local runs.` }),
  })
  .strict();

export type AccountConfig = z.infer<typeof AccountConfigSchema>;

export const ChannelConfigSchema = AccountConfigSchema.extend({
  accounts: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "account ids may use only letters, digits, _ and -" }), AccountConfigSchema)
    .optional()
    .meta({ description: "Named accounts; each takes the same keys as the root, which is the default account." }),
  defaultAccount: z.string().min(1).optional().meta({ description: "Account used when a send names none." }),
})
  .strict()
  .superRefine((config, ctx) => {
    const check = (account: AccountConfig, path: (string | number)[]) => {
      const policy = account.dmPolicy ?? config.dmPolicy;
      const allowFrom = account.allowFrom ?? config.allowFrom ?? [];
      if (policy === "open" && !allowFrom.map(String).includes("*")) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "allowFrom"],
          message: 'must include "*" when dmPolicy is "open" (anyone may text the agent); or use dmPolicy "allowlist"',
        });
      }
    };
    const checkPublicUrl = (account: AccountConfig, path: (string | number)[]) => {
      if (!account.publicUrl || !URL.canParse(account.publicUrl)) return;
      const webhookPath = account.webhookPath ?? DEFAULT_WEBHOOK_PATH;
      const url = new URL(account.publicUrl);
      if (url.pathname === webhookPath) return;
      const key = ["channels", "twilio-sms", ...path].join(".");
      ctx.addIssue({
        code: "custom",
        path: [...path, "publicUrl"],
        message:
          url.pathname === "/"
            ? `has no path, so it can never match the URL Twilio signs; set it to the full webhook URL, e.g. ${url.origin}${webhookPath}`
            : `ends in ${url.pathname} but the gateway listens on ${webhookPath}; set ${key}.publicUrl to ${url.origin}${webhookPath} (the URL entered in Twilio), or ${key}.webhookPath to "${url.pathname}"`,
      });
    };
    check(config, []);
    checkPublicUrl(config, []);
    for (const [id, account] of Object.entries(config.accounts ?? {})) {
      check(account, ["accounts", id]);
      checkPublicUrl(account, ["accounts", id]);
    }
    // Two accounts may share a path only when the number they receive on tells them apart.
    const owners = new Map<string, string>();
    const rootSender = config.fromNumber ?? config.messagingServiceSid;
    if (rootSender) owners.set(`${config.webhookPath ?? DEFAULT_WEBHOOK_PATH}|${rootSender}`, "the root (default) account");
    for (const [id, account] of Object.entries(config.accounts ?? {})) {
      const sender = account.fromNumber ?? account.messagingServiceSid;
      if (!sender) continue;
      const key = `${account.webhookPath ?? DEFAULT_WEBHOOK_PATH}|${sender}`;
      const other = owners.get(key);
      if (other) {
        ctx.addIssue({
          code: "custom",
          path: ["accounts", id, "webhookPath"],
          message: `is ${account.webhookPath ?? `unset (${DEFAULT_WEBHOOK_PATH})`}, the same path and sender as ${other}, so their texts cannot be told apart; give channels.twilio-sms.accounts.${id}.webhookPath its own path`,
        });
      } else owners.set(key, `accounts.${id}`);
    }
    if (config.defaultAccount && config.defaultAccount !== "default" && !config.accounts?.[config.defaultAccount]) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultAccount"],
        message: `names "${config.defaultAccount}", which is not under accounts; add accounts.${config.defaultAccount} or remove defaultAccount`,
      });
    }
  });

export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;

export type ConfigIssue = { path: (string | number)[]; message: string };

/** Validates a `channels.twilio-sms` value; every issue names its full key. */
export function parseChannelConfig(
  value: unknown,
): { success: true; data: ChannelConfig } | { success: false; issues: ConfigIssue[] } {
  const result = ChannelConfigSchema.safeParse(value ?? {});
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    issues: result.error.issues.map((issue) => {
      const path = issue.path.map((part) => (typeof part === "symbol" ? String(part) : part));
      const key = ["channels", "twilio-sms", ...path].join(".");
      const message =
        issue.code === "unrecognized_keys"
          ? `${key}: unknown key(s) ${issue.keys.join(", ")}; ${renamedKeyHint(issue.keys) ?? "remove them (see the README for the supported keys)"}`
          : issue.code === "invalid_key"
            ? `${key}: ${issue.issues.map((inner) => inner.message).join("; ")}`
            : `${key} ${issue.message}`;
      return { path, message };
    }),
  };
}

/** Keys an earlier release had, and what replaced them, so an upgrade's error names the fix. */
export const RENAMED_KEYS: Readonly<Record<string, { under: "limits"; hint: string }>> = {
  maxQueuedTurns: {
    under: "limits",
    hint: "maxQueuedTurns was replaced by maxBacklog (texts waiting in the durable queue, default 1000) and maxBacklogPerSender (default 20); rename or remove it",
  },
};

function renamedKeyHint(keys: readonly string[]): string | undefined {
  const hints = keys.map((key) => RENAMED_KEYS[key]?.hint).filter((hint) => hint !== undefined);
  return hints.length > 0 ? hints.join("; ") : undefined;
}

/** UI hints for the Control UI and setup surfaces (dotted paths; `*` stands for any account id). */
export const CHANNEL_UI_HINTS: Record<string, { label?: string; help?: string; sensitive?: boolean; placeholder?: string }> = {
  "": { label: "Twilio SMS", help: "Carrier SMS through a Twilio number." },
  accountSid: { label: "Account SID", placeholder: "AC…" },
  authToken: { label: "Auth Token", sensitive: true },
  authTokenFile: { label: "Auth Token file" },
  fromNumber: { label: "From number", placeholder: "+15551234567" },
  messagingServiceSid: { label: "Messaging Service SID", placeholder: "MG…" },
  publicUrl: { label: "Public webhook URL", placeholder: "https://sms.example.com/twilio-sms/webhook" },
  "accounts.*.authToken": { label: "Auth Token", sensitive: true },
  "accounts.*.fromNumber": { label: "From number", placeholder: "+15551234567" },
};
