import { defineSetupPluginEntry } from "openclaw/plugin-sdk/channel-core";
import { createTwilioSmsPlugin } from "./channel.ts";

export default defineSetupPluginEntry(createTwilioSmsPlugin());
