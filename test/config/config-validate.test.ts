// `openclaw config validate` itself, on a throw-away profile that loads this
// checkout (its built dist/ and openclaw.plugin.json) through
// plugins.load.paths: no gateway, just the real CLI and what it prints.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OPENCLAW = join(ROOT, "node_modules", "openclaw", "openclaw.mjs");
const SID = `AC${"0".repeat(32)}`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "twilio-sms-config-validate-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Nothing from this shell's OpenClaw or Twilio setup, and no vitest variables (they switch OpenClaw into test mode).
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OPENCLAW_|TWILIO_|VITEST)/.test(key) && key !== "NODE_ENV"));
  return { ...env, HOME: dir, OPENCLAW_STATE_DIR: join(dir, "state"), OPENCLAW_CONFIG_PATH: join(dir, "openclaw.json"), OPENCLAW_NO_AUTO_UPDATE: "1" };
}

async function configValidate(section: Record<string, unknown>): Promise<{ code: number; out: string }> {
  const config = { plugins: { load: { paths: [ROOT] }, allow: ["twilio-sms"] }, channels: { "twilio-sms": section } };
  await writeFile(join(dir, "openclaw.json"), JSON.stringify(config, null, 2));
  return await new Promise((resolve) => {
    execFile(process.execPath, [OPENCLAW, "config", "validate"], { env: childEnv(), cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe("openclaw config validate", () => {
  it("prints the plugin's messages under each key, for field and cross-field mistakes", async () => {
    // TypeBox, the host's validator, stops after 8 lines; each mistake takes 2, so 4 mistakes fit.
    const { code, out } = await configValidate({
      accountSid: SID,
      authToken: "token",
      fromNumber: "555-123-4567",
      accounts: {
        open: { fromNumber: "+15550005011", webhookPath: "/o", dmPolicy: "open", allowFrom: ["+15551230001"] },
        nopath: { fromNumber: "+15550005012", webhookPath: "/n", publicUrl: "https://sms.example.com" },
        offpath: { fromNumber: "+15550005013", publicUrl: "https://sms.example.com/sms" },
      },
    });
    expect(code, out).toBe(1);
    const line = (key: string) => out.split("\n").find((text) => text.includes(`channels.twilio-sms.${key}: `)) ?? `(no line for ${key})\n${out}`;
    expect(line("fromNumber")).toMatch(/your Twilio phone number in E\.164 form, e\.g\. \+15551234567 \(plus sign, country code, no spaces\)/);
    expect(line("accounts.open.allowFrom")).toMatch(/a list that includes '\*': dmPolicy 'open' lets anyone text the agent; or use dmPolicy 'allowlist'/);
    expect(line("accounts.nopath.publicUrl")).toMatch(/the full webhook URL Twilio posts to, path included, e\.g\. https:\/\/sms\.example\.com\/twilio-sms\/webhook/);
    expect(line("accounts.offpath.publicUrl")).toMatch(/a URL ending in \/twilio-sms\/webhook, where the gateway listens; or set webhookPath/);
    expect(out).not.toMatch(/must match pattern|must match a schema in anyOf/);
  }, 150_000);

  it("accepts a complete config", async () => {
    const { code, out } = await configValidate({
      accountSid: SID,
      authToken: { source: "env", provider: "default", id: "TWILIO_AUTH_TOKEN" },
      fromNumber: "+15550005001",
      publicUrl: "https://sms.example.com/twilio-sms/webhook",
      dmPolicy: "open",
      allowFrom: ["*"],
      accounts: { sales: { fromNumber: "+15550005002", webhookPath: "/sales", publicUrl: "https://sms.example.com/sales", dmPolicy: "allowlist", allowFrom: ["+15551230001"] } },
    });
    expect(out).toMatch(/Config valid/);
    expect(code, out).toBe(0);
  }, 150_000);
});
