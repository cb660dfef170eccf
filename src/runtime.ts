/** The SDK runtime slot: the only module-level state in the package. */
import { createPluginRuntimeStore } from "openclaw/plugin-sdk/runtime-store";
import type { PluginRuntime } from "openclaw/plugin-sdk/runtime-store";

export const PLUGIN_ID = "twilio-sms";

export const runtimeStore = createPluginRuntimeStore<PluginRuntime>({
  pluginId: PLUGIN_ID,
  errorMessage: "twilio-sms: the plugin runtime is not ready (the gateway has not loaded the channel yet)",
});
