// The install hints in package.json are read by OpenClaw itself (onboarding,
// catalog diagnostics); the README shows users the same command.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  openclaw: { install: { clawhubSpec: string; npmSpec: string; defaultChoice: string } };
};
const install = pkg.openclaw.install;

type InstallSourceReport = { clawhub?: { packageName: string }; npm?: { packageName: string }; warnings: string[] };
type DescribeInstallSource = (install: object, options: { expectedPackageName: string }) => InstallSourceReport;

// OpenClaw does not export its metadata reader, so load the bundled chunk that
// holds it: the rule under test is the host's, not a copy of it.
async function openclawInstallSourceReader(): Promise<DescribeInstallSource> {
  const dist = join(ROOT, "node_modules", "openclaw", "dist");
  const chunk = readdirSync(dist).find((file) => /^install-source-info-[\w-]+\.mjs$/.test(file));
  if (!chunk) throw new Error(`OpenClaw's install-source reader (install-source-info-*.mjs) is no longer in ${dist}; find where it moved`);
  const exported = Object.values((await import(pathToFileURL(join(dist, chunk)).href)) as Record<string, unknown>);
  const reader = exported.find((value) => typeof value === "function");
  if (!reader || exported.length !== 1) throw new Error(`${chunk} no longer exports exactly one function`);
  return reader as DescribeInstallSource;
}

describe("openclaw.install in package.json", () => {
  it("passes OpenClaw's own reader: a valid ClawHub source for the default choice, naming this package", async () => {
    const describeInstallSource = await openclawInstallSourceReader();
    const report = describeInstallSource(install, { expectedPackageName: pkg.name });
    expect(report.warnings).not.toContain("invalid-clawhub-spec");
    expect(report.warnings).not.toContain("default-choice-missing-source");
    expect(report.warnings).not.toContain("npm-spec-package-name-mismatch");
    expect(report.clawhub?.packageName).toBe(pkg.name);
    expect(report.npm?.packageName).toBe(pkg.name);
    expect(install.defaultChoice).toBe("clawhub");

    // The seed's value: OpenClaw drops it, and with it the ClawHub choice in onboarding.
    const seed = describeInstallSource({ ...install, clawhubSpec: "clawsean/openclaw-twilio-sms" }, { expectedPackageName: pkg.name });
    expect(seed.warnings).toEqual(expect.arrayContaining(["invalid-clawhub-spec", "default-choice-missing-source"]));
  });

  it("is the command the README and EXISTING_WORK tell users to run", () => {
    expect(install.clawhubSpec).toBe(`clawhub:${pkg.name}`);
    const command = `openclaw plugins install ${install.clawhubSpec}`;
    for (const doc of ["README.md", "EXISTING_WORK.md"]) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      expect(text, doc).toContain(command);
      // Every ClawHub install command in the docs uses the declared spec (the seed's form only in prose).
      const commands = text.match(/openclaw plugins install clawhub:\S+/g) ?? [];
      expect(commands.length, doc).toBeGreaterThan(0);
      for (const found of commands) expect(found.replace(/[`.,;)]+$/, ""), doc).toBe(command);
    }
  });
});
