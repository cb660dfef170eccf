// Moves an OpenClaw state folder to another place. The folder's SQLite
// database records absolute paths (the installed plugin index names the
// plugin's install folder and the workspace), so a plain copy would still
// load the plugin from, and point the workspace at, the original folder.
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const DATABASE = join("state", "openclaw.sqlite");
// Made by a running gateway; a copy must not inherit another gateway's captures or locks.
const NOT_COPIED = new Set(["tmp", "logs"]);

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Rewrites every occurrence of `from` to `to` in the text columns of the state database under `stateDir`. */
export function rewriteStatePaths(stateDir: string, from: string, to: string): void {
  const db = new DatabaseSync(join(stateDir, DATABASE));
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const columns = db.prepare(`PRAGMA table_info(${quoteIdentifier(name)})`).all() as Array<{ name: string; type: string }>;
      for (const column of columns) {
        if (!/TEXT|CHAR|CLOB|^$/i.test(column.type)) continue;
        const col = quoteIdentifier(column.name);
        db.prepare(`UPDATE ${quoteIdentifier(name)} SET ${col} = replace(${col}, ?, ?) WHERE instr(${col}, ?) > 0`).run(from, to, from);
      }
    }
  } finally {
    db.close();
  }
}

/**
 * Copies the state folder of the profile rooted at `fromRoot` (its `state/`)
 * into `toRoot/state/` and makes the copy refer to `toRoot` wherever it named `fromRoot`.
 */
export async function copyProfileState(fromRoot: string, toRoot: string): Promise<void> {
  const from = join(fromRoot, "state");
  const to = join(toRoot, "state");
  await cp(from, to, {
    recursive: true,
    preserveTimestamps: true,
    filter: (source) => !NOT_COPIED.has(source.slice(from.length + 1)),
  });
  rewriteStatePaths(to, fromRoot, toRoot);
}
