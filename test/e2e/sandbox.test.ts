// `npm start` as a newcomer meets it: the launcher prints the phone page's URL
// before the gateway is up, a browser texts the agent from an unknown number at
// once (the phone holds the text until the agent is up), approves the pairing
// with the page's button and gets the agent's reply, sends a picture and gets
// it back from the echo agent; Ctrl-C then leaves nothing running. The
// screenshot is the README's picture of the page.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descendantPids, nodeBinary } from "../../sandbox/gateway/runner.ts";
import { png, sha256 } from "../support/pictures.ts";
import { ensureChromium, launchChromium } from "./support/chromium.ts";
import type { Browser } from "./support/chromium.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Rewritten only on request, so a plain `npm test` leaves the work tree clean.
const README_SCREENSHOT = join(REPO_ROOT, "test", "e2e", "phone-page.png");
const RUN_SCREENSHOT = join(REPO_ROOT, ".tmp", "phone-page.png");
const STRANGER = "+15555550142";

let launcher: ChildProcess;
let launcherExit: Promise<number | null>;
let launcherOutput = "";
let stateDir: string;
let phoneUrl: string;
// What the page's API said of the agent the moment the URL was printed.
let agentWhenPrinted: unknown;
let browser: Browser | undefined;
let page: Page;

// A zombie waiting for PID 1 to reap it has stopped already.
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function waitForUrl(timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const url = /^Open (http:\/\/127\.0\.0\.1:\d+\/phone) /m.exec(launcherOutput)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve(url);
    };
    const timer = setTimeout(() => reject(new Error(`no phone URL within ${timeoutMs} ms\n${launcherOutput.slice(-4000)}`)), timeoutMs);
    launcher.stdout?.on("data", check);
    void launcherExit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before printing the URL\n${launcherOutput.slice(-4000)}`));
    });
  });
}

beforeAll(async () => {
  // Before the launcher, not beside it: on a machine without Chromium the
  // apt-get install takes a minute or more, longer than the agent's boot, and
  // the first test needs the page open while the agent is still starting.
  await ensureChromium();
  stateDir = await mkdtemp(join(tmpdir(), "sandbox-e2e-"));
  // The launcher exactly as `npm start` runs it, on any free ports and a
  // throw-away state folder; its own group, so the test can signal it like a terminal.
  launcher = spawn(nodeBinary(), [join(REPO_ROOT, "sandbox", "main.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, SANDBOX_DIR: stateDir, SANDBOX_PORT: "0", SANDBOX_GATEWAY_PORT: "0", SANDBOX_MODEL_PORT: "0" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  launcherExit = new Promise((resolve) => launcher.once("exit", (code) => resolve(code)));
  launcher.stdout?.setEncoding("utf8").on("data", (chunk: string) => (launcherOutput += chunk));
  launcher.stderr?.setEncoding("utf8").on("data", (chunk: string) => (launcherOutput += chunk));
  // Both are awaited even when one fails, so afterAll closes a browser that opened beside a failed launcher.
  const [url, opened] = await Promise.allSettled([
    waitForUrl(120_000).then(async (printed) => {
      // Asked at once: the launcher prints the URL before it packs the plugin and boots the gateway.
      agentWhenPrinted = ((await (await fetch(`${printed}/api/info`)).json()) as { agent: unknown }).agent;
      return printed;
    }),
    launchChromium({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 }),
  ]);
  if (opened.status === "fulfilled") browser = opened.value;
  if (url.status === "rejected") throw url.reason;
  if (opened.status === "rejected") throw opened.reason;
  phoneUrl = url.value;
  page = await opened.value.context.newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (launcher?.exitCode === null && launcher.pid !== undefined) {
    for (const pid of [launcher.pid, ...descendantPids(launcher.pid)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  if (stateDir) await rm(stateDir, { recursive: true, force: true, maxRetries: 3 });
});

describe("npm start: the phone page", () => {
  it("is up before the agent: a text sent at once waits on the phone, then gets the pairing code", async () => {
    expect(agentWhenPrinted).toBe("starting");
    await page.goto(phoneUrl);
    await expect.poll(() => page.locator("#agent-number").textContent()).toBe("+15555550100");
    // The gateway boots for 15 s or more after the plugin is packed; the page says so meanwhile.
    await expect.poll(() => page.locator("#agent-starting").isVisible()).toBe(true);

    await page.locator("#from").fill(STRANGER);
    await page.locator("#from").press("Tab");
    await page.locator("#body").fill("hi, who is this?");
    await page.locator("#body").press("Enter");
    const sent = page.locator(".msg.sent", { hasText: "hi, who is this?" });
    await expect.poll(() => sent.locator(".meta").textContent()).toMatch(/1 segment · GSM-7 · waiting for the agent to start/);
    await expect.poll(() => page.locator("#note").textContent()).toBe("Held on the phone: it goes out as soon as your agent is up.");
    await mkdir(dirname(RUN_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: join(dirname(RUN_SCREENSHOT), "phone-page-starting.png") });

    const pairing = page.locator(".msg.received", { hasText: "Pairing code:" });
    await pairing.waitFor({ timeout: 240_000 });
    await expect.poll(() => sent.locator(".meta").textContent()).toMatch(/1 segment · GSM-7 · webhook 200/);
    await page.locator("#agent-starting").waitFor({ state: "hidden", timeout: 5_000 });
    // The poll that hides the banner takes the held note back as well.
    expect(await page.locator("#note").textContent()).toBe("");
    // The terminal's last line names the page again, since the progress lines pushed the first one up.
    await expect.poll(() => launcherOutput).toContain(`[sandbox] your agent is up: text it at ${phoneUrl} · gateway http://127.0.0.1:`);
  }, 300_000);

  it("approves the pairing with the button and shows the agent's reply", async () => {
    const pairing = page.locator(".msg.received", { hasText: "Pairing code:" });
    const code = /Pairing code: (\S+)/.exec((await pairing.locator(".bubble").textContent()) ?? "")?.[1];
    expect(code).toBeTruthy();
    expect(await pairing.locator(".pairing code").textContent()).toBe(`openclaw pairing approve twilio-sms ${code}`);

    await pairing.getByRole("button", { name: "Approve" }).click();
    await pairing.getByRole("button", { name: "Approved" }).waitFor({ timeout: 60_000 });
    await page.locator(".msg.received", { hasText: "You're approved" }).waitFor({ timeout: 30_000 });

    await page.locator("#body").fill("hello");
    await page.locator("#body").press("Enter");
    const reply = page.locator(".msg.received", { hasText: "Echo: hello" });
    await reply.waitFor({ timeout: 60_000 });
    // Markdown arrives flattened, and the bubble shows what Twilio billed, its status and its SID.
    expect(await reply.locator(".bubble").textContent()).toBe("Echo: hello\n\n- item one\n- see docs (https://example.com)");
    expect(await reply.locator(".meta").textContent()).toMatch(/^1 segment · GSM-7 · (Queued|Sent|Delivered) · .+SM[0-9a-f]{32}$/);
    // The emulator's carrier moves the reply on and posts each status callback; the bubble follows.
    await expect.poll(() => reply.locator(".delivery").getAttribute("data-status"), { timeout: 15_000 }).toBe("delivered");
    expect(await reply.locator(".delivery").textContent()).toBe("Delivered");
    expect(await page.locator("#billed").textContent()).toBe("Replies 3 segments · your texts 2 segments");

    // Tall enough that the picture holds the whole conversation, first text included.
    await page.setViewportSize({ width: 390, height: 980 });
    await page.locator("#body").blur();
    await page.screenshot({ path: RUN_SCREENSHOT });
    if (process.env.UPDATE_SCREENSHOT === "1") await page.screenshot({ path: README_SCREENSHOT });
  }, 180_000);

  it("sends a picture: the agent's model sees it and the echo agent texts it back, shown in the reply bubble", async () => {
    const picture = png({ width: 24, height: 24, rgba: [220, 40, 40, 255] });
    await page.locator("#picture").setInputFiles({ name: "red.png", mimeType: "image/png", buffer: picture });
    // The page reads the file with a FileReader and names it once read; sending before that would send no picture.
    await expect.poll(() => page.locator("#attachment-name").textContent(), { timeout: 15_000 }).toBe("red.png");
    await page.locator("#body").fill("what is this?");
    await page.locator("#body").press("Enter");
    const sent = page.locator(".msg.sent", { hasText: "what is this?" });
    await sent.locator("img.picture").waitFor({ timeout: 15_000 });

    // The echo model names each picture of its request on a MEDIA: line, so a picture in the reply
    // means the model got it; the plugin sent it back as an MMS that the emulator fetched.
    const reply = page.locator(".msg.received", { hasText: "Echo: what is this?" });
    await reply.locator("img.picture").waitFor({ timeout: 60_000 });
    expect(await reply.locator(".bubble").textContent()).not.toContain("MEDIA:");
    expect(await reply.getAttribute("data-sid")).toMatch(/^MM[0-9a-f]{32}$/);
    const src = await reply.locator("img.picture").getAttribute("src");
    const shown = await page.evaluate(`fetch(${JSON.stringify(src)}).then((r) => r.arrayBuffer()).then((b) => Array.from(new Uint8Array(b)))`);
    expect(sha256(Buffer.from(shown as number[]))).toBe(sha256(picture));
    await expect.poll(() => reply.locator("img.picture").evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBe(24);
  }, 90_000);

  it("stays tidy on a 360 px wide screen: nothing sticks out sideways", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    // A long unbroken word is the usual way a bubble pushes the page wider.
    await page.locator("#body").fill(`see ${"https://example.com/a-very-long-path/".repeat(4)}`);
    await page.locator("#body").press("Enter");
    await page.locator(".msg.sent", { hasText: "a-very-long-path" }).waitFor({ timeout: 15_000 });
    // A string runs in the page, where the DOM types of this Node project do not apply.
    const overflow = (await page.evaluate(`(() => {
      const width = document.documentElement.clientWidth;
      const sticking = [...document.querySelectorAll("body *")]
        .filter((node) => node.getBoundingClientRect().right > width + 0.5)
        .map((node) => node.tagName.toLowerCase() + "." + node.className);
      return { scrollWidth: document.documentElement.scrollWidth, width, sticking };
    })()`)) as { scrollWidth: number; width: number; sticking: string[] };
    expect(overflow.sticking).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.width);
    await page.screenshot({ path: join(dirname(RUN_SCREENSHOT), "phone-page-360.png") });
  }, 60_000);

  it("STOP and START are plain texts: STOP shows the opt-out, START lifts it", async () => {
    await page.getByRole("button", { name: "STOP", exact: true }).click();
    await page.locator("#opted-out").waitFor({ state: "visible", timeout: 15_000 });
    await page.getByRole("button", { name: "START", exact: true }).click();
    await page.locator("#opted-out").waitFor({ state: "hidden", timeout: 15_000 });
    // START starts no turn: the agent answers one sender's texts in order, so once
    // the next text is answered, a turn for START would have answered first. (No
    // reply can reach a number while it is opted out, so the page cannot show
    // whether STOP started one; the messaging e2e counts the model's requests.)
    await page.locator("#body").fill("still there?");
    await page.locator("#body").press("Enter");
    await page.locator(".msg.received", { hasText: "Echo: still there?" }).waitFor({ timeout: 60_000 });
    expect(await page.locator(".msg.received", { hasText: "Echo: START" }).count()).toBe(0);
  }, 120_000);

  it("refuses approvals from another origin", async () => {
    const response = await fetch(new URL("/phone/api/approve", phoneUrl), {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body: JSON.stringify({ code: "ABCD1234" }),
    });
    expect(response.status).toBe(403);
  });

  it("says so while the sandbox does not answer, and takes it back once it answers again", async () => {
    const note = page.locator("#note");
    await page.route("**/phone/api/info", (route) => route.abort());
    try {
      await expect.poll(() => note.textContent(), { timeout: 10_000 }).toMatch(/^Lost the sandbox \(.+\): is npm start still running\?/);
    } finally {
      await page.unroute("**/phone/api/info");
    }
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toBe("");
  }, 30_000);

  it("Ctrl-C stops the launcher and every process it started, and the open page says so", async () => {
    const started = descendantPids(launcher.pid!);
    expect(started.length).toBeGreaterThan(0);
    // A terminal's Ctrl-C signals the whole foreground group, not just the launcher.
    process.kill(-launcher.pid!, "SIGINT");
    expect(await launcherExit).toBe(0);
    await expect.poll(() => started.filter(isRunning), { timeout: 10_000 }).toEqual([]);
    expect(launcherOutput).toContain("[sandbox] stopped");
    await expect.poll(() => page.locator("#note").textContent(), { timeout: 10_000 }).toMatch(/^Lost the sandbox \(.+\): is npm start still running\?/);
  }, 90_000);
});
