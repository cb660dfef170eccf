import { describe, expect, it } from "vitest";
import {
  acceptedType,
  describeRefusals,
  MediaBudget,
  mediaHostPolicy,
  mediaSidOf,
  planInboundDownloads,
  readInboundMediaRefs,
} from "../../src/media/inbound-plan.ts";

const AC = "AC0123456789abcdef0123456789abcdef";
const OTHER_AC = "ACffffffffffffffffffffffffffffffff";
const MM = `MM${"1".repeat(32)}`;
const ME = `ME${"a".repeat(32)}`;
const API = "https://api.twilio.com";
const account = { accountSid: AC, apiBaseUrl: API };
const mediaUrl = (overrides: { origin?: string; ac?: string; mm?: string; me?: string } = {}) =>
  `${overrides.origin ?? API}/2010-04-01/Accounts/${overrides.ac ?? AC}/Messages/${overrides.mm ?? MM}/Media/${overrides.me ?? ME}`;

describe("readInboundMediaRefs", () => {
  it("reads MediaUrl{N} and MediaContentType{N} for NumMedia items", () => {
    const refs = readInboundMediaRefs({ NumMedia: "2", MediaUrl0: "u0", MediaContentType0: "image/jpeg", MediaUrl1: "u1", MediaContentType1: "image/png" });
    expect(refs).toEqual([
      { index: 0, url: "u0", declaredType: "image/jpeg" },
      { index: 1, url: "u1", declaredType: "image/png" },
    ]);
  });

  it("keeps an item counted without a URL, and a URL beyond the count", () => {
    expect(readInboundMediaRefs({ NumMedia: "2", MediaUrl0: "u0" }).map((r) => r.url)).toEqual(["u0", undefined]);
    expect(readInboundMediaRefs({ NumMedia: "0", MediaUrl0: "u0" }).map((r) => r.url)).toEqual(["u0"]);
  });

  it("never reads past MediaUrl9 and bounds a nonsense NumMedia", () => {
    const refs = readInboundMediaRefs({ NumMedia: "1000000", MediaUrl10: "u10" });
    expect(refs).toHaveLength(100);
    expect(refs[10]?.url).toBeUndefined();
  });
});

describe("mediaSidOf: only this account's and this message's Media URL on the API host", () => {
  it("accepts the exact URL", () => {
    expect(mediaSidOf(mediaUrl(), account, MM)).toBe(ME);
  });

  it.each([
    ["another host", mediaUrl({ origin: "https://evil.example" })],
    ["http instead of https", mediaUrl({ origin: "http://api.twilio.com" })],
    ["another port", mediaUrl({ origin: "https://api.twilio.com:8443" })],
    ["another account", mediaUrl({ ac: OTHER_AC })],
    ["another message", mediaUrl({ mm: `MM${"2".repeat(32)}` })],
    ["not a Media SID", mediaUrl({ me: "ME123" })],
    ["a path escape", `${mediaUrl()}/../../../../Calls.json`],
    ["a query", `${mediaUrl()}?x=1`],
    ["credentials in the URL", mediaUrl({ origin: "https://user:pw@api.twilio.com" })],
    ["not a URL", "not a url"],
  ])("refuses %s", (_, url) => {
    expect(mediaSidOf(url, account, MM)).toBeUndefined();
  });

  it("follows a configured apiBaseUrl (an emulator) with its port", () => {
    const local = { accountSid: AC, apiBaseUrl: "http://127.0.0.1:4010" };
    expect(mediaSidOf(mediaUrl({ origin: "http://127.0.0.1:4010" }), local, MM)).toBe(ME);
    expect(mediaSidOf(mediaUrl({ origin: "http://127.0.0.1:4011" }), local, MM)).toBeUndefined();
    expect(mediaSidOf(mediaUrl(), local, MM)).toBeUndefined();
  });
});

describe("planInboundDownloads", () => {
  it("downloads good URLs and names why the rest are refused", () => {
    const refs = [
      { index: 0, url: mediaUrl(), declaredType: "image/jpeg" },
      { index: 1, url: undefined, declaredType: "image/png" },
      { index: 2, url: mediaUrl({ ac: OTHER_AC }), declaredType: "image/png" },
      { index: 10, url: undefined, declaredType: undefined },
    ];
    const plan = planInboundDownloads(refs, account, { accountSid: AC, messageSid: MM });
    expect(plan.downloads).toEqual([{ index: 0, url: mediaUrl(), mediaSid: ME, declaredType: "image/jpeg" }]);
    expect(plan.refused.map((r) => [r.index, r.reason])).toEqual([
      [1, "missing-url"],
      [2, "not-this-message"],
      [10, "too-many"],
    ]);
  });

  it("downloads nothing for a webhook that names another account", () => {
    const refs = [{ index: 0, url: mediaUrl({ ac: OTHER_AC }), declaredType: "image/jpeg" }];
    const plan = planInboundDownloads(refs, account, { accountSid: OTHER_AC, messageSid: MM });
    expect(plan.downloads).toEqual([]);
    expect(plan.refused[0]?.reason).toBe("not-this-message");
  });
});

describe("mediaHostPolicy", () => {
  it("allows Twilio's media hosts, exactly, and no private addresses in production", () => {
    expect(mediaHostPolicy(API, [], API)).toEqual({
      hostnameAllowlist: ["api.twilio.com", "mms.twiliocdn.com", "media.twiliocdn.com", "s3-external-1.amazonaws.com"],
      allowedHostnames: [],
      requireHttps: true,
    });
  });

  it("lets only the configured emulator hosts resolve to loopback", () => {
    const policy = mediaHostPolicy("http://127.0.0.1:4010", ["127.0.0.2"], API);
    expect(policy.allowedHostnames).toEqual(["127.0.0.1", "127.0.0.2"]);
    expect(policy.hostnameAllowlist).toContain("127.0.0.2");
    expect(policy.requireHttps).toBe(false);
  });

  it("never lets a configured public host name resolve to a private address", () => {
    const policy = mediaHostPolicy("https://twilio-proxy.example.com", ["cdn.example.com"], API);
    expect(policy.allowedHostnames).toEqual([]);
    expect(policy.hostnameAllowlist).toEqual(expect.arrayContaining(["twilio-proxy.example.com", "cdn.example.com"]));
  });
});

describe("MediaBudget", () => {
  it("gives each file its own cap until the shared total runs out", () => {
    const budget = new MediaBudget(100, 250);
    expect(budget.next()).toBe(100);
    budget.spend(100);
    budget.spend(100);
    expect([budget.next(), budget.perItemBinds()]).toEqual([50, false]);
    budget.spend(50);
    expect(budget.next()).toBeUndefined();
  });
});

describe("acceptedType checks the bytes, not the label", () => {
  const bytes = Buffer.from("hello");
  it("takes a sniffed, allowed type and refuses a sniffed, disallowed one", () => {
    expect(acceptedType("image/png", "image/jpeg", bytes)).toBe("image/png");
    expect(acceptedType("application/x-msdownload", "image/jpeg", bytes)).toBeUndefined();
  });

  it("refuses unrecognisable bytes that claim to be a picture", () => {
    expect(acceptedType(undefined, "image/jpeg", bytes)).toBeUndefined();
  });

  it("takes declared plain text only when it is UTF-8 without NUL bytes", () => {
    expect(acceptedType(undefined, "text/plain; charset=utf-8", Buffer.from("héllo"))).toBe("text/plain");
    expect(acceptedType(undefined, "text/plain", Buffer.from([0x68, 0x00]))).toBeUndefined();
    expect(acceptedType(undefined, "text/plain", Buffer.from([0xff, 0xfe, 0x41]))).toBeUndefined();
  });
});

describe("describeRefusals", () => {
  it("says nothing when nothing failed", () => {
    expect(describeRefusals([])).toBeUndefined();
  });

  it("counts pictures and says why", () => {
    expect(describeRefusals([{ index: 0, declaredType: "image/jpeg", reason: "too-large" }])).toBe("[1 picture could not be downloaded (too large)]");
  });

  it("says attachments for mixed types and counts each reason", () => {
    expect(
      describeRefusals([
        { index: 0, declaredType: "image/jpeg", reason: "too-large" },
        { index: 1, declaredType: "video/mp4", reason: "wrong-type" },
        { index: 2, declaredType: "image/png", reason: "too-large" },
      ]),
    ).toBe("[3 attachments could not be downloaded (2 too large, 1 unsupported file type)]");
  });
});
