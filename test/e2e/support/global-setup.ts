// Packs the plugin once per vitest run and hands the tarball path to e2e test
// files through `inject("pluginTarball")`.
import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { packPlugin } from "../../../sandbox/gateway/plugin-package.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Path of the packed plugin, or "" when it could not be packed (see pluginTarballError). */
    pluginTarball: string;
    pluginTarballError: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A unit-only run must not fail because dist/ is not built yet, so a packing
  // failure is handed on and reported by the first startGateway() instead.
  try {
    const { tarball, dir } = await packPlugin();
    project.provide("pluginTarball", tarball);
    project.provide("pluginTarballError", "");
    return async () => {
      if (process.env.KEEP_E2E_STATE !== "1") await rm(dir, { recursive: true, force: true });
    };
  } catch (err) {
    project.provide("pluginTarball", "");
    project.provide("pluginTarballError", String((err as Error).message ?? err));
    return async () => {};
  }
}
