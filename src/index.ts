import { defineChannelPluginEntry } from "openclaw/plugin-sdk/channel-core";
import { createTwilioSmsPlugin } from "./channel.ts";
import { PLUGIN_ID, runtimeStore } from "./runtime.ts";

export default defineChannelPluginEntry({
  id: PLUGIN_ID,
  name: "Twilio SMS",
  description: "Carrier SMS through Twilio Programmable Messaging.",
  plugin: createTwilioSmsPlugin(),
  setRuntime: runtimeStore.setRuntime,
});
