import { describe, expect, it } from "vitest";
import { listAccountIds, resolveAccount } from "../../src/config/accounts.ts";
import { collectWarnings } from "../../src/status/warnings.ts";

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
      dmPolicy: "allowlist",
      accounts: { twin: { fromNumber: "+15550001111", publicUrl: "https://x.io/h" } },
    };
    const ids = collectWarnings(accountsOf(section), { officialSmsPluginPresent: false }).map((warning) => warning.checkId);
    expect(ids).toEqual(["twilio-sms.allowlist-empty", "twilio-sms.allowlist-empty", "twilio-sms.path-clash"]);
  });

  it("allows two numbers on one path", () => {
    const section = { accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: "https://x.io/h", accounts: { b: { fromNumber: "+15550002222", publicUrl: "https://x.io/h" } } };
    expect(collectWarnings(accountsOf(section), { officialSmsPluginPresent: false })).toEqual([]);
  });

  it("explains how to address each plugin when @openclaw/sms is present", () => {
    const section = { accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: "https://x.io/h" };
    const [warning] = collectWarnings(accountsOf(section), { officialSmsPluginPresent: true });
    expect(warning!.remediation).toMatch(/--channel twilio-sms .* --channel sms/);
  });
});
