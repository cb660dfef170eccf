/** Opens the plugin store for the gateway's state dir for the span of one piece of work. */
import { openDatabase } from "./db.ts";
import { createOptOutLedger } from "./optouts.ts";
import type { OptOutLedger } from "./optouts.ts";

export async function withOptOutLedger<T>(stateDir: string, work: (ledger: OptOutLedger) => Promise<T>): Promise<T> {
  const db = openDatabase(stateDir);
  try {
    return await work(createOptOutLedger(db));
  } finally {
    db.close();
  }
}
