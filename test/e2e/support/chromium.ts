// Debian's Chromium for browser tests, driven by playwright-core. Playwright's
// own browser download does not work on our machines, so the system package is
// used; as root (CI) it is installed with apt-get when missing.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import type { BrowserContext } from "playwright-core";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";
// Without the background-networking flags Chromium keeps dialling Google's
// hosts, which this machine's closed network refuses (see the env notes).
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function aptGet(args: string[]): Promise<void> {
  await promisify(execFile)("apt-get", ["-qq", "-o", "DPkg::Lock::Timeout=120", ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 540_000,
  });
}

/**
 * The Chromium to drive: `CHROMIUM_PATH` when set, else Debian's, installed
 * quietly with apt-get when missing and we are root. Throws with the fix when
 * neither works.
 */
export async function ensureChromium(): Promise<string> {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH=${override} does not exist`);
    return override;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(`${DEBIAN_CHROMIUM} is missing: install it with \`sudo apt-get install -y chromium\`, or set CHROMIUM_PATH`);
  }
  // A fresh machine has no package lists yet. A source that cannot be reached
  // need not matter, so only the install's own failure counts.
  await aptGet(["update"]).catch(() => undefined);
  try {
    await aptGet(["install", "-y", "chromium"]);
  } catch (error) {
    const { stderr = "" } = error as { stderr?: string };
    throw new Error(`apt-get install chromium failed: ${(error as Error).message}\n${stderr.slice(-2000)}`);
  }
  if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is still missing`);
  return DEBIAN_CHROMIUM;
}

export type Browser = { context: BrowserContext; close(): Promise<void> };

/** Headless Chromium with a fresh profile folder that close() removes. */
export async function launchChromium(options: { viewport: { width: number; height: number }; deviceScaleFactor?: number }): Promise<Browser> {
  const executablePath = await ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "chromium-profile-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: FLAGS,
      viewport: options.viewport,
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        await rm(profile, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
