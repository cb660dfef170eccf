/**
 * Delivery status per outbound Message SID: status, error code, timestamps
 * and a conflict flag. No numbers, no bodies.
 */
import type { DatabaseSync } from "node:sqlite";
import { foldStatus } from "../status/delivery.ts";
import type { DeliveryState, StatusUpdate } from "../status/delivery.ts";

export const DELIVERY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_ROWS_PER_ACCOUNT = 5000;

export type DeliveryRecord = DeliveryState & { messageSid: string; createdAt: number };

export interface DeliveryStore {
  /** Records a part we just sent, with Twilio's initial status. */
  recordSent(messageSid: string, status: string, now: number): void;
  /** Folds a status callback in; returns the new state, or undefined for a SID we never sent. */
  apply(messageSid: string, update: StatusUpdate): DeliveryState | undefined;
  /** True when this account sent the message: its status callbacks belong here. */
  has(messageSid: string): boolean;
  recent(limit: number): DeliveryRecord[];
  failureCounts(sinceMs: number): Record<string, number>;
  prune(now: number): void;
}

type Row = { message_sid: string; status: string; error_code: number | null; conflicted: number; created_at: number; updated_at: number };

function toRecord(row: Row): DeliveryRecord {
  return {
    messageSid: row.message_sid,
    status: row.status,
    errorCode: row.error_code,
    conflicted: row.conflicted === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createDeliveryStore(db: DatabaseSync, accountId: string): DeliveryStore {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO deliveries (account_id, message_sid, status, error_code, conflicted, created_at, updated_at) VALUES (?, ?, ?, NULL, 0, ?, ?)",
  );
  const select = db.prepare("SELECT * FROM deliveries WHERE account_id = ? AND message_sid = ?");
  const update = db.prepare("UPDATE deliveries SET status = ?, error_code = ?, conflicted = ?, updated_at = ? WHERE account_id = ? AND message_sid = ?");
  const recent = db.prepare("SELECT * FROM deliveries WHERE account_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?");
  const failures = db.prepare(
    "SELECT status, error_code, COUNT(*) AS n FROM deliveries WHERE account_id = ? AND updated_at >= ? AND status IN ('failed', 'undelivered') GROUP BY status, error_code",
  );
  const expire = db.prepare("DELETE FROM deliveries WHERE account_id = ? AND updated_at < ?");
  const overflow = db.prepare(
    "DELETE FROM deliveries WHERE account_id = ? AND rowid IN (SELECT rowid FROM deliveries WHERE account_id = ? ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
  );
  return {
    recordSent: (sid, status, now) => {
      insert.run(accountId, sid, status, now, now);
    },
    apply: (sid, incoming) => {
      const row = select.get(accountId, sid) as Row | undefined;
      if (!row) return undefined;
      const next = foldStatus(toRecord(row), incoming);
      update.run(next.status, next.errorCode, next.conflicted ? 1 : 0, next.updatedAt, accountId, sid);
      return next;
    },
    has: (sid) => select.get(accountId, sid) !== undefined,
    recent: (limit) => (recent.all(accountId, limit) as Row[]).map(toRecord),
    failureCounts: (since) => {
      const counts: Record<string, number> = {};
      for (const row of failures.all(accountId, since) as { status: string; error_code: number | null; n: number }[]) {
        counts[`${row.status}${row.error_code ? `:${row.error_code}` : ""}`] = Number(row.n);
      }
      return counts;
    },
    prune: (now) => {
      expire.run(accountId, now - DELIVERY_RETENTION_MS);
      overflow.run(accountId, accountId, MAX_ROWS_PER_ACCOUNT);
    },
  };
}
