// The inbound media adapter against the emulator: the SDK's real guarded fetch and media store.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectMime } from "openclaw/plugin-sdk/media-mime";
import { readRemoteMediaBuffer } from "openclaw/plugin-sdk/media-runtime";
import { saveMediaBuffer } from "openclaw/plugin-sdk/media-store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, startTwilioEmulator, type TwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { MediaSettings } from "../../src/config/accounts.ts";
import { takeInboundMedia, type InboundMediaAccount } from "../../src/media/inbound.ts";
import { readInboundMediaRefs } from "../../src/media/inbound-plan.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";
import { JPEG_MAGIC, PNG } from "../support/pictures.ts";

const AGENT = "+15551230001";
const HANDSET = "+15557650001";
const OTHER_SID = "AC22222222222222222222222222222222";
const OTHER_TOKEN = "22222222222222222222222222222222";

let emulator: TwilioEmulator;
let stateDir: string;
let warnings: string[];
const previousStateDir = process.env.OPENCLAW_STATE_DIR;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "twilio-sms-media-"));
  process.env.OPENCLAW_STATE_DIR = stateDir;
  emulator = await startTwilioEmulator({
    accounts: [
      { accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, phoneNumbers: [AGENT] },
      { accountSid: OTHER_SID, authToken: OTHER_TOKEN },
    ],
  });
});

afterAll(async () => {
  await emulator.close();
  if (previousStateDir === undefined) delete process.env.OPENCLAW_STATE_DIR;
  else process.env.OPENCLAW_STATE_DIR = previousStateDir;
  await rm(stateDir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.reset();
  warnings = [];
});
afterEach(() => emulator.reset());

function account(media: Partial<MediaSettings> = {}): InboundMediaAccount {
  return {
    accountSid: DEFAULT_ACCOUNT_SID,
    authToken: DEFAULT_AUTH_TOKEN,
    apiBaseUrl: emulator.url,
    media: { maxBytes: 5 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024, deleteAfterDownload: false, cdnHosts: [new URL(emulator.cdnOrigin).hostname], ...media },
  };
}

const deps = () => ({
  media: { readRemoteMediaBuffer, saveMediaBuffer },
  detectMime,
  deleteMedia: createTwilioClient({ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, apiBaseUrl: emulator.url }).deleteMedia,
  log: { warn: (message: string) => warnings.push(message) },
  now: Date.now,
});

/** Texts the agent through the emulator (its webhook goes nowhere; only the parameters matter here). */
async function textIn(media: { contentType: string; bytes: Buffer }[], options: { accountSid?: string } = {}) {
  const { params } = await emulator
    .sendInboundSms({ webhookUrl: `${emulator.url}/nowhere`, from: HANDSET, to: AGENT, body: "look", media, ...options })
    .catch(() => expect.unreachable("the emulator could not post the webhook"));
  return params;
}

const mediaGets = () => emulator.requests.filter((r) => r.path.includes("/Media/"));

describe("takeInboundMedia", () => {
  it("saves the picture through the SDK store and never sends credentials to the CDN", async () => {
    const params = await textIn([{ contentType: "image/png", bytes: PNG }]);
    const result = await takeInboundMedia(readInboundMediaRefs(params), { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! }, account(), deps());
    expect(result.note).toBeUndefined();
    expect(result.facts).toMatchObject([
      { path: expect.stringContaining(join(stateDir, "media", "inbound")), contentType: "image/png", kind: "image", sizeBytes: PNG.length, messageId: params.MessageSid },
    ]);
    expect(result.facts[0]?.url).toBeUndefined();
    expect(await readFile(result.facts[0]!.path!)).toEqual(PNG);
    expect(mediaGets().map((r) => r.status)).toEqual([307]);
    expect(emulator.cdnRequests.map((r) => ({ authorization: r.authorization, status: r.status }))).toEqual([{ authorization: false, status: 200 }]);
  });

  it("keeps attachment order and stores each file under the type its bytes show", async () => {
    const params = await textIn([
      { contentType: "image/jpeg", bytes: JPEG_MAGIC },
      { contentType: "image/jpeg", bytes: PNG },
    ]);
    const result = await takeInboundMedia(readInboundMediaRefs(params), { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! }, account(), deps());
    expect(result.facts.map((f) => f.contentType)).toEqual(["image/jpeg", "image/png"]);
  });

  it("refuses a redirect to a host that is not a media host, and nothing reaches it", async () => {
    const params = await textIn([{ contentType: "image/png", bytes: PNG }]);
    const result = await takeInboundMedia(readInboundMediaRefs(params), { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! }, account({ cdnHosts: [] }), deps());
    expect(result.facts).toEqual([]);
    expect(result.note).toBe("[1 picture could not be downloaded (served from an unexpected host)]");
    expect(emulator.cdnRequests).toEqual([]);
    expect(warnings.join("\n")).not.toContain(DEFAULT_AUTH_TOKEN);
  });

  it("refuses an oversize picture and tells the agent", async () => {
    const params = await textIn([{ contentType: "image/png", bytes: PNG }]);
    const result = await takeInboundMedia(readInboundMediaRefs(params), { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! }, account({ maxBytes: 20 }), deps());
    expect(result.facts).toEqual([]);
    expect(result.note).toBe("[1 picture could not be downloaded (too large)]");
  });

  it("takes what fits in the per-message total and names the rest", async () => {
    const params = await textIn([
      { contentType: "image/png", bytes: PNG },
      { contentType: "image/png", bytes: PNG },
    ]);
    const total = PNG.length + 10;
    const result = await takeInboundMedia(readInboundMediaRefs(params), { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! }, account({ maxTotalBytes: total }), deps());
    expect(result.facts).toHaveLength(1);
    expect(result.note).toBe("[1 picture could not be downloaded (over the size limit for one message)]");
  });

  it("refuses bytes that are not a picture although labelled as one", async () => {
    const params = await textIn([{ contentType: "image/png", bytes: Buffer.from("#!/bin/sh\nrm -rf /\n") }]);
    const result = await takeInboundMedia(readInboundMediaRefs(params), { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! }, account(), deps());
    expect(result.facts).toEqual([]);
    expect(result.note).toBe("[1 picture could not be downloaded (unsupported file type)]");
  });

  it("downloads nothing for a forged webhook naming another account's media", async () => {
    const foreign = await textIn([{ contentType: "image/png", bytes: PNG }], { accountSid: OTHER_SID });
    emulator.reset();
    const forged = { NumMedia: "1", MediaUrl0: foreign.MediaUrl0!, MediaContentType0: "image/png" };
    const event = { accountSid: DEFAULT_ACCOUNT_SID, messageSid: foreign.MessageSid! };
    const result = await takeInboundMedia(readInboundMediaRefs(forged), event, account(), deps());
    expect(result.facts).toEqual([]);
    expect(result.note).toBe("[1 picture could not be downloaded (not from this message)]");
    expect(emulator.requests).toEqual([]);
  });

  it("deletes the Media resource at Twilio once saved, when asked to", async () => {
    const params = await textIn([{ contentType: "image/png", bytes: PNG }]);
    const result = await takeInboundMedia(
      readInboundMediaRefs(params),
      { accountSid: DEFAULT_ACCOUNT_SID, messageSid: params.MessageSid! },
      account({ deleteAfterDownload: true }),
      deps(),
    );
    expect(result.facts).toHaveLength(1);
    expect(emulator.media).toEqual([]);
  });
});
