/**
 * Senders we sent a pairing code to, so the gateway can text them once the
 * owner approves. `openclaw pairing approve --notify` cannot reach an external
 * channel from the CLI process (it loads plugins without their channels), so
 * the gateway notices the approval itself. A number is kept only until it is
 * notified or its code expires (one hour).
 */
import type { DatabaseSync } from "node:sqlite";

export const PAIRING_CODE_TTL_MS = 60 * 60 * 1000;

export interface PendingPairings {
  add(accountId: string, number: string, now: number): void;
  list(accountId: string, now: number): string[];
  remove(accountId: string, number: string): void;
}

export function createPendingPairings(db: DatabaseSync): PendingPairings {
  const upsert = db.prepare(
    "INSERT INTO pairing_pending (account_id, number, requested_at) VALUES (?, ?, ?) " +
      "ON CONFLICT (account_id, number) DO UPDATE SET requested_at = excluded.requested_at",
  );
  const expire = db.prepare("DELETE FROM pairing_pending WHERE account_id = ? AND requested_at < ?");
  const select = db.prepare("SELECT number FROM pairing_pending WHERE account_id = ?");
  const remove = db.prepare("DELETE FROM pairing_pending WHERE account_id = ? AND number = ?");
  return {
    add: (accountId, number, now) => {
      upsert.run(accountId, number, now);
    },
    list: (accountId, now) => {
      expire.run(accountId, now - PAIRING_CODE_TTL_MS);
      return select.all(accountId).map((row) => String((row as { number: unknown }).number));
    },
    remove: (accountId, number) => {
      remove.run(accountId, number);
    },
  };
}
