// Packs the plugin exactly as it would be published, so e2e tests install the
// same tarball a user would get from npm.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
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
