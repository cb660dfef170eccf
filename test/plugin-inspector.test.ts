// ClawHub's Plugin Inspector (the `clawhub` CLI) is what ClawHub runs on a
// published plugin. `npm run validate` runs it against the OpenClaw in
// node_modules, offline, on the project's Node 24 (npm puts node_modules/.bin
// first on PATH); npm test fails on any breakage or warning it reports.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

type InspectorReport = {
  status: string;
  summary: { breakageCount: number; warningCount: number; deprecationWarningCount: number; issueCount: number };
  targetOpenClaw: { configuredPath: string; version: string };
  issues: unknown[];
};
type RuntimeCapture = {
  summary: { failedCount: number };
  results: Array<{ entrypoint: string; status: string; error?: string; captured: Array<{ kind: string; name: string }> }>;
};

// The inspector imports the plugin; vitest's variables would switch OpenClaw code into test mode.
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST") && key !== "NODE_ENV"));
}

let out: string | undefined;
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

it("passes with no breakage, no warning, and captures registerChannel from both entries", async () => {
  out = await mkdtemp(join(tmpdir(), "plugin-inspector-"));
  const run = await promisify(execFile)("npm", ["run", "--silent", "validate", "--", "--out", out], {
    cwd: ROOT,
    env: childEnv(),
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
    throw new Error(`npm run validate exited ${err.code}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  });
  const report = JSON.parse(await readFile(join(out, "plugin-inspector-report.json"), "utf8")) as InspectorReport;
  const issues = await readFile(join(out, "plugin-inspector-issues.md"), "utf8");
  expect(report.summary, `${run.stdout}\n${issues}`).toEqual({ breakageCount: 0, warningCount: 0, deprecationWarningCount: 0, issueCount: 0 });
  expect(report.status).toBe("pass");
  // Inspected against the pinned OpenClaw on disk, not one fetched from npm.
  expect(report.targetOpenClaw.configuredPath).not.toMatch(/^npm:/);
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { openclaw: { build: { openclawVersion: string } } };
  expect(report.targetOpenClaw.version).toBe(pkg.openclaw.build.openclawVersion);

  const capture = JSON.parse(await readFile(join(out, "plugin-inspector-runtime-capture.json"), "utf8")) as RuntimeCapture;
  expect(capture.summary.failedCount, JSON.stringify(capture.results, null, 2)).toBe(0);
  for (const entrypoint of ["src/index.ts", "dist/index.js"]) {
    const result = capture.results.find((entry) => entry.entrypoint === entrypoint);
    expect(result?.status, entrypoint).toBe("captured");
    expect(result?.captured.map((call) => `${call.kind}:${call.name}`), entrypoint).toContain("registration:registerChannel");
  }
}, 300_000);
