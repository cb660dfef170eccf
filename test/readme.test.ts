// Every json5 config block in the README is complete and works as written: it
// passes the manifest schema through the validator `openclaw config validate`
// uses (the host's own) and our runtime schema, and once the gateway's secrets runtime has
// resolved its SecretRefs (our collector, with the variable exported), every
// account it declares is ready to start.
import { readFileSync } from "node:fs";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { listAccountIds, resolveAccount } from "../src/config/accounts.ts";
import { collectRuntimeConfigAssignments } from "../src/config/secret-contract.ts";
import { channelConfigJsonSchema } from "../src/config/json-schema.ts";
import { parseChannelConfig } from "../src/config/schema.ts";
import { hostSchemaErrors } from "./support/host-schema-validator.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```json5\n([\s\S]*?)```/g)].map((match) => match[1]!);
const env = { TWILIO_AUTH_TOKEN: "readme-token" };

/** Resolves env SecretRefs the way the gateway does before the plugin sees the config. */
function materialize(section: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(section);
  const context = { sourceConfig: {}, env, cache: {}, warnings: [], warningKeys: new Set<string>(), assignments: [] } as never as Parameters<
    typeof collectRuntimeConfigAssignments
  >[0]["context"];
  collectRuntimeConfigAssignments({ config: { channels: { "twilio-sms": copy } }, defaults: undefined, context });
  for (const assignment of context.assignments) {
    expect(assignment.ref.source, assignment.path).toBe("env");
    assignment.apply(env[assignment.ref.id as keyof typeof env]);
  }
  return copy;
}

describe("README config blocks", () => {
  it("has config blocks", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((block, index) => [index + 1, block] as const))("block %i validates and starts every account", (_n, block) => {
    const parsed = JSON5.parse(block) as { channels?: Record<string, Record<string, unknown>> };
    const section = parsed.channels?.["twilio-sms"];
    expect(section, "a block must be a complete config with channels.twilio-sms").toBeDefined();

    expect(hostSchemaErrors(channelConfigJsonSchema(), section)).toEqual([]);
    const runtime = parseChannelConfig(section);
    expect(runtime.success, runtime.success ? "" : runtime.issues.map((issue) => issue.message).join("\n")).toBe(true);

    const resolved = materialize(section!);
    for (const id of listAccountIds(resolved, {})) {
      const account = resolveAccount(resolved, id, {}, () => "token-from-file\n");
      expect(account.problems, id).toEqual([]);
      expect(account.configState, id).toBe("ready");
    }
  });
});
