// Packs the plugin once per vitest run and unpacks it next to the tarball.
// E2e files get both through inject(): the tarball is what the ClawHub test
// publishes, the folder is what the other gateways load by path.
import { join } from "node:path";
import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { packPlugin, unpackPlugin } from "../../../sandbox/gateway/plugin-package.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Path of the packed plugin, or "" when it could not be packed. */
    pluginTarball: string;
    /** The tarball's package folder, unpacked, or "" when packing failed. */
    pluginDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A unit-only run must not fail because dist/ is not built yet, so a packing
  // failure is printed here and reported again by the first startGateway().
  try {
    const { tarball, dir } = await packPlugin();
    const pluginDir = await unpackPlugin(tarball, join(dir, "package"));
    project.provide("pluginTarball", tarball);
    project.provide("pluginDir", pluginDir);
    return async () => {
      if (process.env.KEEP_E2E_STATE !== "1") await rm(dir, { recursive: true, force: true });
    };
  } catch (err) {
    project.provide("pluginTarball", "");
    project.provide("pluginDir", "");
    process.stderr.write(`e2e: the plugin could not be packed: ${String((err as Error).message ?? err)}\n`);
    return async () => {};
  }
}
