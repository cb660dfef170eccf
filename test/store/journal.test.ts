import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.ts";
import { createInboundJournal, JOURNAL_RETENTION_MS } from "../../src/store/journal.ts";
import type { InboundSms } from "../../src/webhook/form.ts";
import { createReplayGuard } from "../../src/webhook/replay.ts";
import { useTempStateDirs } from "./temp-state.ts";

const stateDir = useTempStateDirs();

function sms(sid: string, body = "hello"): InboundSms {
  return {
    messageSid: sid,
    accountSid: `AC${"0".repeat(32)}`,
    from: "+15551230001",
    to: "+15550001111",
    body,
    messagingServiceSid: undefined,
    numMedia: 0,
    optOutType: undefined,
  };
}

describe("inbound journal", () => {
  it("admits a MessageSid once per account", () => {
    const db = openDatabase(stateDir());
    const a = createInboundJournal(db, "a");
    const b = createInboundJournal(db, "b");
    expect(a.admit(sms("SM1"), 0)).toBe("new");
    expect(a.admit(sms("SM1"), 0)).toBe("duplicate");
    expect(b.admit(sms("SM1"), 0)).toBe("new");
    db.close();
  });

  it("gives back what a crash left unanswered, and purges number and text once done", () => {
    const dir = stateDir();
    const first = openDatabase(dir);
    const journal = createInboundJournal(first, "a");
    journal.admit(sms("SM1", "first"), 1);
    journal.admit(sms("SM2", "second"), 2);
    journal.admit(sms("SM3", "third"), 3);
    journal.admit(sms("SM4", "fourth"), 4);
    journal.markRunning("SM2");
    journal.markRunning("SM3");
    journal.markReplied("SM3");
    journal.markRunning("SM4");
    journal.finish("SM4", "dispatched", 5);
    first.close();

    const second = openDatabase(dir);
    const resumed = createInboundJournal(second, "a");
    expect(resumed.settleReplied(6)).toBe(1);
    expect(resumed.unfinished().map(({ event, receivedAt }) => [event.messageSid, event.body, receivedAt])).toEqual([
      ["SM1", "first", 1],
      ["SM2", "second", 2],
    ]);
    expect(resumed.counts()).toEqual({ pending: 1, running: 1, done: 2 });
    const done = second.prepare("SELECT payload FROM inbound_journal WHERE state = 'done'").all();
    expect(done).toEqual([{ payload: null }, { payload: null }]);
    second.close();
  });

  it("keeps finished SIDs for the replay window, then prunes them", () => {
    const db = openDatabase(stateDir());
    const journal = createInboundJournal(db, "a");
    journal.admit(sms("SM1"), 0);
    journal.finish("SM1", "dispatched", 0);
    journal.admit(sms("SM2"), 0);
    expect(JOURNAL_RETENTION_MS).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    expect(journal.prune(JOURNAL_RETENTION_MS - 1)).toBe(0);
    expect(journal.prune(JOURNAL_RETENTION_MS + 1)).toBe(1);
    expect(journal.admit(sms("SM1"), 1)).toBe("new");
    expect(journal.counts().pending).toBe(2);
    db.close();
  });
});

describe("replay guard", () => {
  it("refuses a replay from the hot set and, after a restart, from the journal", () => {
    const dir = stateDir();
    const first = openDatabase(dir);
    const guard = createReplayGuard(createInboundJournal(first, "a"));
    expect(guard.claim(sms("SM1"), 0)).toBe("claimed");
    expect(guard.claim(sms("SM1"), 0)).toBe("duplicate");
    first.close();
    const second = openDatabase(dir);
    expect(createReplayGuard(createInboundJournal(second, "a")).claim(sms("SM1"), 1)).toBe("duplicate");
    second.close();
  });

  it("release lets a text refused before the ack be claimed again", () => {
    const db = openDatabase(stateDir());
    const guard = createReplayGuard(createInboundJournal(db, "a"));
    guard.claim(sms("SM1"), 0);
    guard.release("SM1");
    expect(guard.claim(sms("SM1"), 0)).toBe("claimed");
    db.close();
  });

  it("throws when the journal cannot be written, so the account can run the text from memory", () => {
    const db = openDatabase(stateDir());
    const guard = createReplayGuard(createInboundJournal(db, "a"));
    db.close();
    expect(() => guard.claim(sms("SM9"), 0)).toThrow();
  });
});
