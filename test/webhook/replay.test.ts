import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import { createReplayGuard, REPLAY_RETENTION_MS } from "../../src/webhook/replay.ts";

const dirs: string[] = [];
function stateDir() {
  const dir = mkdtempSync(join(tmpdir(), "twilio-sms-store-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("replay guard", () => {
  it("claims a MessageSid once, per account", () => {
    const db = openDatabase(stateDir());
    const a = createReplayGuard(db, "a");
    const b = createReplayGuard(db, "b");
    expect(a.claim("SM1", 0)).toBe("claimed");
    expect(a.claim("SM1", 0)).toBe("duplicate");
    expect(b.claim("SM1", 0)).toBe("claimed");
    db.close();
  });

  it("remembers claims across a restart (a new connection and an empty hot set)", () => {
    const dir = stateDir();
    const first = openDatabase(dir);
    createReplayGuard(first, "a").claim("SM1", 0);
    first.close();
    const second = openDatabase(dir);
    expect(createReplayGuard(second, "a").claim("SM1", 1)).toBe("duplicate");
    second.close();
  });

  it("keeps claims for the retention window, then prunes them", () => {
    const db = openDatabase(stateDir());
    const guard = createReplayGuard(db, "a", 1);
    guard.claim("SM1", 0);
    guard.claim("SM2", 0);
    expect(guard.prune(REPLAY_RETENTION_MS - 1)).toBe(0);
    expect(guard.claim("SM1", 1)).toBe("duplicate");
    expect(guard.prune(REPLAY_RETENTION_MS + 1)).toBe(2);
    expect(REPLAY_RETENTION_MS).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    db.close();
  });

  it("release lets a refused message be claimed again", () => {
    const db = openDatabase(stateDir());
    const guard = createReplayGuard(db, "a");
    guard.claim("SM1", 0);
    guard.release("SM1");
    expect(guard.claim("SM1", 0)).toBe("claimed");
    db.close();
  });
});

describe("opt-out ledger", () => {
  it("records, answers and clears per account, durably, without storing the number", () => {
    const dir = stateDir();
    const db = openDatabase(dir);
    const ledger = createOptOutLedger(db);
    ledger.record("a", "+15551230001", "keyword", 5);
    expect(ledger.isOptedOut("a", "+15551230001")).toBe(true);
    expect(ledger.isOptedOut("b", "+15551230001")).toBe(false);
    const rows = db.prepare("SELECT * FROM opt_outs").all();
    expect(JSON.stringify(rows)).not.toContain("5551230001");
    db.close();
    const again = openDatabase(dir);
    const reopened = createOptOutLedger(again);
    expect(reopened.isOptedOut("a", "+15551230001")).toBe(true);
    expect(reopened.clear("a", "+15551230001")).toBe(true);
    expect(reopened.isOptedOut("a", "+15551230001")).toBe(false);
    again.close();
  });
});
