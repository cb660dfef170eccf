// The warm sandbox start depends on this: OpenClaw re-runs its state
// migrations (about 4 s) whenever the config differs from the last start's,
// so a reused profile must come back byte-for-byte, token included.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startGateway } from "./runner.ts";
import type { StartGatewayOptions } from "./runner.ts";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "runner-reuse-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

// launch: false writes the profile's config and starts no gateway.
async function writeProfile(channelConfig: StartGatewayOptions["channelConfig"]) {
  const handle = await startGateway({ rootDir: root, pluginSetup: "reuse", launch: false, port: 40_001, allowPlugins: [], channelConfig });
  await handle.stop();
  const path = join(root, "openclaw.json");
  return { token: handle.token, text: readFileSync(path, "utf8"), mtimeMs: statSync(path).mtimeMs };
}

describe("a reused profile (the warm sandbox start)", () => {
  it("leaves an unchanged config untouched and keeps the gateway token", async () => {
    const first = await writeProfile({ fromNumber: "+15555550100" });
    const second = await writeProfile({ fromNumber: "+15555550100" });
    expect(second.token).toBe(first.token);
    expect(second.text).toBe(first.text);
    expect(second.mtimeMs).toBe(first.mtimeMs);
  });

  it("writes a changed channel section, still with the same token", async () => {
    const first = await writeProfile({ fromNumber: "+15555550100" });
    const second = await writeProfile({ fromNumber: "+15555550142" });
    expect(second.text).not.toBe(first.text);
    expect(second.text).toContain("+15555550142");
    expect(second.token).toBe(first.token);
  });
});
