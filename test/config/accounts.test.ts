import { describe, expect, it } from "vitest";
import { defaultAccountId, listAccountIds, resolveAccount } from "../../src/config/accounts.ts";

const SID = "AC0123456789abcdef0123456789abcdef";
const SID2 = "ACffffffffffffffffffffffffffffffff";
const MG = "MG0123456789abcdef0123456789abcdef";
const noEnv = {};

describe("resolveAccount: defaults", () => {
  it("fills every default for a minimal root config", () => {
    const account = resolveAccount({ accountSid: SID, authToken: "tok", fromNumber: "+15550001111" }, undefined, noEnv);
    expect(account).toMatchObject({
      accountId: "default",
      configured: true,
      problems: [],
      webhookPath: "/twilio-sms/webhook",
      dmPolicy: "pairing",
      textChunkLimit: 1530,
      apiBaseUrl: "https://api.twilio.com",
      sender: { kind: "number", fromNumber: "+15550001111" },
      tokenSource: "config",
      media: { maxBytes: 5 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024, deleteAfterDownload: false, cdnHosts: [] },
    });
  });

  it("turns the media keys into byte caps and lower-cased hosts, inherited by named accounts", () => {
    const section = {
      accountSid: SID,
      authToken: "tok",
      fromNumber: "+15550001111",
      mediaMaxMb: 0.5,
      mediaMaxTotalMb: 2,
      deleteMediaAfterDownload: true,
      mediaCdnHosts: ["CDN.Example.test"],
      accounts: { b: { fromNumber: "+15550002222" } },
    };
    const expected = { maxBytes: 524288, maxTotalBytes: 2097152, deleteAfterDownload: true, cdnHosts: ["cdn.example.test"] };
    expect(resolveAccount(section, undefined, noEnv).media).toEqual(expected);
    expect(resolveAccount(section, "b", noEnv).media).toEqual(expected);
  });

  it("prefers fromNumber over messagingServiceSid when both are set", () => {
    const account = resolveAccount({ accountSid: SID, authToken: "t", fromNumber: "+15550001111", messagingServiceSid: MG }, null, noEnv);
    expect(account.sender).toEqual({ kind: "number", fromNumber: "+15550001111" });
  });

  it("sends through the Messaging Service when it is the only sender", () => {
    const account = resolveAccount({ accountSid: SID, authToken: "t", messagingServiceSid: MG }, null, noEnv);
    expect(account.sender).toEqual({ kind: "service", messagingServiceSid: MG });
  });

  it("names each missing key and its fix", () => {
    const account = resolveAccount({}, null, noEnv);
    expect(account.configured).toBe(false);
    expect(account.problems.join("\n")).toMatch(/channels\.twilio-sms\.accountSid is not set; add your Twilio Account SID/);
    expect(account.problems.join("\n")).toMatch(/channels\.twilio-sms\.authToken is not set/);
    expect(account.problems.join("\n")).toMatch(/channels\.twilio-sms\.fromNumber is not set/);
  });

  it("reports schema errors as problems instead of throwing", () => {
    const account = resolveAccount({ accountSid: "AC123", authToken: "t", fromNumber: "+15550001111" }, null, noEnv);
    expect(account.configured).toBe(false);
    expect(account.problems[0]).toMatch(/channels\.twilio-sms\.accountSid must be a Twilio Account SID/);
  });
});

describe("resolveAccount: environment fallbacks", () => {
  const env = {
    TWILIO_ACCOUNT_SID: SID2,
    TWILIO_AUTH_TOKEN: "env-token",
    TWILIO_SMS_FROM: "+15559998888",
    TWILIO_MESSAGING_SERVICE_SID: MG,
  };

  it("configures the default account from the environment alone", () => {
    const account = resolveAccount({}, null, env);
    expect(account).toMatchObject({
      configured: true,
      accountSid: SID2,
      authToken: "env-token",
      tokenSource: "env",
      sender: { kind: "number", fromNumber: "+15559998888" },
    });
  });

  it("loses to config, key by key", () => {
    const account = resolveAccount({ accountSid: SID, authToken: "cfg-token", fromNumber: "+15550001111" }, null, env);
    expect(account.accountSid).toBe(SID);
    expect(account.authToken).toBe("cfg-token");
    expect(account.tokenSource).toBe("config");
    expect(account.fromNumber).toBe("+15550001111");
  });

  it("does not let an env number override a configured Messaging Service", () => {
    const account = resolveAccount({ accountSid: SID, authToken: "t", messagingServiceSid: MG }, null, env);
    expect(account.sender).toEqual({ kind: "service", messagingServiceSid: MG });
  });

  it("never applies to named accounts", () => {
    const account = resolveAccount({ accounts: { work: { fromNumber: "+15550002222" } } }, "work", env);
    expect(account.accountSid).toBeUndefined();
    expect(account.authToken).toBeUndefined();
    expect(account.configured).toBe(false);
    expect(account.problems.join(" ")).toMatch(/channels\.twilio-sms\.accounts\.work\.accountSid is not set/);
  });
});

describe("resolveAccount: authTokenFile and SecretRef", () => {
  it("reads and trims the token file", () => {
    const account = resolveAccount(
      { accountSid: SID, authTokenFile: "/secrets/token", fromNumber: "+15550001111" },
      null,
      noEnv,
      (path) => (path === "/secrets/token" ? "file-token\n" : ""),
    );
    expect(account.authToken).toBe("file-token");
    expect(account.tokenSource).toBe("file");
  });

  it("explains an unreadable token file", () => {
    const account = resolveAccount({ accountSid: SID, authTokenFile: "/nope", fromNumber: "+15550001111" }, null, noEnv, () => {
      throw Object.assign(new Error("no"), { code: "ENOENT" });
    });
    expect(account.configured).toBe(false);
    expect(account.problems).toContain("authTokenFile /nope cannot be read (ENOENT)");
  });

  it("treats an unresolved SecretRef as configured-but-unavailable, never as the token", () => {
    const ref = { source: "env", provider: "default", id: "TWILIO_TOKEN" };
    const account = resolveAccount({ accountSid: SID, authToken: ref, fromNumber: "+15550001111" }, null, noEnv);
    expect(account.authToken).toBeUndefined();
    expect(account.tokenSource).toBe("secret-ref");
    expect(account.configState).toBe("invalid");
    expect(account.problems.join(" ")).toMatch(/channels\.twilio-sms\.authToken reads the environment variable TWILIO_TOKEN, which is not set for the gateway; export TWILIO_TOKEN/);
  });

  it("names the provider of an unresolved file SecretRef", () => {
    const ref = { source: "file", provider: "vault", id: "/twilio/token" };
    const account = resolveAccount({ accountSid: SID, accounts: { b: { authToken: ref, fromNumber: "+15550001111" } } }, "b", noEnv);
    expect(account.problems.join(" ")).toMatch(/accounts\.b\.authToken is a file SecretRef .*secrets\.providers\.vault/);
  });

  it("an account with its own authTokenFile does not inherit the root token", () => {
    const section = { accountSid: SID, authToken: "root-token", accounts: { b: { authTokenFile: "/tok", fromNumber: "+15550001111" } } };
    const account = resolveAccount(section, "b", noEnv, () => "own-token\n");
    expect(account).toMatchObject({ authToken: "own-token", tokenSource: "file" });
  });
});

describe("resolveAccount: invalid versus not configured", () => {
  it("an empty section is not configured", () => {
    expect(resolveAccount({}, null, noEnv).configState).toBe("unconfigured");
  });

  it("an account with a mistake is invalid, and the mistake stays with that account", () => {
    const section = {
      accountSid: SID,
      authToken: "t",
      fromNumber: "+15550001111",
      accounts: { open: { fromNumber: "+15550002222", webhookPath: "/b", dmPolicy: "open", allowFrom: ["+15551230001"] } },
    };
    const broken = resolveAccount(section, "open", noEnv);
    expect(broken.configState).toBe("invalid");
    expect(broken.problems.join(" ")).toMatch(/channels\.twilio-sms\.accounts\.open\.allowFrom must include "\*"/);
    expect(resolveAccount(section, "default", noEnv)).toMatchObject({ configState: "ready", problems: [] });
  });
});

describe("multi-account resolution", () => {
  const section = {
    accountSid: SID,
    authToken: "shared",
    fromNumber: "+15550001111",
    dmPolicy: "allowlist",
    allowFrom: ["+15551230001"],
    publicUrl: "https://sms.example.com/twilio-sms/webhook",
    accounts: {
      sales: { fromNumber: "+15550002222", webhookPath: "/twilio-sms/sales" },
      other: { accountSid: SID2, authToken: "other", messagingServiceSid: MG, dmPolicy: "pairing" },
    },
    defaultAccount: "sales",
  };

  it("lists the root as default plus every named account", () => {
    expect(listAccountIds(section, noEnv)).toEqual(["default", "sales", "other"]);
  });

  it("honours defaultAccount", () => {
    expect(defaultAccountId(section, noEnv)).toBe("sales");
    expect(resolveAccount(section, undefined, noEnv).accountId).toBe("sales");
  });

  it("inherits credentials and policy but not the sender or the public URL", () => {
    const sales = resolveAccount(section, "sales", noEnv);
    expect(sales).toMatchObject({
      accountSid: SID,
      authToken: "shared",
      fromNumber: "+15550002222",
      dmPolicy: "allowlist",
      allowFrom: ["+15551230001"],
      webhookPath: "/twilio-sms/sales",
      publicUrl: undefined,
    });
  });

  it("lets a named account override what it inherits", () => {
    const other = resolveAccount(section, "other", noEnv);
    expect(other).toMatchObject({ accountSid: SID2, authToken: "other", dmPolicy: "pairing", fromNumber: undefined });
    expect(other.sender).toEqual({ kind: "service", messagingServiceSid: MG });
  });

  it("omits an unconfigured root when only named accounts exist", () => {
    expect(listAccountIds({ accounts: { a: { fromNumber: "+15550002222" } } }, noEnv)).toEqual(["a"]);
  });
});
