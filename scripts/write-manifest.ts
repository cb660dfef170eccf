/**
 * Writes openclaw.plugin.json from the zod config schema, so the manifest's
 * cold-path JSON schema and the runtime validator cannot drift apart
 * (test/config/manifest.test.ts fails when this was not re-run).
 */
import { writeFileSync } from "node:fs";
import { buildManifest } from "../src/config/manifest.ts";

const path = new URL("../openclaw.plugin.json", import.meta.url);
writeFileSync(path, `${JSON.stringify(buildManifest(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
