// The documented ClawHub install, end to end and offline: the packed plugin is
// published to a loopback ClawHub registry under its package.json name, and a
// real OpenClaw installs it with `openclaw plugins install <openclaw.install.clawhubSpec>`,
// loads it and starts the channel against the Twilio emulator.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { startGateway } from "../../sandbox/gateway/runner.ts";
import type { GatewayHandle } from "../../sandbox/gateway/runner.ts";
import { startClawHubRegistry } from "./support/clawhub-registry.ts";
import type { ClawHubRegistry, PublishedRelease } from "./support/clawhub-registry.ts";
import { accountStatus } from "./support/channel-status.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; openclaw: { install: { clawhubSpec: string } } };
const SPEC = pkg.openclaw.install.clawhubSpec;
const ACCOUNT_SID = `AC${"c".repeat(32)}`;
const TOKEN = "e2e-clawhub-token-0123456789abcd";
const FROM = "+15550003333";
const INSTALL = ["plugins", "install", SPEC, "--force", "--accept-capabilities"];

let emulator: TwilioEmulator;
let registry: ClawHubRegistry;
let release: PublishedRelease;
let gateway: GatewayHandle;

const downloads = (from: number) => registry.requests.slice(from).filter((request) => request.endsWith("/artifact/download"));

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: ACCOUNT_SID, authToken: TOKEN, phoneNumbers: [FROM] }] });
  registry = await startClawHubRegistry();
  release = await registry.publish(inject("pluginTarball"));
  // The harness copies a profile with the tarball installed (the public API
  // has no other way) and starts no gateway; the first test replaces that
  // install through ClawHub and boots on it, and the second checks that a
  // blocked release leaves the ClawHub install alone.
  gateway = await startGateway({
    pluginTarball: inject("pluginTarball"),
    env: { OPENCLAW_CLAWHUB_URL: registry.url },
    channelConfig: { accountSid: ACCOUNT_SID, authToken: TOKEN, fromNumber: FROM, apiBaseUrl: emulator.url },
    launch: false,
    startTimeoutMs: 480_000,
  });
}, 900_000);

afterAll(async () => {
  await gateway?.stop();
  await registry?.close();
  await emulator?.close();
});

describe("openclaw plugins install from ClawHub", () => {
  it("publishes under the name the declared spec asks for", () => {
    expect(SPEC).toBe(`clawhub:${pkg.name}`);
    expect(release.name).toBe(pkg.name);
  });

  it("installs the packed plugin with a verified sha256, loads it, and starts the channel", async () => {
    const from = registry.requests.length;
    const result = await gateway.cli(INSTALL, { timeoutMs: 300_000 });
    const output = result.stdout + result.stderr;
    expect(result.code, output).toBe(0);
    expect(output).toContain(`Package   ${release.name}@${release.version}`);
    expect(output).toContain("Outcome: Safe");
    expect(output).toContain("Installed plugin: twilio-sms");
    expect(downloads(from)).toHaveLength(1);

    // Ready means every configured channel account is healthy.
    await gateway.restart();
    // What `openclaw plugins inspect twilio-sms` reads, over the running gateway's RPC.
    const report = (await gateway.rpc("plugins.inspect", { pluginId: "twilio-sms" })) as Record<string, Record<string, unknown>>;
    const shown = JSON.stringify({ ...report, overview: undefined });
    expect(report.plugin, shown).toMatchObject({ id: "twilio-sms", version: release.version, installed: true, enabled: true });
    expect(report.declared, shown).toMatchObject({ channels: ["twilio-sms"] });
    // The recorded integrity is the ClawHub artifact's sha256, the one the install verified.
    expect(report.source, shown).toMatchObject({
      kind: "clawhub",
      spec: SPEC,
      packageName: pkg.name,
      integrity: `sha256-${Buffer.from(release.sha256, "hex").toString("base64")}`,
    });
    expect(report.trust, shown).toMatchObject({ disposition: "clean" });

    const status = await gateway.rpc("channels.status", { channel: "twilio-sms" });
    expect(accountStatus(status, "default"), JSON.stringify(status)).toMatchObject({ running: true });
  }, 1_200_000);

  it("stops at a release ClawHub flags as malicious, before downloading anything", async () => {
    // OpenClaw refuses to install into a state dir that a running gateway owns.
    await gateway.kill();
    const installed = join(gateway.stateDir, "extensions", "twilio-sms", "package.json");
    const before = statSync(installed).mtimeMs;
    registry.setTrust(release.name, release.version, { scanStatus: "malicious", reasons: ["static:malicious"] }, "Static analysis found a credential stealer.");
    const from = registry.requests.length;
    try {
      const result = await gateway.cli(INSTALL, { timeoutMs: 300_000 });
      const output = result.stdout + result.stderr;
      expect(result.code, output).not.toBe(0);
      // For a blocked release OpenClaw's message is its audit box, not the error line.
      expect(output).toContain("ClawHub Security Audit");
      expect(output).toContain("Outcome: Blocked");
      expect(output).not.toContain("Installed plugin");
      expect(output).toContain("Static analysis found a credential stealer.");
      expect(registry.requests.slice(from).some((request) => request.endsWith("/security"))).toBe(true);
      expect(downloads(from)).toEqual([]);
      expect(statSync(installed).mtimeMs).toBe(before);
    } finally {
      registry.setTrust(release.name, release.version, {});
    }
  }, 600_000);
});
