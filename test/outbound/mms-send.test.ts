// The MMS sender against the Twilio emulator: the file is hosted on a loopback
// server standing in for the gateway's route, Twilio (the emulator) fetches it,
// and the link dies once the message is final.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioEmulator, type TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { resolveAccount } from "../../src/config/accounts.ts";
import { ConfigError } from "../../src/errors.ts";
import { createOutboundMediaHost, type OutboundMediaHost } from "../../src/media/host.ts";
import { createGuardedSender, createSegmentTally, OptedOutError } from "../../src/outbound/guarded-send.ts";
import { SpendGuardError } from "../../src/outbound/budget.ts";
import { createMmsSender, MmsRefusedError } from "../../src/outbound/mms-send.ts";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore } from "../../src/store/deliveries.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";
import { GIF, PNG, png, sha256 } from "../support/pictures.ts";

const FROM = "+15550001111";
const TO = "+15551230001";

let emulator: TwilioEmulator;
let server: Server;
let origin: string;
let host: OutboundMediaHost | undefined;
let stateDir: string;
const databases: DatabaseSync[] = [];

beforeAll(async () => {
  emulator = await startTwilioEmulator();
  server = createServer((req, res) => {
    if (!host?.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await emulator?.close();
});
beforeEach(async () => {
  emulator.reset();
  stateDir = await mkdtemp(join(tmpdir(), "twilio-sms-mms-"));
});
afterEach(async () => {
  for (const db of databases.splice(0)) db.close();
  await rm(stateDir, { recursive: true, force: true });
});

function setup(extra: Record<string, unknown> = {}) {
  const account = resolveAccount(
    { accountSid: emulator.accountSid, authToken: emulator.authToken, fromNumber: FROM, apiBaseUrl: emulator.url, publicUrl: `${origin}/twilio-sms/webhook`, ...extra },
    undefined,
    {},
  );
  const db = openDatabase(stateDir);
  databases.push(db);
  const client = createTwilioClient({ accountSid: account.accountSid ?? "", authToken: account.authToken ?? "", apiBaseUrl: account.apiBaseUrl });
  const optOuts = createOptOutLedger(db);
  const deliveries = createDeliveryStore(db, account.accountId);
  const now = () => Date.UTC(2026, 10, 24, 12);
  host = account.publicUrl ? createOutboundMediaHost({ publicUrl: account.publicUrl, webhookPath: account.webhookPath, now }) : undefined;
  const tally = createSegmentTally(now);
  const sendText = createGuardedSender({ client, optOuts, deliveries, now, tally, sleep: async () => {}, random: () => 0 });
  const send = createMmsSender({ client, host, optOuts, deliveries, now, tally, sendText });
  return { account, optOuts, send, sendText };
}

describe("createMmsSender", () => {
  it("sends one MMS whose hosted file Twilio fetches byte for byte; the receipt bills no segments; the link dies on the final status", async () => {
    const { account, send } = setup();
    const parts = await send({ account, to: TO, text: "**chart**", files: [{ bytes: PNG, contentType: "image/png", fileName: "chart.png" }] });
    const [message] = emulator.messages;
    expect(emulator.messages).toHaveLength(1);
    expect(message).toMatchObject({ to: TO, body: "chart" });
    expect(message!.sid).toMatch(/^MM/);
    expect(parts).toEqual([expect.objectContaining({ sid: message!.sid, segments: 0 })]);
    const get = message!.mediaFetches.find((fetch) => fetch.method === "GET");
    expect(get).toMatchObject({ status: 200, contentType: "image/png", sha256: sha256(PNG) });
    host!.settle(message!.sid);
    expect((await fetch(get!.url)).status).toBe(404);
  });

  it("without publicUrl fails with the config error naming the key, before calling Twilio", async () => {
    const { account, send } = setup({ publicUrl: undefined });
    const sending = send({ account, to: TO, text: "x", files: [{ bytes: PNG, contentType: "image/png", fileName: "a.png" }] });
    await expect(sending).rejects.toBeInstanceOf(ConfigError);
    await expect(sending).rejects.toThrow(/publicUrl is not set, so attachments cannot be sent/);
    expect(emulator.requests).toHaveLength(0);
  });

  it("refuses a number that opted out, and a file Twilio cannot carry, before calling Twilio", async () => {
    const { account, optOuts, send } = setup();
    await expect(send({ account, to: TO, text: "x", files: [{ bytes: Buffer.alloc(10), contentType: "application/zip", fileName: "a.zip" }] })).rejects.toBeInstanceOf(
      MmsRefusedError,
    );
    optOuts.record(account.accountId, TO, "keyword", Date.now());
    await expect(send({ account, to: TO, text: "x", files: [{ bytes: PNG, contentType: "image/png", fileName: "a.png" }] })).rejects.toBeInstanceOf(OptedOutError);
    expect(emulator.requests).toHaveLength(0);
  });

  it("sends several files as ONE MMS with a MediaUrl each and the text; one receipt part, billed as one MMS", async () => {
    const { account, send } = setup();
    const red = png({ width: 2, height: 2, rgba: [255, 0, 0, 255] });
    const files = [
      { bytes: PNG, contentType: "image/png", fileName: "a.png" },
      { bytes: GIF, contentType: "image/gif", fileName: "b.gif" },
      { bytes: red, contentType: "image/png", fileName: "c.png" },
    ];
    const custody: string[] = [];
    const parts = await send({ account, to: TO, text: "three", files, beforeSend: async () => void custody.push("checked") });
    expect(emulator.messages).toHaveLength(1);
    const [message] = emulator.messages;
    expect(message!.body).toBe("three");
    expect(message!.mediaUrls).toHaveLength(3);
    const gets = message!.mediaUrls.map((url) => message!.mediaFetches.find((fetch) => fetch.url === url && fetch.method === "GET"));
    expect(gets.map((get) => [get?.contentType, get?.sha256])).toEqual([
      ["image/png", sha256(PNG)],
      ["image/gif", sha256(GIF)],
      ["image/png", sha256(red)],
    ]);
    expect(parts).toEqual([{ index: 0, sid: message!.sid, status: "queued", segments: 0, encoding: "GSM-7", media: { count: 3, billedAs: "mms" } }]);
    expect(custody).toEqual(["checked"]);
  });

  it("splits 12 files into an MMS of 10 with the text and one of 2 without; the host's custody check runs before each", async () => {
    const { account, send } = setup();
    const files = Array.from({ length: 12 }, (_, i) => ({ bytes: png({ rgba: [i, 0, 0, 255] }), contentType: "image/png", fileName: `p${i}.png` }));
    let checks = 0;
    const parts = await send({ account, to: TO, text: "album", files, beforeSend: async () => void checks++ });
    expect(emulator.messages.map((message) => [message.body, message.mediaUrls.length])).toEqual([
      ["album", 10],
      ["", 2],
    ]);
    expect(parts.map((part) => part.media)).toEqual([
      { count: 10, billedAs: "mms" },
      { count: 2, billedAs: "mms" },
    ]);
    expect(checks).toBe(2);
  });

  it("a converted MMS (outside the US and Canada) is billed as SMS segments: charged to the daily budget, refused before Twilio when over it", async () => {
    const UK = "+447700900123";
    const { account, send, sendText } = setup({ dailySegmentsPerRecipient: 2 });
    const file = { bytes: PNG, contentType: "image/png", fileName: "a.png" };
    const [part] = await send({ account, to: UK, text: "Here you go", files: [file] });
    expect(part).toMatchObject({ segments: 1, media: { count: 1, billedAs: "sms" } });
    // One segment of two is left: 150 characters plus the link need two, so nothing is sent.
    await expect(send({ account, to: UK, text: "a".repeat(150), files: [file] })).rejects.toBeInstanceOf(SpendGuardError);
    await expect(send({ account, to: UK, text: "a".repeat(150), files: [file] })).rejects.toThrow(/dailySegmentsPerRecipient/);
    expect(emulator.messages).toHaveLength(1);
    // The SMS sender sees the same tally: one segment left.
    await sendText({ account, to: UK, text: "ok" });
    await expect(sendText({ account, to: UK, text: "more" })).rejects.toBeInstanceOf(SpendGuardError);
    // A US number's MMS is billed per message and charges no segments.
    const [us] = await send({ account, to: TO, text: "a".repeat(150), files: [file] });
    expect(us).toMatchObject({ segments: 0, media: { count: 1, billedAs: "mms" } });
  });
});
