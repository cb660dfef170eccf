import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildIsStale, pluginSourceHash } from "./build.ts";

let repo: string;

function write(path: string, text: string): void {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), text);
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), "sandbox-build-"));
  write("package.json", '{"name":"x"}');
  write("openclaw.plugin.json", "{}");
  write("src/index.ts", "export {};");
  write("README.md", "# x");
});
afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe("the plugin's source hash", () => {
  it("changes with the sources, the package and the manifest, and only with them", () => {
    const first = pluginSourceHash(repo);
    expect(pluginSourceHash(repo)).toBe(first);
    write("README.md", "# changed");
    write("test/x.test.ts", "changed");
    expect(pluginSourceHash(repo)).toBe(first);
    for (const [path, text] of [
      ["src/index.ts", "export const x = 1;"],
      ["src/new/file.ts", "export {};"],
      ["package.json", '{"name":"y"}'],
      ["openclaw.plugin.json", '{"id":"x"}'],
    ] as const) {
      const before = pluginSourceHash(repo);
      write(path, text);
      expect(pluginSourceHash(repo), path).not.toBe(before);
    }
  });

  it("tells a file's content from its name", () => {
    write("src/a.ts", "b");
    const before = pluginSourceHash(repo);
    rmSync(join(repo, "src/a.ts"));
    write("src/ab.ts", "");
    expect(pluginSourceHash(repo)).not.toBe(before);
  });
});

describe("dist staleness", () => {
  it("is stale without dist/ and when a source is newer than the build", () => {
    expect(buildIsStale(repo)).toBe(true);
    write("dist/index.js", "");
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(repo, "src/index.ts"), past, past);
    utimesSync(join(repo, "package.json"), past, past);
    utimesSync(join(repo, "openclaw.plugin.json"), past, past);
    expect(buildIsStale(repo)).toBe(false);
    write("src/index.ts", "export const later = 1;");
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(repo, "src/index.ts"), future, future);
    expect(buildIsStale(repo)).toBe(true);
  });
});
