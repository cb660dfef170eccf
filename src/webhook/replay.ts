/**
 * Lets each inbound MessageSid be claimed once per account. An lru-cache hot
 * set answers most replays without touching disk; the SQLite record makes
 * the claim survive a gateway restart and lasts well past Twilio's retry
 * horizon.
 */
import { LRUCache } from "lru-cache";
import type { DatabaseSync } from "node:sqlite";

export const REPLAY_RETENTION_MS = 48 * 60 * 60 * 1000;

export type Claim = "claimed" | "duplicate";

export interface ReplayGuard {
  claim(messageSid: string, now: number): Claim;
  /** Forgets a claim whose request was refused before the ack, so Twilio's retry is accepted. */
  release(messageSid: string): void;
  prune(now: number): number;
}

export function createReplayGuard(db: DatabaseSync, accountId: string, hotSetSize = 10_000): ReplayGuard {
  const hot = new LRUCache<string, true>({ max: hotSetSize });
  const insert = db.prepare("INSERT OR IGNORE INTO inbound_claims (account_id, message_sid, claimed_at) VALUES (?, ?, ?)");
  const remove = db.prepare("DELETE FROM inbound_claims WHERE account_id = ? AND message_sid = ?");
  const expire = db.prepare("DELETE FROM inbound_claims WHERE account_id = ? AND claimed_at < ?");
  return {
    claim(messageSid, now) {
      if (hot.has(messageSid)) return "duplicate";
      hot.set(messageSid, true);
      // The insert is the atomic claim: a row that already exists means another delivery won.
      return Number(insert.run(accountId, messageSid, now).changes) === 1 ? "claimed" : "duplicate";
    },
    release(messageSid) {
      hot.delete(messageSid);
      remove.run(accountId, messageSid);
    },
    prune(now) {
      return Number(expire.run(accountId, now - REPLAY_RETENTION_MS).changes);
    },
  };
}
