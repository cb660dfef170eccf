/**
 * The inbound journal: every verified text is written here before Twilio gets
 * its 200, because Twilio never redelivers an acknowledged message. The row
 * is both the replay record (one per MessageSid) and the work item a restart
 * resumes. Once processed, the sender's number and text are purged; only the
 * SID, timestamps and outcome stay, for the replay window.
 */
import type { DatabaseSync } from "node:sqlite";
import type { InboundSms } from "../webhook/form.ts";

export const JOURNAL_RETENTION_MS = 48 * 60 * 60 * 1000;

export type JournalState = "pending" | "running" | "done";

export type JournaledText = { event: InboundSms; receivedAt: number };

export interface InboundJournal {
  /** Durably records a new text; "duplicate" when its MessageSid was seen before. Throws when the store cannot be written. */
  admit(event: InboundSms, now: number): "new" | "duplicate";
  /** Forgets a text that was refused before the ack, so Twilio's retry is accepted. */
  release(messageSid: string): void;
  markRunning(messageSid: string): void;
  /** A reply reached Twilio: a restart must not run this turn again. */
  markReplied(messageSid: string): void;
  finish(messageSid: string, outcome: string, now: number): void;
  /** Texts a crash or stop left unanswered, oldest first: pending ones, and running ones with no reply yet. */
  unfinished(): JournaledText[];
  /** Running texts that already replied: their turn is over as far as the sender can tell. */
  settleReplied(now: number): number;
  prune(now: number): number;
  counts(): Record<JournalState, number>;
}

export function createInboundJournal(db: DatabaseSync, accountId: string): InboundJournal {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO inbound_journal (account_id, message_sid, state, payload, received_at) VALUES (?, ?, 'pending', ?, ?)",
  );
  const remove = db.prepare("DELETE FROM inbound_journal WHERE account_id = ? AND message_sid = ? AND state = 'pending'");
  const running = db.prepare("UPDATE inbound_journal SET state = 'running' WHERE account_id = ? AND message_sid = ?");
  const replied = db.prepare("UPDATE inbound_journal SET replied = 1 WHERE account_id = ? AND message_sid = ?");
  const finish = db.prepare(
    "UPDATE inbound_journal SET state = 'done', payload = NULL, finished_at = ?, outcome = ? WHERE account_id = ? AND message_sid = ?",
  );
  const unfinished = db.prepare(
    "SELECT payload, received_at FROM inbound_journal WHERE account_id = ? AND state != 'done' AND replied = 0 AND payload IS NOT NULL " +
      "ORDER BY received_at",
  );
  const settle = db.prepare(
    "UPDATE inbound_journal SET state = 'done', payload = NULL, finished_at = ?, outcome = 'replied-before-restart' " +
      "WHERE account_id = ? AND state = 'running' AND replied = 1",
  );
  const expire = db.prepare("DELETE FROM inbound_journal WHERE account_id = ? AND state = 'done' AND finished_at < ?");
  const count = db.prepare("SELECT state, COUNT(*) AS n FROM inbound_journal WHERE account_id = ? GROUP BY state");
  return {
    admit: (event, now) =>
      Number(insert.run(accountId, event.messageSid, JSON.stringify(event), now).changes) === 1 ? "new" : "duplicate",
    release: (sid) => {
      remove.run(accountId, sid);
    },
    markRunning: (sid) => {
      running.run(accountId, sid);
    },
    markReplied: (sid) => {
      replied.run(accountId, sid);
    },
    finish: (sid, outcome, now) => {
      finish.run(now, outcome, accountId, sid);
    },
    unfinished: () =>
      (unfinished.all(accountId) as { payload: string; received_at: number }[]).map((row) => ({
        event: JSON.parse(String(row.payload)) as InboundSms,
        receivedAt: Number(row.received_at),
      })),
    settleReplied: (now) => Number(settle.run(now, accountId).changes),
    prune: (now) => Number(expire.run(accountId, now - JOURNAL_RETENTION_MS).changes),
    counts: () => {
      const result: Record<JournalState, number> = { pending: 0, running: 0, done: 0 };
      for (const row of count.all(accountId) as { state: JournalState; n: number }[]) result[row.state] = Number(row.n);
      return result;
    },
  };
}
