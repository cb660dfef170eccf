import { describe, expect, it } from "vitest";
import { hasTwilioSmsEnvConfiguration } from "../src/configured-state.ts";

describe("hasTwilioSmsEnvConfiguration", () => {
  const base = { TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`, TWILIO_AUTH_TOKEN: "t" };
  it.each([
    ["credentials and a number", { ...base, TWILIO_SMS_FROM: "+15550001111" }, true],
    ["credentials and a Messaging Service", { ...base, TWILIO_MESSAGING_SERVICE_SID: `MG${"0".repeat(32)}` }, true],
    ["credentials without a sender", base, false],
    ["a sender without the token", { TWILIO_ACCOUNT_SID: base.TWILIO_ACCOUNT_SID, TWILIO_SMS_FROM: "+15550001111" }, false],
    ["blank values", { TWILIO_ACCOUNT_SID: " ", TWILIO_AUTH_TOKEN: " ", TWILIO_SMS_FROM: " " }, false],
  ])("%s → %s", (_name, env, expected) => {
    expect(hasTwilioSmsEnvConfiguration(env)).toBe(expected);
  });
});
