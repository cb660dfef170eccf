import { defineSetupPluginEntry } from "openclaw/plugin-sdk/channel-core";
import { twilioSmsPlugin } from "./channel.ts";

export default defineSetupPluginEntry(twilioSmsPlugin);
