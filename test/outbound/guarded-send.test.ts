// The guarded sender: the opt-out ledger and the per-recipient daily budget around sendSms.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioEmulator, type TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { resolveAccount } from "../../src/config/accounts.ts";
import { SpendGuardError } from "../../src/outbound/budget.ts";
import { createGuardedSender, OptedOutError } from "../../src/outbound/guarded-send.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore } from "../../src/store/deliveries.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import type { DatabaseSync } from "node:sqlite";

const FROM = "+15550001111";
const TO = "+15551230001";
const DAY_MS = 24 * 60 * 60 * 1000;
const TEN_SEGMENT_PARAGRAPHS = (count: number) =>
  Array.from({ length: count }, (_, i) => `Part ${i + 1}. ${"word ".repeat(290).trim()}.`).join("\n\n");

let emulator: TwilioEmulator;
let stateDir: string;
let now: number;

beforeAll(async () => {
  emulator = await startTwilioEmulator();
});
const databases: DatabaseSync[] = [];
afterAll(async () => {
  await emulator?.close();
  // The last test's folder too: each beforeEach removes only the one before it.
  for (const db of databases.splice(0)) db.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const db of databases.splice(0)) db.close();
  emulator.reset();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  stateDir = await mkdtemp(join(tmpdir(), "twilio-sms-guarded-"));
  now = Date.UTC(2026, 10, 24, 12);
});

function setup(extra: Record<string, unknown> = {}) {
  const account = resolveAccount(
    { accountSid: emulator.accountSid, authToken: emulator.authToken, fromNumber: FROM, apiBaseUrl: emulator.url, ...extra },
    undefined,
    {},
  );
  const db = openDatabase(stateDir);
  databases.push(db);
  const send = createGuardedSender({
    client: createTwilioClient({ accountSid: account.accountSid ?? "", authToken: account.authToken ?? "", apiBaseUrl: account.apiBaseUrl }),
    optOuts: createOptOutLedger(db),
    deliveries: createDeliveryStore(db, account.accountId),
    now: () => now,
    sleep: async () => {},
    random: () => 0,
  });
  return (text: string) => send({ account, to: TO, text });
}

const billed = () => emulator.messages.reduce((sum, message) => sum + message.numSegments, 0);

describe("opt-outs", () => {
  it("a 21610 on part 2 of a reply records the opt-out, so the next send never reaches Twilio", async () => {
    const send = setup();
    emulator.failNext({ kind: "delay", ms: 0 });
    emulator.failNext({ kind: "twilio-error", status: 400, code: 21610 });
    await expect(send(TEN_SEGMENT_PARAGRAPHS(3))).rejects.toThrow(/opted out by texting STOP \(21610\)/);
    const requests = emulator.requests.length;
    await expect(send("hello?")).rejects.toBeInstanceOf(OptedOutError);
    expect(emulator.requests).toHaveLength(requests);
  });
});

describe("dailySegmentsPerRecipient", () => {
  it("cuts the reply that would cross it, refuses the next, and starts again the next UTC day", async () => {
    const send = setup({ dailySegmentsPerRecipient: 12 });
    await send(TEN_SEGMENT_PARAGRAPHS(3));
    expect(emulator.messages.map((message) => message.numSegments)).toEqual([10, 2]);
    expect(emulator.messages.at(-1)?.body).toMatch(/\n\[\.\.\.truncated\]$/);

    const requests = emulator.requests.length;
    await expect(send("one more")).rejects.toThrow(
      "twilio-sms: nothing was sent to +1******0001: today's segment budget for this number is spent (dailySegmentsPerRecipient); it resets at 00:00 UTC",
    );
    await expect(send("one more")).rejects.toBeInstanceOf(SpendGuardError);
    expect(emulator.requests).toHaveLength(requests);

    now += DAY_MS;
    emulator.reset();
    await send("good morning");
    expect(emulator.messages).toHaveLength(1);
  });

  it("counts a part whose outcome is unknown, because Twilio may have billed it", async () => {
    const send = setup({ dailySegmentsPerRecipient: 15 });
    emulator.failNext({ kind: "server-error" });
    await expect(send(TEN_SEGMENT_PARAGRAPHS(1))).rejects.toThrow(/it may still have been created, so it was not resent/);
    await send(TEN_SEGMENT_PARAGRAPHS(1));
    expect(billed()).toBeLessThanOrEqual(5);
  });

  it("is off by default", async () => {
    const send = setup();
    for (let i = 0; i < 3; i++) await send(TEN_SEGMENT_PARAGRAPHS(2));
    expect(billed()).toBe(60);
  });
});
