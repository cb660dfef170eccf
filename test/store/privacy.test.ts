// Privacy at rest: once a text is processed, its number and body are gone from
// every state file (database, WAL, shared memory), read as raw bytes.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openAccountRuntime } from "../../src/account-runtime.ts";
import { resolveAccount } from "../../src/config/accounts.ts";
import { STORE_FILE, storeDirFor } from "../../src/store/db.ts";
import { WAL_TRUNCATE_DELAY_MS } from "../../src/store/wal-truncation.ts";
import type { InboundSms } from "../../src/webhook/form.ts";
import { useTempStateDirs } from "./temp-state.ts";

const stateDir = useTempStateDirs();
const ACCOUNT_SID = `AC${"7".repeat(32)}`;
const FROM = "+15550008001";
const SENDER = "+15551238765";
const BODY = "my secret appointment is on Tuesday at the clinic";

afterEach(() => {
  vi.useRealTimers();
});

function stateFiles(dir: string): Buffer[] {
  const base = join(storeDirFor(dir), STORE_FILE);
  return [base, `${base}-wal`, `${base}-shm`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
}

const holds = (files: Buffer[], needle: string) => files.some((bytes) => bytes.includes(Buffer.from(needle, "utf8")));

function sms(i: number): InboundSms {
  return {
    messageSid: `SM${String(i).padStart(32, "0")}`,
    accountSid: ACCOUNT_SID,
    from: SENDER,
    to: FROM,
    body: `${BODY} #${i}`,
    messagingServiceSid: undefined,
    numMedia: 0,
    optOutType: undefined,
  };
}

describe("state files after processing", () => {
  it("hold no sender number and no message body, in the database, its WAL or its shared memory", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const dir = stateDir();
    const account = resolveAccount({ accountSid: ACCOUNT_SID, authToken: "t".repeat(32), fromNumber: FROM, allowFrom: ["*"], dmPolicy: "open", limits: { messagesPerMinutePerSender: 100 } }, undefined, {});
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runtime = openAccountRuntime({
      account,
      stateDir: dir,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      createClient: () => ({
        close: () => undefined,
        createMessage: async () => ({ sid: `SM${"9".repeat(32)}`, status: "queued", numSegments: 1, errorCode: null }),
        findSentMessages: async () => [],
        deleteMedia: async () => true,
        senderRegistration: async () => ({ kind: "not-checked" as const }),
        findIncomingNumber: async () => undefined,
        webhookFailuresSince: async () => [],
      }),
      inbound: {
        dispatchTurn: async (_event, reply) => {
          await gate;
          await reply("noted");
          return "dispatched";
        },
      },
    });
    const webhook = runtime.webhook!;
    for (let i = 0; i < 20; i++) expect(webhook.accept(sms(i))).toBe("ack");

    // Journaled and waiting: the text is on disk, as it must be to survive a crash.
    expect(holds(stateFiles(dir), SENDER)).toBe(true);
    expect(holds(stateFiles(dir), BODY)).toBe(true);

    release();
    for (let i = 0; i < 50 && runtime.journal.counts().done < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(runtime.journal.counts().done).toBe(20);
    vi.advanceTimersByTime(WAL_TRUNCATE_DELAY_MS);

    const files = stateFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(holds(files, SENDER)).toBe(false);
    expect(holds(files, SENDER.slice(1))).toBe(false);
    expect(holds(files, BODY)).toBe(false);
    await runtime.close(0);
    expect(holds(stateFiles(dir), SENDER)).toBe(false);
    expect(holds(stateFiles(dir), BODY)).toBe(false);
  });
});
