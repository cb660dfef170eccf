import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/config/accounts.ts";
import { TwilioApiError } from "../../src/errors.ts";
import { checkRetryFragment, formatProbe, probeAccount } from "../../src/status/probe.ts";
import type { NumberLookup } from "../../src/status/probe.ts";
import type { SenderRegistration } from "../../src/twilio/client.ts";

const SID = `AC${"0".repeat(32)}`;
const PUBLIC = "https://sms.example.com/twilio-sms/webhook";
const account = resolveAccount({ accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: PUBLIC }, null, {});

const VERIFIED: SenderRegistration = { kind: "a2p-10dlc", messagingServiceSid: `MG${"1".repeat(32)}`, campaignStatus: "VERIFIED" };

const probeWith = (lookup: NumberLookup, failures: { requestUrl: string; at: Date }[] = [], registration: SenderRegistration = VERIFIED) =>
  probeAccount(account, {
    webhookFailuresSince: async () => failures,
    senderRegistration: async () => registration,
    findIncomingNumber: async () => {
      if (lookup.kind === "found") return { smsUrl: lookup.smsUrl, smsMethod: lookup.smsMethod };
      if (lookup.kind === "missing") return undefined;
      if (lookup.kind === "auth-failed") throw new TwilioApiError("Twilio error 20003: Authenticate", { httpStatus: 401, twilioCode: 20003 });
      throw new Error(lookup.message);
    },
  }, Date.now());

describe("probeAccount", () => {
  it("passes when the number's webhook is POST publicUrl", async () => {
    const result = await probeWith({ kind: "found", smsUrl: PUBLIC, smsMethod: "POST" });
    expect(result.ok).toBe(true);
    expect(result.findings.map((finding) => finding.check)).toEqual(["credentials", "sender", "webhook", "webhook-retries", "deliverability", "webhook-errors"]);
    expect(result.twilioAnswered).toBe(true);
  });

  it("matches a webhook URL that ends in a retry fragment, and says Twilio will retry", async () => {
    const result = await probeWith({ kind: "found", smsUrl: `${PUBLIC}#rc=3&rp=all`, smsMethod: "POST" });
    expect(result.ok).toBe(true);
    expect(formatProbe(result).join("\n")).toMatch(/ok webhook-retries: Twilio retries a refused text/);
  });

  it.each([
    ["another URL", { kind: "found", smsUrl: "https://old.example.com/sms", smsMethod: "POST" }, /set "A message comes in" to Webhook, HTTP POST, https:\/\/sms\.example\.com/],
    ["GET", { kind: "found", smsUrl: PUBLIC, smsMethod: "GET" }, /HTTP POST/],
    ["no webhook", { kind: "found", smsUrl: null, smsMethod: null }, /\(nowhere\)/],
    ["a number the account does not own", { kind: "missing" }, /Active numbers/],
    ["bad credentials", { kind: "auth-failed" }, /accountSid and authToken/],
  ] as [string, NumberLookup, RegExp][])("flags %s with its fix", async (_name, lookup, fix) => {
    const result = await probeWith(lookup);
    expect(result.ok).toBe(false);
    expect(formatProbe(result).join("\n")).toMatch(fix);
  });

  it("reports recent 11200 webhook errors with the URL Twilio tried", async () => {
    const result = await probeWith({ kind: "found", smsUrl: PUBLIC, smsMethod: "POST" }, [
      { requestUrl: `${PUBLIC}?token=secret`, at: new Date("2026-11-24T10:00:00Z") },
    ]);
    expect(result.ok).toBe(false);
    const text = formatProbe(result).join("\n");
    expect(text).toMatch(/could not deliver 1 webhook\(s\) in the last 24 h \(11200\).*https:\/\/sms\.example\.com\/twilio-sms\/webhook\?…/);
    expect(text).not.toContain("secret");
  });

  it("never prints the full number", async () => {
    const lines = formatProbe(await probeWith({ kind: "missing" }));
    expect(lines.join("\n")).not.toContain("5550001111");
  });
});

describe("retry fragment", () => {
  it("says whether Twilio will retry a refused text, from the webhook URL's fragment", () => {
    expect(checkRetryFragment("https://sms.example.com/twilio-sms/webhook")).toMatchObject({ ok: true, fix: expect.stringContaining("#rc=3&rp=all") });
    expect(checkRetryFragment("https://sms.example.com/twilio-sms/webhook#rc=3&rp=all")).toEqual({
      check: "webhook-retries",
      ok: true,
      detail: "Twilio retries a refused text (rc=3, rp=all)",
    });
  });
});

describe("probeAccount: deliverability", () => {
  const found: NumberLookup = { kind: "found", smsUrl: PUBLIC, smsMethod: "POST" };

  it.each([
    ["no Messaging Service", { kind: "a2p-10dlc", messagingServiceSid: null, campaignStatus: null }, /not in any Messaging Service.*\(error 30034\)\. Fix: register a brand and campaign/],
    ["a service without a campaign", { kind: "a2p-10dlc", messagingServiceSid: `MG${"2".repeat(32)}`, campaignStatus: null }, /has no A2P 10DLC campaign.*30034/],
    ["a pending campaign", { kind: "a2p-10dlc", messagingServiceSid: `MG${"2".repeat(32)}`, campaignStatus: "PENDING" }, /still pending.*\(error 30035\)\. Fix: wait for campaign approval/],
    ["an unverified toll-free number", { kind: "toll-free", status: null, rejectionReason: null }, /no toll-free verification.*\(error 30032\)\. Fix: submit a toll-free verification/],
    ["a rejected toll-free number", { kind: "toll-free", status: "TWILIO_REJECTED", rejectionReason: "Opt-in unclear" }, /rejected \(Opt-in unclear\).*Fix: correct and resubmit/],
  ] as const)("fails for %s, naming the carrier error and the fix", async (_name, registration, pattern) => {
    const probe = await probeWith(found, [], registration as SenderRegistration);
    expect(probe.ok).toBe(false);
    expect(probe.error).toMatch(pattern);
    // Twilio did answer, so this is not a connection problem.
    expect(probe.twilioAnswered).toBe(true);
  });

  it("masks the number in every line", async () => {
    const probe = await probeWith(found, [], { kind: "a2p-10dlc", messagingServiceSid: null, campaignStatus: null });
    expect(probe.error).not.toContain("+15550001111");
  });

  it("rejected credentials: Twilio did not answer for this account, and the error says what to fix", async () => {
    const probe = await probeWith({ kind: "auth-failed" });
    expect(probe).toMatchObject({ ok: false, twilioAnswered: false });
    expect(probe.error).toMatch(/^credentials: Twilio rejected the Account SID and Auth Token \(20003\)\. Fix: copy both/);
  });
});
