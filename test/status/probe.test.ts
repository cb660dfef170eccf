import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/config/accounts.ts";
import { TwilioApiError } from "../../src/errors.ts";
import { checkRetryFragment, formatProbe, probeAccount } from "../../src/status/probe.ts";
import type { NumberLookup } from "../../src/status/probe.ts";

const SID = `AC${"0".repeat(32)}`;
const PUBLIC = "https://sms.example.com/twilio-sms/webhook";
const account = resolveAccount({ accountSid: SID, authToken: "t", fromNumber: "+15550001111", publicUrl: PUBLIC }, null, {});

const probeWith = (lookup: NumberLookup, failures: { requestUrl: string; at: Date }[] = []) =>
  probeAccount(account, {
    webhookFailuresSince: async () => failures,
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
    expect(result.findings.map((finding) => finding.check)).toEqual(["credentials", "sender", "webhook", "webhook-retries", "webhook-errors"]);
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
