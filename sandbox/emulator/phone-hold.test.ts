// The phone page before the agent is up: `npm start` serves it while the
// gateway boots, and the phone holds what is typed until the agent can take it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioEmulator, type TwilioEmulator } from "./index.ts";

const SID = `AC${"e".repeat(32)}`;
const TOKEN = "phone-hold-token-0123456789abcdef";
const AGENT = "+15555550100";
const PHONE = "+15555550123";
// A 1×1 PNG.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1c1d1f00000000049454e44ae426082",
  "hex",
);

let emulator: TwilioEmulator;
let hook: Server;
let hookUrl: string;
let phoneUrl: string;
let agent: PromiseWithResolvers<void>;
const received: { signatureValid: boolean; form: Record<string, string> }[] = [];

async function api(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${phoneUrl}/api/${path}`, body === undefined
    ? {}
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function statuses(): Promise<string[]> {
  const thread = await api(`thread?number=${encodeURIComponent(PHONE)}`);
  return (thread.messages as { body: string; status: string }[]).map((entry) => `${entry.body}: ${entry.status}`);
}

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: SID, authToken: TOKEN, phoneNumbers: [AGENT] }] });
  hook = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(text));
      received.push({ signatureValid: twilio.validateRequest(TOKEN, String(req.headers["x-twilio-signature"] ?? ""), hookUrl, form), form });
      res.writeHead(200, { "content-type": "text/xml" }).end("<Response/>");
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/twilio-sms/webhook`;
});

beforeEach(() => {
  agent = Promise.withResolvers<void>();
  phoneUrl = emulator.attachPhone({ webhookUrl: hookUrl, agentNumber: AGENT, agentReady: agent.promise });
});

afterEach(() => {
  emulator.reset();
  received.length = 0;
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => hook.close(resolve));
});

describe("the phone while the agent starts", () => {
  it("says the agent is starting, holds each text on the phone and sends Twilio nothing", async () => {
    expect((await api("info")).agent).toBe("starting");
    const held = await api("send", { from: PHONE, body: "are you there?" });
    expect(held).toEqual({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), webhookStatus: null });
    expect(await statuses()).toEqual(["are you there?: waiting for the agent to start"]);
    // Holding is synchronous: the send has answered, and nothing reached the gateway or the emulator's Twilio side.
    expect(received).toEqual([]);
    expect(emulator.requests).toEqual([]);
  });

  it("sends the held texts once the agent is up, in the order they were typed, signed as Twilio signs them", async () => {
    const first = await api("send", { from: PHONE, body: "one" });
    const second = await api("send", { from: PHONE, body: "two", picture: { data: PNG.toString("base64") } });
    const third = await api("send", { from: PHONE, body: "STOP" });
    // STOP opts the number out only when Twilio receives it, not while the phone holds it.
    expect(emulator.isOptedOut(PHONE)).toBe(false);

    agent.resolve();
    await expect.poll(async () => (await api("info")).agent).toBe("ready");
    expect(received.map(({ form }) => [form.Body, form.MessageSid])).toEqual([
      ["one", first.sid],
      ["two", second.sid],
      ["STOP", third.sid],
    ]);
    expect(received.every(({ signatureValid }) => signatureValid)).toBe(true);
    expect(received[1]!.form).toMatchObject({ NumMedia: "1", MediaContentType0: "image/png" });
    expect(emulator.isOptedOut(PHONE)).toBe(true);
    expect(await statuses()).toEqual(["one: webhook 200", "two: webhook 200", "STOP: webhook 200"]);

    // From now on a text goes straight out.
    expect(await api("send", { from: PHONE, body: "START" })).toMatchObject({ webhookStatus: 200 });
    expect(received).toHaveLength(4);
  });

  it("marks held texts unreachable when the agent fails to start, and sends later texts nowhere", async () => {
    await api("send", { from: PHONE, body: "hello?" });
    agent.reject(new Error("the gateway exited"));
    await expect.poll(async () => (await api("info")).agent).toBe("failed");
    expect(await api("send", { from: PHONE, body: "anyone?" })).toMatchObject({ webhookStatus: 0 });
    expect(await statuses()).toEqual(["hello?: webhook unreachable", "anyone?: webhook unreachable"]);
    expect(received).toEqual([]);
  });
});
