// The loopback registry must satisfy ClawHub's own client too, not only the
// OpenClaw code the install test drives: `clawhub package download` checks the
// artifact resolver against ClawHub's schema and the bytes against its digests.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { startClawHubRegistry } from "./clawhub-registry.ts";
import type { ClawHubRegistry, PublishedRelease } from "./clawhub-registry.ts";

const BIN = fileURLToPath(new URL("../../../node_modules/.bin", import.meta.url));

let registry: ClawHubRegistry;
let release: PublishedRelease;
let home: string;

beforeAll(async () => {
  registry = await startClawHubRegistry();
  release = await registry.publish(inject("pluginTarball"));
  home = await mkdtemp(join(tmpdir(), "clawhub-cli-"));
});

afterAll(async () => {
  await registry?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

it("serves a release that ClawHub's CLI downloads and verifies byte for byte", async () => {
  const output = join(home, "download.tgz");
  const { stdout } = await promisify(execFile)(
    join(BIN, "clawhub"),
    ["--registry", registry.url, "--no-input", "package", "download", release.name, "--output", output, "--json"],
    // node_modules/.bin first: the CLI needs Node >= 22, which the `node` dev dependency provides.
    { env: { PATH: `${BIN}:${process.env.PATH ?? ""}`, HOME: home, CLAWHUB_DISABLE_TELEMETRY: "1" }, timeout: 120_000 },
  );
  const result = JSON.parse(stdout) as { version: string; sha256: string; npmIntegrity: string; npmShasum: string };
  expect(result).toMatchObject({ version: release.version, sha256: release.sha256, npmIntegrity: release.npmIntegrity, npmShasum: release.npmShasum });
  expect(Buffer.compare(await readFile(output), await readFile(inject("pluginTarball")))).toBe(0);
}, 180_000);

it("answers 404 for the seed's slash-without-scope name, and refuses the bytes of a blocked release", async () => {
  const packages = `${registry.url}/api/v1/packages`;
  const unscoped = await fetch(`${packages}/${encodeURIComponent("clawsean/openclaw-twilio-sms")}`);
  expect(unscoped.status).toBe(404);
  expect(await unscoped.text()).toBe("Package not found");

  registry.setTrust(release.name, release.version, { blockedFromDownload: true, moderationState: "quarantined" });
  const download = await fetch(`${packages}/${encodeURIComponent(release.name)}/versions/${release.version}/artifact/download`);
  expect(download.status).toBe(403);
  expect(await download.text()).toContain("blocked from download");
});
