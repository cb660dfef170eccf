/**
 * The plugin's own durable state: one SQLite file under the OpenClaw state
 * dir. The host's keyed stores are refused to third-party plugins, and
 * `node:sqlite` ships with the Node 24 the gateway requires.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export const STORE_FILE = "twilio-sms.sqlite";

export function storeDirFor(stateDir: string): string {
  return join(stateDir, "plugins", "twilio-sms");
}

export function openDatabase(stateDir: string): DatabaseSync {
  const dir = storeDirFor(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(join(dir, STORE_FILE));
  // WAL lets the webhook and a concurrent outbound send share the file; FULL sync makes an
  // acknowledged webhook survive power loss, not only a process crash.
  // secure_delete zeroes the space a purged number or body leaves behind in the file's pages;
  // the copies still in the WAL go with the checkpoint that follows a purge (see truncateWal).
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 2000; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;");
  db.exec(`
    CREATE TABLE IF NOT EXISTS inbound_journal (
      account_id TEXT NOT NULL,
      message_sid TEXT NOT NULL,
      state TEXT NOT NULL,
      replied INTEGER NOT NULL DEFAULT 0,
      payload TEXT,
      received_at INTEGER NOT NULL,
      finished_at INTEGER,
      outcome TEXT,
      PRIMARY KEY (account_id, message_sid)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS deliveries (
      account_id TEXT NOT NULL,
      message_sid TEXT NOT NULL,
      status TEXT NOT NULL,
      error_code INTEGER,
      conflicted INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, message_sid)
    );
    CREATE TABLE IF NOT EXISTS pairing_pending (
      account_id TEXT NOT NULL,
      number TEXT NOT NULL,
      requested_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, number)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS opt_outs (
      account_id TEXT NOT NULL,
      number_hash TEXT NOT NULL,
      opted_out_at INTEGER NOT NULL,
      source TEXT NOT NULL,
      PRIMARY KEY (account_id, number_hash)
    ) WITHOUT ROWID;
  `);
  return db;
}

/**
 * Copies the WAL into the database file and truncates it to zero bytes, so page
 * versions that still held a purged number or body leave the disk. Returns false
 * when another connection kept part of the WAL busy (the next call catches up).
 */
export function truncateWal(db: DatabaseSync): boolean {
  const row = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number } | undefined;
  return Number(row?.busy ?? 0) === 0;
}
