// A copy of what a fresh clone of this checkout would hold: the files git
// tracks, and new ones it would add (not ignored), with node_modules linked
// in. Ignored folders stay behind: `.sandbox/` (with the package `npm start`
// unpacks into it), `.tmp/`, and dist/ unless asked for.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function copyCleanCheckout(repoRoot: string, prefix: string, options: { withDist?: boolean } = {}): string {
  if (options.withDist && !existsSync(join(repoRoot, "dist", "index.js"))) {
    throw new Error(`${join(repoRoot, "dist")} is not built: run \`npm run build\` first`);
  }
  const copy = mkdtempSync(join(tmpdir(), prefix));
  try {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" });
    // A tracked file deleted in the working tree is listed but gone.
    for (const file of listed.split("\0").filter((name) => name && existsSync(join(repoRoot, name)))) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(copy, file), { verbatimSymlinks: true });
    }
    if (options.withDist) cpSync(join(repoRoot, "dist"), join(copy, "dist"), { recursive: true });
    // Linked, not copied: tens of thousands of files that the copy's users only read.
    symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"), "dir");
    return copy;
  } catch (err) {
    rmSync(copy, { recursive: true, force: true });
    throw err;
  }
}
