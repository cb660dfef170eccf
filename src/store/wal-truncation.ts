/**
 * Batches the WAL truncation that follows a purge. A purged number or body is
 * gone from the database pages at once (secure_delete), but older page versions
 * in the WAL still hold it until a checkpoint truncates the WAL. One truncation
 * per `delayMs` at most keeps the hot path free of fsyncs while bounding how
 * long a processed text stays on disk.
 */
import type { DatabaseSync } from "node:sqlite";
import { truncateWal } from "./db.ts";

export const WAL_TRUNCATE_DELAY_MS = 2_000;

export interface WalTruncation {
  /** A purge happened: truncate the WAL within `delayMs`. */
  schedule(): void;
  /** Truncates now if a purge is pending (on close). */
  flush(): void;
}

export function createWalTruncation(db: DatabaseSync, options: { delayMs?: number; warn(message: string): void }): WalTruncation {
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    try {
      if (!truncateWal(db)) schedule();
    } catch (error) {
      options.warn(`could not truncate the store's WAL after a purge: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  function schedule() {
    if (timer) return;
    timer = setTimeout(run, options.delayMs ?? WAL_TRUNCATE_DELAY_MS);
    timer.unref();
  }
  return {
    schedule,
    flush() {
      if (!timer) return;
      clearTimeout(timer);
      run();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
