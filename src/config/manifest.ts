/** The plugin manifest (`openclaw.plugin.json`), derived from the config schema. */
import { CHANNEL_ID } from "./accounts.ts";
import { channelConfigJsonSchema } from "./json-schema.ts";
import { CHANNEL_UI_HINTS } from "./schema.ts";

export function buildManifest() {
  return {
    id: CHANNEL_ID,
    name: "Twilio SMS",
    description: "Carrier SMS through Twilio Programmable Messaging: signed webhooks, pairing, segment-aware replies.",
    channels: [CHANNEL_ID],
    categories: ["channels"],
    // `pairing` loads us in the CLI so `openclaw pairing approve --notify` can text the approved sender.
    activation: { onStartup: false, onChannels: [CHANNEL_ID], onCommands: ["pairing"] },
    configSchema: { type: "object", additionalProperties: false, properties: {} },
    channelConfigs: {
      [CHANNEL_ID]: {
        label: "Twilio SMS",
        description: "Carrier SMS through a Twilio number.",
        schema: channelConfigJsonSchema(),
        uiHints: CHANNEL_UI_HINTS,
      },
    },
  };
}
