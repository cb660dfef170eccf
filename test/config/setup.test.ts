import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/config/accounts.ts";
import { createSetupContract, setupWarnings, validateSetupInput } from "../../src/config/setup.ts";

const SID = `AC${"0".repeat(32)}`;
const contract = createSetupContract(() => ({}));
const apply = (input: Record<string, string>, accountId = "default", cfg: Record<string, unknown> = {}) =>
  contract.applyAccountConfig({ cfg: cfg as never, accountId, input: input as never }) as { channels: Record<string, Record<string, unknown>> };

describe("channels add: refusals", () => {
  it("accepts a complete, consistent input", () => {
    expect(validateSetupInput({ accountSid: SID, authTokenEnv: "TWILIO_AUTH_TOKEN", fromNumber: "+15550001111", publicUrl: "https://sms.example.com/twilio-sms/webhook" })).toBeNull();
  });

  it("refuses a publicUrl with no path, and one whose path is not the webhook path, giving the URL to use", () => {
    expect(validateSetupInput({ publicUrl: "https://sms.example.com" })).toMatch(/--public-url has no path.*use https:\/\/sms\.example\.com\/twilio-sms\/webhook/);
    expect(validateSetupInput({ publicUrl: "https://sms.example.com/sms" }, { webhookPath: "/hooks/a" })).toMatch(/ends in \/sms but the account listens on \/hooks\/a/);
  });

  it("refuses two token sources and a bad variable name", () => {
    expect(validateSetupInput({ authToken: "x", authTokenFile: "/t" })).toMatch(/give one token source, not --auth-token and --auth-token-file/);
    expect(validateSetupInput({ authTokenEnv: "twilio token" })).toMatch(/--auth-token-env must be an environment variable name/);
  });

  it("names the flag in schema errors", () => {
    expect(validateSetupInput({ fromNumber: "555" })).toMatch(/^--from-number must be your Twilio phone number in E\.164 form/);
  });
});

describe("channels add: what lands in config", () => {
  it("--auth-token-env becomes an env SecretRef, never a plaintext token", () => {
    const cfg = apply({ accountSid: SID, authTokenEnv: "TWILIO_AUTH_TOKEN", fromNumber: "+15550001111" });
    expect(cfg.channels["twilio-sms"]).toEqual({
      accountSid: SID,
      authToken: { source: "env", provider: "default", id: "TWILIO_AUTH_TOKEN" },
      fromNumber: "+15550001111",
    });
  });

  it("a new token source replaces the old one on a named account", () => {
    const before = { channels: { "twilio-sms": { accounts: { b: { authToken: "old", fromNumber: "+15550001111" } } } } };
    const cfg = apply({ authTokenFile: "/run/secrets/twilio" }, "b", before);
    expect(cfg.channels["twilio-sms"]!.accounts).toEqual({ b: { authTokenFile: "/run/secrets/twilio", fromNumber: "+15550001111" } });
  });
});

describe("channels add: warnings", () => {
  const warningsFor = (input: Record<string, string>) => {
    const cfg = apply(input);
    return setupWarnings(input, resolveAccount(cfg.channels["twilio-sms"], "default", {}));
  };

  it("warns on http://, a plaintext token, and a missing token source", () => {
    expect(warningsFor({ accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: "http://sms.example.com/twilio-sms/webhook" })).toEqual([
      expect.stringMatching(/channels\.twilio-sms\.publicUrl is http:\/\/.*use the https:\/\//),
      expect.stringMatching(/channels\.twilio-sms\.authToken is stored as plain text .*--auth-token-env TWILIO_AUTH_TOKEN or --auth-token-file/),
    ]);
    expect(warningsFor({ accountSid: SID, fromNumber: "+15550001111", publicUrl: "https://sms.example.com/twilio-sms/webhook" })).toEqual([
      expect.stringMatching(/channels\.twilio-sms has no Auth Token, so it will not start; add one with --auth-token-env <NAME>, --auth-token-file <path>, or TWILIO_AUTH_TOKEN/),
    ]);
  });

  it("warns when publicUrl is missing", () => {
    expect(warningsFor({ accountSid: SID, authTokenFile: "/t", fromNumber: "+15550001111" })).toContainEqual(expect.stringMatching(/publicUrl is not set; add --public-url/));
  });
});
