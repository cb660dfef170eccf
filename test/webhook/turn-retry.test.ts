// A journaled text whose turn fails for a passing reason is tried again after a
// pause, and the sender hears an apology only when every try failed. Real
// SQLite stores; the pauses are an injected sleep, so no test waits for real.
import { afterEach, describe, expect, it } from "vitest";
import { buildInboundSmsParams } from "../../sandbox/emulator/index.ts";
import { resolveAccount } from "../../src/config/accounts.ts";
import type { SentPart } from "../../src/outbound/receipts.ts";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore } from "../../src/store/deliveries.ts";
import { createInboundJournal } from "../../src/store/journal.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import { createAccountWebhook, TURN_FAILED_REPLY, TURN_RETRY_DELAYS_MS } from "../../src/webhook/account.ts";
import { parseForm, readWebhook } from "../../src/webhook/form.ts";
import type { InboundSms } from "../../src/webhook/form.ts";
import { useTempStateDirs } from "../store/temp-state.ts";

const ACCOUNT_SID = `AC${"7".repeat(32)}`;
const FROM = "+15550008001";
const SENDER = "+15551238001";

const stateDir = useTempStateDirs();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function inbound(body: string): InboundSms {
  const parsed = readWebhook(parseForm(new URLSearchParams(buildInboundSmsParams({ accountSid: ACCOUNT_SID, from: SENDER, to: FROM, body })).toString()));
  if (parsed.kind !== "message") throw new Error(`not a message: ${parsed.kind}`);
  return parsed.event;
}

/** An account whose turns fail `failures` times before they answer; sleeps resolve at once unless held. */
function setUp(failures: number, options: { holdSleep?: boolean } = {}) {
  const db = openDatabase(stateDir());
  const account = resolveAccount({ accountSid: ACCOUNT_SID, authToken: "t".repeat(32), fromNumber: FROM, allowFrom: ["*"], dmPolicy: "open" }, undefined, {});
  const journal = createInboundJournal(db, account.accountId);
  const sleeps: number[] = [];
  const sent: string[] = [];
  const logs: string[] = [];
  let attempts = 0;
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const webhook = createAccountWebhook({
    account,
    journal,
    optOuts: createOptOutLedger(db),
    deliveries: createDeliveryStore(db, account.accountId),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    now: () => Date.UTC(2026, 0, 5, 12),
    sendText: async (_to, text): Promise<SentPart[]> => {
      sent.push(text);
      return [{ index: 0, sid: `SM${String(sent.length).padStart(32, "0")}`, status: "queued", segments: 1, encoding: "GSM-7" }];
    },
    dispatchTurn: async (_event, reply) => {
      attempts += 1;
      if (attempts <= failures) throw new Error("another OpenClaw process owns state-lifecycle");
      await reply("answered");
      return "dispatched";
    },
    onQueueChange: () => {
      if (webhook.queueStatus().running === 0) settled();
    },
    sleep: (ms, signal) => {
      sleeps.push(ms);
      if (!options.holdSleep) return Promise.resolve();
      return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    },
  });
  cleanups.push(() => {
    webhook.close();
    db.close();
  });
  return { webhook, journal, sleeps, sent, logs, done, attempts: () => attempts };
}

describe("a failed turn", () => {
  it("is tried again after each pause and answers once, with no apology", async () => {
    const setup = setUp(TURN_RETRY_DELAYS_MS.length);
    expect(setup.webhook.accept(inbound("hello"))).toBe("ack");
    await setup.done;
    expect(setup.attempts()).toBe(TURN_RETRY_DELAYS_MS.length + 1);
    expect(setup.sleeps).toEqual([...TURN_RETRY_DELAYS_MS]);
    expect(setup.sent).toEqual(["answered"]);
    expect(setup.journal.counts()).toMatchObject({ pending: 0, running: 0, done: 1 });
    expect(setup.logs.some((line) => line.includes("trying it again in 2 s"))).toBe(true);
  });

  it("gets one apology once every try failed, and the log says how many", async () => {
    const setup = setUp(Number.POSITIVE_INFINITY);
    setup.webhook.accept(inbound("hello"));
    await setup.done;
    expect(setup.attempts()).toBe(TURN_RETRY_DELAYS_MS.length + 1);
    expect(setup.sent).toEqual([TURN_FAILED_REPLY]);
    expect(setup.logs.some((line) => line.includes(`failed ${TURN_RETRY_DELAYS_MS.length + 1} times`))).toBe(true);
    expect(setup.journal.counts()).toMatchObject({ done: 1 });
  });

  it("waiting for its next try when the account stops, stays in the journal for the next start", async () => {
    const setup = setUp(Number.POSITIVE_INFINITY, { holdSleep: true });
    setup.webhook.accept(inbound("hello"));
    await expect.poll(() => setup.sleeps.length).toBe(1);
    expect(await setup.webhook.drain(1_000)).toBe(true);
    setup.webhook.close();
    expect(setup.sent).toEqual([]);
    expect(setup.journal.unfinished().map((text) => text.event.body)).toEqual(["hello"]);
  });
});
