import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function mtimeOr0(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when dist/ is missing or older than src/ or the build config. */
export function buildIsStale(repoRoot: string): boolean {
  const built = mtimeOr0(join(repoRoot, "dist", "index.js"));
  if (built === 0) return true;
  const inputs = Math.max(
    newestMtime(join(repoRoot, "src")),
    mtimeOr0(join(repoRoot, "tsconfig.json")),
    mtimeOr0(join(repoRoot, "tsconfig.build.json")),
    mtimeOr0(join(repoRoot, "package.json")),
  );
  return inputs > built;
}

/** Runs `npm run build` only when dist/ is out of date, so a restart takes seconds. */
export async function buildIfStale(repoRoot: string, log: (line: string) => void): Promise<void> {
  if (!buildIsStale(repoRoot)) return;
  log("building the plugin (npm run build)…");
  try {
    await promisify(execFile)("npm", ["run", "--silent", "build"], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${`${stdout}${stderr}`.trim()}`);
  }
}
