import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyProfileState } from "./profile-state.ts";

let scratch: string;
let template: string;
let copy: string;

function database(root: string): DatabaseSync {
  return new DatabaseSync(join(root, "state", "state", "openclaw.sqlite"));
}

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "profile-state-"));
  template = join(scratch, "run.tgz.profile");
  copy = join(scratch, "gateway-1");
  mkdirSync(join(template, "state", "state"), { recursive: true });
  mkdirSync(join(template, "state", "npm", "projects", "plugin"), { recursive: true });
  mkdirSync(join(template, "state", "tmp"), { recursive: true });
  writeFileSync(join(template, "state", "npm", "projects", "plugin", "index.js"), "export {};");
  writeFileSync(join(template, "state", "tmp", "capture"), "");
  const db = database(template);
  db.exec("CREATE TABLE config_machine_state (state_key TEXT PRIMARY KEY, value_json TEXT NOT NULL, updated_at INTEGER)");
  db.prepare("INSERT INTO config_machine_state VALUES (?, ?, ?)").run(
    "plugins.installedIndex",
    JSON.stringify({ installPath: `${template}/state/npm/projects/plugin`, workspaceDir: `${template}/state/workspace`, host: "/work/node_modules/openclaw" }),
    1,
  );
  db.close();
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("copying a template profile", () => {
  it("copies the installed plugin and points the copy's database at the copy, leaving the template alone", async () => {
    await copyProfileState(template, copy);
    expect(existsSync(join(copy, "state", "npm", "projects", "plugin", "index.js"))).toBe(true);
    const read = (root: string) => {
      const db = database(root);
      try {
        return JSON.parse((db.prepare("SELECT value_json FROM config_machine_state").get() as { value_json: string }).value_json) as Record<string, string>;
      } finally {
        db.close();
      }
    };
    expect(read(copy)).toEqual({ installPath: `${copy}/state/npm/projects/plugin`, workspaceDir: `${copy}/state/workspace`, host: "/work/node_modules/openclaw" });
    expect(read(template).installPath).toBe(`${template}/state/npm/projects/plugin`);
  });

  it("leaves out what a running gateway made (tmp/)", async () => {
    await copyProfileState(template, copy);
    expect(existsSync(join(copy, "state", "tmp"))).toBe(false);
  });
});
