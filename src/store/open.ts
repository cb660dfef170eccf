/** Opens the plugin store for the gateway's state dir for the span of one piece of work. */
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "./db.ts";

export async function withStore<T>(stateDir: string, work: (db: DatabaseSync) => Promise<T>): Promise<T> {
  const db = openDatabase(stateDir);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}
