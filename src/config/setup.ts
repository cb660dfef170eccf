/**
 * `openclaw channels add --channel twilio-sms --account-sid … --auth-token …
 * --from-number …`: the setup fields (mirrored in package.json
 * `openclaw.channel.setup.fields`) and how they land in config.
 */
import { defineChannelSetupContract } from "openclaw/plugin-sdk/channel-setup";
import type { OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import { CHANNEL_ID, DEFAULT_ACCOUNT_ID } from "./accounts.ts";
import { AccountConfigSchema } from "./schema.ts";

const FIELD_KEYS = ["accountSid", "authToken", "fromNumber", "messagingServiceSid", "publicUrl"] as const;

function pickInput(input: unknown): Record<string, string> {
  const source = (input ?? {}) as Record<string, unknown>;
  const picked: Record<string, string> = {};
  for (const key of FIELD_KEYS) {
    const value = source[key];
    if (typeof value === "string" && value.trim()) picked[key] = value.trim();
  }
  return picked;
}

export const setupContract = defineChannelSetupContract({
  fields: {
    accountSid: { kind: "string", cli: { flags: "--account-sid <sid>", description: "Twilio Account SID (AC…)" } },
    authToken: { kind: "string", sensitive: true, cli: { flags: "--auth-token <token>", description: "Twilio Auth Token" } },
    fromNumber: { kind: "string", cli: { flags: "--from-number <e164>", description: "Twilio phone number in E.164 (+15551234567)" } },
    messagingServiceSid: {
      kind: "string",
      cli: { flags: "--messaging-service-sid <sid>", description: "Twilio Messaging Service SID (MG…)" },
    },
    publicUrl: { kind: "string", cli: { flags: "--public-url <url>", description: "Public webhook URL exactly as configured in Twilio" } },
  },
  adapter: {
    validateInput: ({ input }) => {
      const result = AccountConfigSchema.safeParse(pickInput(input));
      if (result.success) return null;
      return result.error.issues.map((issue) => `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${issue.message}`).join("; ");
    },
    applyAccountConfig: ({ cfg, accountId, input }) => {
      const values = pickInput(input);
      const channels = (cfg.channels ?? {}) as Record<string, unknown>;
      const section = { ...((channels[CHANNEL_ID] ?? {}) as Record<string, unknown>) };
      if (!accountId || accountId === DEFAULT_ACCOUNT_ID) {
        Object.assign(section, values);
      } else {
        const accounts = { ...((section.accounts ?? {}) as Record<string, Record<string, unknown>>) };
        accounts[accountId] = { ...(accounts[accountId] ?? {}), ...values };
        section.accounts = accounts;
      }
      return { ...cfg, channels: { ...channels, [CHANNEL_ID]: section } } as OpenClawConfig;
    },
  },
});
