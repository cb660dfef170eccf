import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildManifest } from "../../src/config/manifest.ts";
import { ChannelConfigSchema } from "../../src/config/schema.ts";

const manifest = JSON.parse(readFileSync(new URL("../../openclaw.plugin.json", import.meta.url), "utf8"));
const jsonSchema = manifest.channelConfigs["twilio-sms"].schema;

describe("openclaw.plugin.json", () => {
  it("is exactly what the zod schema generates (run `npm run manifest` after editing the schema)", () => {
    expect(manifest).toEqual(JSON.parse(JSON.stringify(buildManifest())));
  });

  it("lists the same keys, at the root and per account, as the runtime schema", () => {
    const zodKeys = Object.keys(ChannelConfigSchema.shape).sort();
    expect(Object.keys(jsonSchema.properties).sort()).toEqual(zodKeys);
    expect(jsonSchema.additionalProperties).toBe(false);
    const accountSchema = jsonSchema.properties.accounts.additionalProperties;
    expect(Object.keys(accountSchema.properties).sort()).toEqual(zodKeys.filter((key) => key !== "accounts" && key !== "defaultAccount"));
    expect(accountSchema.additionalProperties).toBe(false);
  });

  it("agrees with package.json on the channel id and setup fields", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(manifest.id).toBe(pkg.openclaw.channel.id);
    const fieldKeys = pkg.openclaw.channel.setup.fields.map((field: { key: string }) => field.key);
    // --auth-token-env is not a key of its own: it is written as an authToken SecretRef.
    for (const key of fieldKeys.filter((key: string) => key !== "authTokenEnv")) expect(jsonSchema.properties).toHaveProperty(key);
  });
});
