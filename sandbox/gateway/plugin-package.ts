// Packs the plugin exactly as it would be published, so e2e tests and the
// sandbox run the same files a user would get from npm.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type PackedPlugin = { tarball: string; dir: string };

/**
 * `npm pack` of the repo into `into` (created if missing), else a fresh temp
 * folder. Expects `dist/` to be built already.
 */
export async function packPlugin(repoRoot: string = REPO_ROOT, into?: string): Promise<PackedPlugin> {
  if (!existsSync(join(repoRoot, "dist", "index.js"))) {
    throw new Error(`packPlugin: ${join(repoRoot, "dist", "index.js")} is missing; run \`npm run build\` (npm test does it in pretest)`);
  }
  const dir = into ?? (await mkdtemp(join(tmpdir(), "openclaw-e2e-pack-")));
  await mkdir(dir, { recursive: true });
  // --ignore-scripts: dist/ is already built, and a prepack hook must not rebuild it mid-run.
  const { stdout } = await promisify(execFile)(
    "npm",
    ["pack", "--json", "--ignore-scripts", "--pack-destination", dir],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } },
  );
  const [info] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (!info) throw new Error(`packPlugin: npm pack printed no result:\n${stdout}`);
  const tarball = join(dir, info.filename);
  if (!existsSync(tarball)) throw new Error(`packPlugin: expected ${tarball} after npm pack`);
  return { tarball, dir };
}

/**
 * Unpacks the tarball's `package/` folder into `into` (emptied first), for a
 * gateway that loads it by path (`plugins.load.paths`) instead of installing
 * it. The host then loads exactly the published files, without the 10-20 s
 * (15-20 CPU-seconds) of an `openclaw plugins install` start, scan and copy.
 */
export async function unpackPlugin(tarball: string, into: string): Promise<string> {
  await rm(into, { recursive: true, force: true });
  await mkdir(into, { recursive: true });
  await promisify(execFile)("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
  if (!existsSync(join(into, "openclaw.plugin.json"))) throw new Error(`unpackPlugin: ${tarball} holds no package/openclaw.plugin.json`);
  return into;
}
