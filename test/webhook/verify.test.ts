import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { parseForm } from "../../src/webhook/form.ts";
import { redactUrl, signedUrlFor, verifySignature } from "../../src/webhook/verify.ts";

// Twilio's published vectors (twilio-node spec/validation.spec.js, twilio-php RequestValidatorTest).
const TOKEN = "12345";
const U = "https://mycompany.com/myapp.php?foo=1&bar=2";
const P = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };

describe("verifySignature: Twilio golden vectors", () => {
  it.each([
    ["V1 plain URL", U, P, "RSOYDt4T1cUTdK1PDd93/VVr8B8="],
    ["V2 explicit :443", "https://mycompany.com:443/myapp.php?foo=1&bar=2", P, "kvajT1Ptam85bY51eRf/AJRuM3w="],
    ["V3 non-default port", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", P, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="],
    ["V4 explicit :80", "http://mycompany.com:80/myapp.php?foo=1&bar=2", P, "0ZXoZLH/DfblKGATFgpif+LLRf4="],
    ["V5 apostrophe and plus in the query", `${U}&Body=It's+amazing`, P, "dsq4Ehbj6cs+KdTkpF5sSSplOWw="],
    ["V6 repeated key", U, { "MessagingBinding.Address": ["+1325xxxxxxx", "+1415xxxxxxx"] }, "83O6e2vORAoJHUNzJjDWN1jz+BA="],
    ["V6 repeated key, other order", U, { "MessagingBinding.Address": ["+1415xxxxxxx", "+1325xxxxxxx"] }, "83O6e2vORAoJHUNzJjDWN1jz+BA="],
    ["V7 duplicate values", U, { Sid: "CA123", SidAccount: "AC123", Digits: ["5678", "1234", "1234"] }, "IK+Dwps556ElfBT0I3Rgjkr1wJU="],
    // V8/V9 sign a JSON body's hash in the URL and no parameters; a form webhook with no fields signs the same way.
    ["V8 bodySHA256 URL", `${U}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`, {}, "a9nBmqA0ju/hNViExpshrM61xv4="],
    ["V9 bodySHA256 URL signed with :443", `${U}&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`, {}, "Ldidvp12m26NI7eqEvxnEpkd9Hc="],
    ["V10 userinfo in the URL", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", P, "CukzLTc1tT5dXEDIHm/tKBanW10="],
  ])("%s validates", (_name, url, form, signature) => {
    expect(verifySignature({ authToken: TOKEN, signature, url, form })).toEqual({ ok: true });
  });

  it("V2's signature also validates against the port-less URL (Twilio's port variants)", () => {
    expect(verifySignature({ authToken: TOKEN, signature: "kvajT1Ptam85bY51eRf/AJRuM3w=", url: U, form: P }).ok).toBe(true);
  });

  it("V7 without de-duplication is wrong", () => {
    const verdict = verifySignature({ authToken: TOKEN, signature: "tM//N+MVWOh7+ol2z8YCNxSY0Eg=", url: U, form: { Sid: "CA123", SidAccount: "AC123", Digits: ["5678", "1234", "1234"] } });
    expect(verdict).toEqual({ ok: false, reason: "mismatch", checkedUrl: U });
  });

  it.each([
    ["an unexpected extra query parameter", `${U}&somethingUnexpected=true`, "RSOYDt4T1cUTdK1PDd93/VVr8B8="],
    ["a wrong signature", U, "WRONG_SIGNATURE"],
    ["a different host", "https://evil.example/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="],
  ])("rejects %s", (_name, url, signature) => {
    expect(verifySignature({ authToken: TOKEN, signature, url, form: P }).ok).toBe(false);
  });

  it("rejects a missing header and a wrong token", () => {
    expect(verifySignature({ authToken: TOKEN, signature: undefined, url: U, form: P })).toMatchObject({ ok: false, reason: "missing-signature" });
    expect(verifySignature({ authToken: "54321", signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: U, form: P }).ok).toBe(false);
  });

  it("verifies what parseForm read from a real form body", () => {
    const body = "From=%2B15551230001&Body=It%27s+2%2B2&To=%2B15550001111&Tag=a&Tag=b";
    const form = parseForm(body);
    expect(form).toEqual({ From: "+15551230001", Body: "It's 2+2", To: "+15550001111", Tag: ["a", "b"] });
    const signature = twilio.getExpectedTwilioSignature("tok", "https://x.io/hook", form);
    expect(verifySignature({ authToken: "tok", signature, url: "https://x.io/hook", form }).ok).toBe(true);
  });
});

describe("signedUrlFor", () => {
  it("uses publicUrl exactly as configured, ignoring the request", () => {
    expect(signedUrlFor({ publicUrl: "https://sms.example.com/base/hook?t=1", host: "127.0.0.1:18789", path: "/twilio-sms/webhook", encrypted: false })).toBe(
      "https://sms.example.com/base/hook?t=1",
    );
  });

  it("otherwise uses the request's own scheme, Host and path", () => {
    expect(signedUrlFor({ publicUrl: undefined, host: "127.0.0.1:18789", path: "/twilio-sms/webhook?x=1", encrypted: false })).toBe(
      "http://127.0.0.1:18789/twilio-sms/webhook?x=1",
    );
    expect(signedUrlFor({ publicUrl: undefined, host: "gw.example", path: "/h", encrypted: true })).toBe("https://gw.example/h");
    expect(signedUrlFor({ publicUrl: undefined, host: undefined, path: "/h", encrypted: false })).toBeUndefined();
  });
});

describe("redactUrl", () => {
  it("drops the query and keeps scheme, host and path", () => {
    expect(redactUrl("https://sms.example.com/hook?token=secret")).toBe("https://sms.example.com/hook?…");
    expect(redactUrl(undefined)).toBe("(none)");
  });
});
