import { describe, expect, it } from "vitest";
import { parseChannelConfig } from "../../src/config/schema.ts";

const SID = "AC0123456789abcdef0123456789abcdef";

function firstIssue(value: unknown): string {
  const result = parseChannelConfig(value);
  if (result.success) throw new Error("expected the config to be rejected");
  return result.issues[0]!.message;
}

describe("config validation names the key and the fix", () => {
  it.each([
    [{ accountSid: "AC12" }, /^channels\.twilio-sms\.accountSid must be a Twilio Account SID: AC followed by 32 hex/],
    [{ fromNumber: "555-123-4567" }, /^channels\.twilio-sms\.fromNumber must be your Twilio phone number in E\.164 form, e\.g\. \+15551234567/],
    [{ messagingServiceSid: "MG1" }, /^channels\.twilio-sms\.messagingServiceSid must be a Messaging Service SID/],
    [{ defaultTo: "12345" }, /^channels\.twilio-sms\.defaultTo must be the default recipient in E\.164 form/],
    [{ dmPolicy: "everyone" }, /^channels\.twilio-sms\.dmPolicy must be one of "pairing" \(default\), "allowlist", "open"/],
    [{ textChunkLimit: 0 }, /^channels\.twilio-sms\.textChunkLimit must be at least 1/],
    [{ textChunkLimit: 1601 }, /^channels\.twilio-sms\.textChunkLimit must be at most 1600/],
    [{ textChunkLimit: 10.5 }, /^channels\.twilio-sms\.textChunkLimit must be a whole number/],
    [{ webhookPath: "twilio" }, /^channels\.twilio-sms\.webhookPath must be a URL path starting with "\/"/],
    [{ publicUrl: "sms.example.com/hook" }, /^channels\.twilio-sms\.publicUrl must be an absolute http\(s\) URL/],
    [{ apiBaseUrl: "ftp://x" }, /^channels\.twilio-sms\.apiBaseUrl must be an absolute http\(s\) URL/],
    [{ authToken: "" }, /^channels\.twilio-sms\.authToken must not be empty; paste the Auth Token/],
    [{ authToken: { source: "vault", id: "x" } }, /^channels\.twilio-sms\.authToken must be the Auth Token string or a SecretRef/],
    [{ dmPolicy: "open" }, /^channels\.twilio-sms\.allowFrom must include "\*" when dmPolicy is "open"/],
    [{ dmPolicy: "open", allowFrom: ["+15551230001"] }, /allowFrom must include "\*"/],
    [{ fromNumber: "+15550001111", from: "+1555" }, /^channels\.twilio-sms: unknown key\(s\) from; remove them/],
    [{ limits: { maxQueuedTurns: 32 } }, /^channels\.twilio-sms\.limits: unknown key\(s\) maxQueuedTurns; maxQueuedTurns was replaced by maxBacklog/],
    [{ accounts: { work: { fromNumber: "bad" } } }, /^channels\.twilio-sms\.accounts\.work\.fromNumber must be your Twilio phone number/],
    [{ accounts: { work: { dmPolicy: "open" } } }, /^channels\.twilio-sms\.accounts\.work\.allowFrom must include "\*"/],
    [{ mediaMaxMb: 0 }, /^channels\.twilio-sms\.mediaMaxMb must be more than 0/],
    [{ mediaMaxTotalMb: 500 }, /^channels\.twilio-sms\.mediaMaxTotalMb must be at most 100 \(MB\)/],
    [{ mediaCdnHosts: ["https://cdn.example"] }, /^channels\.twilio-sms\.mediaCdnHosts\.0 must be a bare host name/],
    [{ mediaCdnHosts: ["*.example.com"] }, /mediaCdnHosts\.0 must be a bare host name/],
    [{ defaultAccount: "ghost" }, /^channels\.twilio-sms\.defaultAccount names "ghost", which is not under accounts/],
  ])("rejects %j", (value, expected) => {
    expect(firstIssue(value)).toMatch(expected);
  });

  it("accepts a complete multi-account config", () => {
    const result = parseChannelConfig({
      accountSid: SID,
      authToken: { source: "env", provider: "default", id: "TWILIO_AUTH_TOKEN" },
      fromNumber: "+15550001111",
      dmPolicy: "open",
      allowFrom: ["*"],
      accounts: { sales: { fromNumber: "+15550002222", webhookPath: "/sms/sales", textChunkLimit: 1600 } },
      defaultAccount: "sales",
    });
    expect(result.success).toBe(true);
  });

  it("lets a named account satisfy open with the root's wildcard", () => {
    expect(parseChannelConfig({ allowFrom: ["*"], accounts: { a: { dmPolicy: "open" } } }).success).toBe(true);
  });
});

describe("cross-field rules", () => {
  const SID_ = `AC${"0".repeat(32)}`;
  const base = { accountSid: SID_, authToken: "t", fromNumber: "+15550001111" };
  const messages = (value: unknown) => {
    const result = parseChannelConfig(value);
    return result.success ? [] : result.issues.map((issue) => issue.message);
  };

  it("publicUrl must carry the webhook path; the message gives the URL to use", () => {
    expect(messages({ ...base, publicUrl: "https://sms.example.com" })).toEqual([
      "channels.twilio-sms.publicUrl has no path, so it can never match the URL Twilio signs; set it to the full webhook URL, e.g. https://sms.example.com/twilio-sms/webhook",
    ]);
    expect(messages({ ...base, publicUrl: "https://sms.example.com/sms" })[0]).toMatch(
      /^channels\.twilio-sms\.publicUrl ends in \/sms but the gateway listens on \/twilio-sms\/webhook; set channels\.twilio-sms\.publicUrl to https:\/\/sms\.example\.com\/twilio-sms\/webhook/,
    );
    expect(messages({ ...base, webhookPath: "/sms", publicUrl: "https://sms.example.com/sms?x=1" })).toEqual([]);
  });

  it("two accounts on one path and one sender clash; different senders may share a path", () => {
    expect(messages({ ...base, accounts: { twin: { fromNumber: "+15550001111" } } })[0]).toMatch(
      /^channels\.twilio-sms\.accounts\.twin\.webhookPath is unset \(\/twilio-sms\/webhook\), the same path and sender as the root \(default\) account/,
    );
    expect(messages({ ...base, accounts: { other: { fromNumber: "+15550002222" } } })).toEqual([]);
  });
});
