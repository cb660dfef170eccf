/**
 * The opt-out ledger: who texted STOP (or made Twilio answer 21610) on which
 * account. Numbers are stored as SHA-256 digests: the ledger only answers
 * "is this number opted out?", so it never needs to list them.
 */
import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";

export type OptOutSource = "keyword" | "twilio-21610";

export interface OptOutLedger {
  isOptedOut(accountId: string, number: string): boolean;
  record(accountId: string, number: string, source: OptOutSource, now: number): void;
  clear(accountId: string, number: string): boolean;
}

function digest(number: string): string {
  return createHash("sha256").update(`twilio-sms:${number}`).digest("hex");
}

export function createOptOutLedger(db: DatabaseSync): OptOutLedger {
  const lookup = db.prepare("SELECT 1 FROM opt_outs WHERE account_id = ? AND number_hash = ?");
  const upsert = db.prepare(
    "INSERT INTO opt_outs (account_id, number_hash, opted_out_at, source) VALUES (?, ?, ?, ?) " +
      "ON CONFLICT (account_id, number_hash) DO UPDATE SET opted_out_at = excluded.opted_out_at, source = excluded.source",
  );
  const remove = db.prepare("DELETE FROM opt_outs WHERE account_id = ? AND number_hash = ?");
  return {
    isOptedOut: (accountId, number) => lookup.get(accountId, digest(number)) !== undefined,
    record: (accountId, number, source, now) => {
      upsert.run(accountId, digest(number), now, source);
    },
    clear: (accountId, number) => Number(remove.run(accountId, digest(number)).changes) > 0,
  };
}
