import { describe, expect, it } from "vitest";
import { listAccountIds, resolveAccount } from "../../src/config/accounts.ts";
import { describeStartFailure } from "../../src/status/start-failure.ts";
import { collectWarnings, doctorLines } from "../../src/status/warnings.ts";

const SID = `AC${"0".repeat(32)}`;

function accountsOf(section: Record<string, unknown>) {
  return listAccountIds(section, {}).map((id) => resolveAccount(section, id, {}));
}

describe("collectWarnings", () => {
  it("is quiet for a complete config", () => {
    const section = { accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: "https://sms.example.com/twilio-sms/webhook" };
    expect(collectWarnings(accountsOf(section), { officialSmsPluginPresent: false })).toEqual([]);
  });

  it("names a missing publicUrl with the key to set", () => {
    const [warning] = collectWarnings(accountsOf({ accountSid: SID, authToken: "t", fromNumber: "+15550001111" }), { officialSmsPluginPresent: false });
    expect(warning).toMatchObject({ checkId: "twilio-sms.public-url-missing" });
    expect(warning!.remediation).toContain("channels.twilio-sms.publicUrl");
  });

  it("flags an empty allowlist and two accounts on one path with the same number", () => {
    const section = {
      accountSid: SID,
      authToken: "t",
      fromNumber: "+15550001111",
      publicUrl: "https://x.io/h",
      webhookPath: "/h",
      dmPolicy: "allowlist",
      accounts: { twin: { fromNumber: "+15550001111", publicUrl: "https://x.io/h", webhookPath: "/h" } },
    };
    // The twin cannot start (its config is invalid), so only the root warns about its allowlist.
    const ids = collectWarnings(accountsOf(section), { officialSmsPluginPresent: false }).map((warning) => warning.checkId);
    expect(ids).toEqual(["twilio-sms.allowlist-empty", "twilio-sms.path-clash"]);
  });

  it("allows two numbers on one path", () => {
    const section = {
      accountSid: SID,
      authToken: "t",
      fromNumber: "+15550001111",
      publicUrl: "https://x.io/h",
      webhookPath: "/h",
      accounts: { b: { fromNumber: "+15550002222", publicUrl: "https://x.io/h", webhookPath: "/h" } },
    };
    const accounts = accountsOf(section);
    expect(accounts.map((account) => account.configState)).toEqual(["ready", "ready"]);
    expect(collectWarnings(accounts, { officialSmsPluginPresent: false })).toEqual([]);
  });

  it("explains how to address each plugin when @openclaw/sms is present", () => {
    const section = { accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: "https://x.io/twilio-sms/webhook" };
    const [warning] = collectWarnings(accountsOf(section), { officialSmsPluginPresent: true });
    expect(warning!.remediation).toMatch(/--channel twilio-sms .* --channel sms/);
  });
});

describe("doctorLines", () => {
  it("lists each account that cannot start and each warning, naming the key and the fix", () => {
    const section = {
      accountSid: SID,
      authToken: "t",
      fromNumber: "+15550001111",
      dmPolicy: "allowlist",
      accounts: { bad: { fromNumber: "+15550002222", webhookPath: "/bad", publicUrl: "https://x.io" } },
    };
    const lines = doctorLines(accountsOf(section), { officialSmsPluginPresent: false });
    expect(lines).toContainEqual(expect.stringMatching(/^- twilio-sms account "bad" cannot start: channels\.twilio-sms\.accounts\.bad\.publicUrl has no path/));
    expect(lines).toContainEqual(expect.stringMatching(/allows nobody: .*Fix: add numbers to channels\.twilio-sms\.allowFrom/));
    expect(lines).toContainEqual(expect.stringMatching(/has no publicUrl: .*Fix: set channels\.twilio-sms\.publicUrl/));
    expect(lines).toContainEqual(expect.stringMatching(/channels\.twilio-sms\.authToken is plain text in openclaw\.json\. Fix: run openclaw secrets configure/));
  });

  it("does not call a SecretRef or a token file plain text", () => {
    const section = { accountSid: SID, authToken: { source: "env", provider: "default", id: "T" }, fromNumber: "+15550001111", accounts: { f: { authTokenFile: "/t", fromNumber: "+15550002222", webhookPath: "/f" } } };
    const accounts = listAccountIds(section, {}).map((id) => resolveAccount(section, id, {}, () => "tok"));
    expect(doctorLines(accounts, { officialSmsPluginPresent: false }).filter((line) => line.includes("plain text"))).toEqual([]);
  });

  it("names the root's key once for every account that inherits a plain-text token", () => {
    const section = { accountSid: SID, authToken: "t", fromNumber: "+15550001111", accounts: { b: { fromNumber: "+15550002222", webhookPath: "/b" }, c: { authToken: "own", fromNumber: "+15550003333", webhookPath: "/c" } } };
    const lines = doctorLines(accountsOf(section), { officialSmsPluginPresent: false }).filter((line) => line.includes("plain text"));
    expect(lines).toEqual([
      expect.stringMatching(/^- twilio-sms accounts "default", "b": channels\.twilio-sms\.authToken is plain text/),
      expect.stringMatching(/^- twilio-sms account "c": channels\.twilio-sms\.accounts\.c\.authToken is plain text/),
    ]);
  });
});

// JSON Schema cannot compare two values, so `config validate` lets these through; doctor and status must not.
describe("cross-field mistakes config validate cannot see", () => {
  const base = { accountSid: SID, authToken: { source: "env", provider: "default", id: "T" }, fromNumber: "+15550001111", publicUrl: "https://x.io/twilio-sms/webhook" };
  const cases = [
    [
      "a publicUrl whose path is not the account's webhookPath",
      { ...base, accounts: { custom: { fromNumber: "+15550002222", webhookPath: "/custom", publicUrl: "https://x.io/other" } } },
      "custom",
      /channels\.twilio-sms\.accounts\.custom\.publicUrl ends in \/other but the gateway listens on \/custom; set channels\.twilio-sms\.accounts\.custom\.publicUrl to https:\/\/x\.io\/custom .*or channels\.twilio-sms\.accounts\.custom\.webhookPath to "\/other"/,
    ],
    [
      "two accounts on one path with one number",
      { ...base, accounts: { twin: { fromNumber: "+15550001111", publicUrl: "https://x.io/twilio-sms/webhook" } } },
      "twin",
      /channels\.twilio-sms\.accounts\.twin\.webhookPath is unset \(\/twilio-sms\/webhook\), the same path and sender as the root \(default\) account.*give channels\.twilio-sms\.accounts\.twin\.webhookPath its own path/,
    ],
  ] as const;

  it.each(cases)("%s: doctor says which account cannot start, with the key and the fix", (_name, section, id, expected) => {
    const lines = doctorLines(accountsOf(section as Record<string, unknown>), { officialSmsPluginPresent: false });
    expect(lines.find((line) => line.startsWith(`- twilio-sms account "${id}" cannot start: `))).toMatch(expected);
  });

  it.each(cases)("%s: status shows it as the account's error", (_name, section, id, expected) => {
    const account = resolveAccount(section, id, {}, () => "t");
    expect(account.configState).toBe("invalid");
    expect(describeStartFailure(account)).toMatch(expected);
  });
});
