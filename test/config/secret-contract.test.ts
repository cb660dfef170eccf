import { describe, expect, it } from "vitest";
import { collectRuntimeConfigAssignments, secretTargetRegistryEntries } from "../../src/config/secret-contract.ts";

const envRef = (id: string) => ({ source: "env", provider: "default", id });

function collect(channel: Record<string, unknown>, env: Record<string, string> = {}) {
  const context = { sourceConfig: {}, env, cache: {}, warnings: [], warningKeys: new Set<string>(), assignments: [] } as never as Parameters<
    typeof collectRuntimeConfigAssignments
  >[0]["context"];
  const config = { channels: { "twilio-sms": channel } };
  collectRuntimeConfigAssignments({ config, defaults: undefined, context });
  return {
    config,
    assignments: context.assignments.map((a) => ({ path: a.path, owner: a.ownerId, apply: a.apply })),
    warnings: context.warnings.map((w) => w.path),
  };
}

describe("secret contract", () => {
  it("registers the root and per-account authToken for secrets audit and configure", () => {
    expect(secretTargetRegistryEntries.map((entry) => entry.pathPattern).sort()).toEqual([
      "channels.twilio-sms.accounts.*.authToken",
      "channels.twilio-sms.authToken",
    ]);
    expect(secretTargetRegistryEntries.every((entry) => entry.includeInAudit)).toBe(true);
  });

  it("resolves a root SecretRef for the default account, and applies the value in place", () => {
    const { config, assignments } = collect({ accountSid: "AC1", fromNumber: "+15550001111", authToken: envRef("T") });
    expect(assignments.map(({ path, owner }) => [path, owner])).toEqual([["channels.twilio-sms.authToken", "twilio-sms:default"]]);
    assignments[0]!.apply("resolved");
    expect(config.channels["twilio-sms"].authToken).toBe("resolved");
  });

  it("a root ref is still needed by the default account when every named account has its own token", () => {
    const { assignments } = collect({
      accountSid: "AC1",
      fromNumber: "+15550001111",
      authToken: envRef("ROOT"),
      accounts: { b: { fromNumber: "+15550002222", authToken: envRef("B") }, c: { fromNumber: "+15550003333", authTokenFile: "/tok" } },
    });
    expect(assignments.map(({ path, owner }) => [path, owner])).toEqual([
      ["channels.twilio-sms.authToken", "twilio-sms:default"],
      ["channels.twilio-sms.accounts.b.authToken", "twilio-sms:b"],
    ]);
  });

  it("a named account without a token inherits the root ref; a disabled one is inactive", () => {
    const { assignments, warnings } = collect({
      accountSid: "AC1",
      authToken: envRef("ROOT"),
      accounts: { b: { fromNumber: "+15550002222" }, off: { enabled: false, fromNumber: "+15550003333", authToken: envRef("OFF") } },
    });
    // The root names accountSid, so it is the default account too (see listAccountIds).
    expect(assignments.map(({ owner }) => owner)).toEqual(["twilio-sms:default", "twilio-sms:b"]);
    expect(warnings).toEqual(["channels.twilio-sms.accounts.off.authToken"]);
  });

  it("plain strings are not assignments (nothing to resolve)", () => {
    expect(collect({ accountSid: "AC1", fromNumber: "+15550001111", authToken: "plain" }).assignments).toEqual([]);
  });
});
