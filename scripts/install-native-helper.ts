/**
 * `prepare` step: brings OpenClaw's native fs-safe helper into node_modules.
 *
 * Why: fs-safe lists its prebuilt helpers as optional dependencies with
 * `engines.node >=22`. A clone installed by an older system npm/Node (20)
 * marks them inert and skips them, although everything here runs on the
 * carried Node 24 (the `node` devDependency). Without the helper the gateway
 * fails local media with "FsSafeError: native no-replace move is unavailable".
 *
 * npm puts node_modules/.bin first on PATH, so this runs on the carried Node;
 * the nested npm runs on it too, so its engine check passes and its own
 * os/cpu/libc check still applies. `--no-save` leaves package.json and the
 * lockfile alone. `prepare` never runs when the package is installed from the
 * registry, and nothing under scripts/ is published.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

// Mirrors fs-safe's own loader (platform, arch, glibc vs musl), so this fetches the package it will require.
// musl builds of Node report no glibc runtime.
function isGlibc(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return Boolean(report?.header?.glibcVersionRuntime);
}

/** The helper package name for a platform, or undefined where fs-safe ships none. */
function nativeHelperPackage(platform: string, arch: string, glibc: boolean): string | undefined {
  if (platform === "win32" && arch === "x64") return "@openclaw/fs-safe-win32-x64-msvc";
  if (platform === "darwin" && (arch === "x64" || arch === "arm64")) return `@openclaw/fs-safe-darwin-${arch}`;
  if (platform === "linux" && (arch === "x64" || arch === "arm64")) return `@openclaw/fs-safe-linux-${arch}-${glibc ? "gnu" : "musl"}`;
  return undefined;
}

const root = new URL("../", import.meta.url);

function readJson(path: URL): Record<string, unknown> | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : undefined;
}

function main(): void {
  const fsSafe = readJson(new URL("node_modules/@openclaw/fs-safe/package.json", root));
  // A git-dependency install without the openclaw devDependency has nothing to fix.
  if (!fsSafe) return;
  const name = nativeHelperPackage(process.platform, process.arch, isGlibc());
  const optional = (fsSafe.optionalDependencies ?? {}) as Record<string, string>;
  const version = name ? optional[name] : undefined;
  if (!name || !version) {
    console.log(`native fs-safe helper: none published for ${process.platform}-${process.arch}; skipped`);
    return;
  }
  const installed = readJson(new URL(`node_modules/${name}/package.json`, root));
  if (installed?.version === version) return;
  const npmCli = process.env.npm_execpath;
  if (!npmCli) {
    console.warn(`native fs-safe helper: run "npm install" (not this script directly) to add ${name}@${version}`);
    return;
  }
  console.log(`native fs-safe helper: installing ${name}@${version}, which npm skips as optional under Node < 22`);
  execFileSync(process.execPath, [npmCli, "install", "--no-save", "--no-audit", "--no-fund", `${name}@${version}`], {
    cwd: root,
    stdio: "inherit",
  });
}

main();
