// The manifest schema is all `openclaw config validate` runs for our section,
// so these tests run it through the host's own validator and check what the
// user reads: the runtime's friendly message under the offending key, never a
// raw regex, and the same verdict as the runtime's zod schema.
import { describe, expect, it } from "vitest";
import { asAllowedValue, channelConfigJsonSchema } from "../../src/config/json-schema.ts";
import { ChannelConfigSchema } from "../../src/config/schema.ts";
import { hostSchemaErrors } from "../support/host-schema-validator.ts";

const schema = channelConfigJsonSchema();
const errors = (value: unknown) => hostSchemaErrors(schema, value);
const hinted = (hint: string) => `must be equal to one of the allowed values (allowed: ${JSON.stringify(hint)})`;

function zodMessage(value: unknown): string {
  const result = ChannelConfigSchema.safeParse(value);
  if (result.success) throw new Error(`zod accepted ${JSON.stringify(value)}`);
  return result.error.issues[0]!.message;
}

describe("config validate prints the runtime's message for a bad value", () => {
  it.each([
    ["accountSid", { accountSid: "ACnothex" }],
    ["fromNumber", { fromNumber: "555-123-4567" }],
    ["defaultTo", { defaultTo: "12345" }],
    ["messagingServiceSid", { messagingServiceSid: "MG1" }],
    ["webhookPath", { webhookPath: "twilio" }],
    ["publicUrl", { publicUrl: "sms.example.com/twilio-sms/webhook" }],
    ["apiBaseUrl", { apiBaseUrl: "ftp://api.twilio.com" }],
    ["mediaCdnHosts.0", { mediaCdnHosts: ["https://cdn.example"] }],
    ["accounts.work.fromNumber", { accounts: { work: { fromNumber: "+1 555 123 4567" } } }],
    ["accounts.bad id", { accounts: { "bad id": {} } }],
  ])("%s", (path, value) => {
    const reported = errors(value);
    // ChannelConfigSchema's message for a record key sits on the nested key issue.
    const result = ChannelConfigSchema.safeParse(value);
    const issue = result.error!.issues[0]!;
    const message = issue.code === "invalid_key" ? issue.issues[0]!.message : zodMessage(value);
    expect(reported.filter((error) => error.path === path).map((error) => error.message)).toContain(hinted(asAllowedValue(message)));
    expect(reported.map((error) => error.text).join("\n")).not.toMatch(/must match pattern|must match a schema in anyOf/);
  });

  it("a key an earlier release had names its replacement, as the runtime does", () => {
    const value = { limits: { maxQueuedTurns: 32 } };
    expect(errors(value).map((error) => error.text)).toEqual([
      `limits.maxQueuedTurns: ${hinted("maxQueuedTurns was replaced by maxBacklog (texts waiting in the durable queue, default 1000) and maxBacklogPerSender (default 20); rename or remove it")}`,
    ]);
    expect(errors({ accounts: { a: value } }).map((error) => error.path)).toEqual(["accounts.a.limits.maxQueuedTurns"]);
    expect(ChannelConfigSchema.safeParse(value).success).toBe(false);
  });

  it("reads as a description of what fits: no leading 'must be', no escaped quotes", () => {
    const [first] = errors({ webhookPath: "twilio" });
    expect(first?.text).toBe(`webhookPath: ${hinted("a URL path starting with '/', e.g. /twilio-sms/webhook")}`);
  });
});

describe("config validate catches the cross-field mistakes JSON Schema can express", () => {
  it.each([
    ["open without *", { dmPolicy: "open", allowFrom: ["+15551230001"] }, "allowFrom", /a list that includes '\*': dmPolicy 'open' lets anyone text the agent/],
    ["open with no list", { dmPolicy: "open" }, "dmPolicy", /dmPolicy 'open' only with allowFrom: \['\*'\]/],
    ["an account open without *", { accounts: { b: { dmPolicy: "open", allowFrom: ["+15551230001"] } } }, "accounts.b.allowFrom", /a list that includes '\*'/],
    ["an account open with no list, the root's list without *", { allowFrom: ["+15551230001"], accounts: { b: { dmPolicy: "open" } } }, "accounts.b.dmPolicy", /only with allowFrom: \['\*'\]/],
    ["an account inheriting open with its own list without *", { dmPolicy: "open", allowFrom: ["*"], accounts: { b: { allowFrom: ["+15551230001"] } } }, "accounts.b.allowFrom", /a list that includes '\*'/],
    ["publicUrl without a path", { publicUrl: "https://sms.example.com" }, "publicUrl", /the full webhook URL Twilio posts to, path included, e.g\. https:\/\/sms\.example\.com\/twilio-sms\/webhook/],
    ["publicUrl with only a query", { publicUrl: "https://sms.example.com/?a=1" }, "publicUrl", /path included/],
    ["publicUrl off the default path", { publicUrl: "https://sms.example.com/sms" }, "publicUrl", /a URL ending in \/twilio-sms\/webhook, where the gateway listens; or set webhookPath/],
    ["an account's publicUrl off the default path", { accounts: { b: { publicUrl: "https://sms.example.com/b" } } }, "accounts.b.publicUrl", /ending in \/twilio-sms\/webhook/],
  ])("%s: the message sits under %s", (_name, value, path, hint) => {
    const reported = errors(value);
    expect(reported.find((error) => error.path === path)?.message).toMatch(hint);
    // The runtime rejects it too.
    expect(ChannelConfigSchema.safeParse(value).success).toBe(false);
  });

  it.each([
    ["open with *", { dmPolicy: "open", allowFrom: ["*"] }],
    ["an account open, inheriting the root's *", { allowFrom: ["*"], accounts: { b: { dmPolicy: "open" } } }],
    ["an account with its own policy under an open root", { dmPolicy: "open", allowFrom: ["*"], accounts: { b: { dmPolicy: "allowlist", allowFrom: ["+15551230001"] } } }],
    ["publicUrl on the default path", { publicUrl: "https://sms.example.com/twilio-sms/webhook?x=1" }],
    ["publicUrl on a custom path", { webhookPath: "/hooks/sms", publicUrl: "https://sms.example.com/hooks/sms" }],
  ])("accepts %s, as the runtime does", (_name, value) => {
    expect(errors(value)).toEqual([]);
    expect(ChannelConfigSchema.safeParse(value).success).toBe(true);
  });
});

describe("the manifest and the runtime agree on each checked value", () => {
  const samples: Record<string, unknown[]> = {
    accountSid: [`AC${"a".repeat(32)}`, `AC${"A".repeat(32)}`, `AC${"a".repeat(31)}`, `ac${"a".repeat(32)}`, "", asAllowedValue(zodMessage({ accountSid: "x" }))],
    fromNumber: ["+15551234567", "+4915112345678", "+1555", "15551234567", "+0123456789", "+1 555 123 4567", asAllowedValue(zodMessage({ fromNumber: "x" }))],
    messagingServiceSid: [`MG${"0".repeat(32)}`, `MG${"0".repeat(33)}`, "MGx"],
    webhookPath: ["/", "/twilio-sms/webhook", "/a b", "hooks", "/x?y"],
    publicUrl: ["https://a.example/x", "http://a.example:8080/twilio-sms/webhook", "https://a.example", "ftp://a.example/x", "a.example/x", "https:///x"],
    apiBaseUrl: ["https://api.twilio.com", "http://127.0.0.1:3000", "api.twilio.com", "https://", ""],
    mediaCdnHosts: [["cdn.example.com"], ["*.example.com"], ["cdn.example.com:443"], [""]],
  };
  const cases = Object.entries(samples).flatMap(([key, values]) => values.map((value) => [key, value] as const));

  it.each(cases)("%s = %j", (key, value) => {
    // publicUrl is checked against the default webhookPath unless one is set.
    const section = key === "publicUrl" ? { webhookPath: URL.canParse(String(value)) ? new URL(String(value)).pathname : "/x", [key]: value } : { [key]: value };
    expect(errors(section).length === 0, JSON.stringify(errors(section))).toBe(ChannelConfigSchema.safeParse(section).success);
  });
});
