// The MMS sender against the Twilio emulator: the file is hosted on a loopback
// server standing in for the gateway's route, Twilio (the emulator) fetches it,
// and the link dies once the message is final.
import { createHash } from "node:crypto";
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
import { createGuardedSender, OptedOutError } from "../../src/outbound/guarded-send.ts";
import { createMmsSender, MmsRefusedError } from "../../src/outbound/mms-send.ts";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore } from "../../src/store/deliveries.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";

const FROM = "+15550001111";
const TO = "+15551230001";
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1c1d1f00000000049454e44ae426082",
  "hex",
);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

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
  const sendText = createGuardedSender({ client, optOuts, deliveries, now, sleep: async () => {}, random: () => 0 });
  const send = createMmsSender({ client, host, optOuts, deliveries, now, sendText });
  return { account, optOuts, send };
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
});
