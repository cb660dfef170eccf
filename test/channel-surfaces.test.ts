// What the host's read-only surfaces get from the channel object: doctor's
// preview warnings and repair capabilities, the security audit's view of the
// DM policy, and the status warnings.
import { describe, expect, it } from "vitest";
import { createTwilioSmsPlugin } from "../src/channel.ts";

const twilioSmsPlugin = createTwilioSmsPlugin();

const SID = `AC${"0".repeat(32)}`;
const cfg = (section: Record<string, unknown>) => ({ channels: { "twilio-sms": section } }) as never;

describe("doctor", () => {
  it("lists accounts that cannot start and every warning, with key names", async () => {
    const lines = await twilioSmsPlugin.doctor!.collectPreviewWarnings!({
      cfg: cfg({
        accountSid: SID,
        authToken: "t",
        fromNumber: "+15550001111",
        dmPolicy: "allowlist",
        accounts: { broken: { fromNumber: "+15550002222", webhookPath: "/b", authToken: { source: "env", provider: "default", id: "TWILIO_MISSING" } } },
      }),
      doctorFixCommand: "openclaw doctor --fix",
    });
    expect(lines).toContainEqual(expect.stringMatching(/account "broken" cannot start: .*TWILIO_MISSING/));
    expect(lines).toContainEqual(expect.stringMatching(/account "default" allows nobody: .*channels\.twilio-sms\.allowFrom/));
  });

  it("tells doctor --fix never to add \"*\" to allowFrom", () => {
    expect((twilioSmsPlugin.doctor as { openDmRequiresAllowFromWildcard?: boolean }).openDmRequiresAllowFromWildcard).toBe(false);
  });
});

describe("security audit", () => {
  it("sees the account's real dmPolicy under its real key", () => {
    const config = cfg({ accountSid: SID, authToken: "t", fromNumber: "+15550001111", dmPolicy: "allowlist", allowFrom: ["+15557654321"] });
    const account = twilioSmsPlugin.config.inspectAccount!(config, "default") as Record<string, unknown>;
    expect(account).toMatchObject({ dmPolicy: "allowlist", tokenStatus: "available" });
    expect(account.authToken).toBeUndefined();
    const policy = twilioSmsPlugin.security!.resolveDmPolicy!({ cfg: config, accountId: "default", account: account as never });
    expect(policy).toMatchObject({ policy: "allowlist", policyPath: "channels.twilio-sms.dmPolicy" });
  });
});

describe("channels status warnings", () => {
  it("name each failed probe check and registration failures, with fixes", () => {
    const issues = twilioSmsPlugin.status!.collectStatusIssues!([
      {
        accountId: "default",
        problems: ["channels.twilio-sms.accounts.x.authToken reads the environment variable T, which is not set"],
        probe: { ok: false, findings: [{ check: "deliverability", ok: false, detail: "+1******1111 is not in any Messaging Service", fix: "register a brand" }] },
        deliveries: { failuresLast24h: { "undelivered:30034": 2, "failed:30003": 1 } },
      } as never,
    ]);
    expect(issues).toEqual([
      expect.objectContaining({ kind: "config", message: "deliverability: +1******1111 is not in any Messaging Service", fix: "register a brand" }),
      expect.objectContaining({ message: expect.stringMatching(/2 text\(s\) .* \(error 30034\): the number is not registered for US A2P 10DLC/), fix: expect.stringMatching(/register/) }),
    ]);
  });
});
