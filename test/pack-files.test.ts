// What `npm pack` puts in the tarball is what npm and ClawHub publish: the
// built plugin and its metadata, never the sources, sandbox, tests or scripts.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TOP_LEVEL = ["LICENSE", "README.md", "openclaw.plugin.json", "package.json"];

it("npm pack lists only dist/, the manifest, README, LICENSE and package.json", async () => {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  const [report] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  const files = (report?.files ?? []).map((file) => file.path).sort();

  expect(files.filter((path) => /^(src|sandbox|test|scripts)\//.test(path))).toEqual([]);
  expect(files.filter((path) => !path.startsWith("dist/") && !TOP_LEVEL.includes(path))).toEqual([]);
  expect(files.filter((path) => path.endsWith(".map") || path.endsWith(".ts"))).toEqual([]);
  expect(files).toEqual(expect.arrayContaining(TOP_LEVEL));
  // The entries package.json points at; without them the tarball installs but cannot load.
  expect(files, "dist/ is missing: run `npm run build` (npm test does it first)").toEqual(
    expect.arrayContaining(["dist/index.js", "dist/setup-entry.js", "dist/configured-state.js"]),
  );
}, 60_000);
