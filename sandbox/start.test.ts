// The one-time clean-up of a profile an earlier `npm start` installed the
// plugin into (it now loads the unpacked package by path); seen end to end by
// hand: the uninstall runs once and OpenClaw's duplicate-plugin warning is gone.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { hasEarlierInstall } from "./start.ts";

const NAME = "@clawsean/openclaw-twilio-sms";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sandbox-earlier-install-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const project = (name: string) => mkdirSync(join(dir, "state", "npm", "projects", name), { recursive: true });

it("finds the managed npm project OpenClaw names after the package", () => {
  project("clawsean-openclaw-twilio-sms-5d80b390fe");
  expect(hasEarlierInstall(dir, NAME)).toBe(true);
});

it("ignores other packages' projects and a profile without any", () => {
  expect(hasEarlierInstall(dir, NAME)).toBe(false);
  project("clawsean-openclaw-twilio-smsx-1");
  project("other-plugin-5d80b390fe");
  expect(hasEarlierInstall(dir, NAME)).toBe(false);
});
