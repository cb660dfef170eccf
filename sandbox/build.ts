// What the sandbox's installed plugin was built from, so a restart rebuilds
// and reinstalls only when the plugin changed.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";

// Everything `npm run build` and `npm pack` read: the sources, the build
// settings, the manifest and the package (its dependencies included).
const INPUT_FILES = ["package.json", "package-lock.json", "openclaw.plugin.json", "tsconfig.json", "tsconfig.build.json", "rolldown.config.ts"];
const INPUT_DIRS = ["src"];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** SHA-256 over the plugin's build inputs (paths and contents), in a stable order. */
export function pluginSourceHash(repoRoot: string): string {
  const files = [...INPUT_FILES.map((file) => join(repoRoot, file)).filter((file) => existsSync(file)), ...INPUT_DIRS.flatMap((dir) => filesUnder(join(repoRoot, dir)))];
  const hash = createHash("sha256");
  for (const file of files.map((path) => relative(repoRoot, path)).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(repoRoot, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function mtimeOr0(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when dist/ is missing or older than any build input. */
export function buildIsStale(repoRoot: string): boolean {
  const built = mtimeOr0(join(repoRoot, "dist", "index.js"));
  if (built === 0) return true;
  const inputs = [...INPUT_FILES.map((file) => join(repoRoot, file)), ...INPUT_DIRS.flatMap((dir) => filesUnder(join(repoRoot, dir)))];
  return inputs.some((file) => mtimeOr0(file) > built);
}

/** Runs `npm run build`; a failure throws with the build's own output. */
export async function build(repoRoot: string): Promise<void> {
  try {
    await promisify(execFile)("npm", ["run", "--silent", "build"], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${`${stdout}${stderr}`.trim()}`);
  }
}

/** Runs `npm run build` when dist/ is out of date; returns whether it did. */
export async function buildIfStale(repoRoot: string): Promise<boolean> {
  if (!buildIsStale(repoRoot)) return false;
  await build(repoRoot);
  return true;
}
