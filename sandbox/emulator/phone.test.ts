// The sandbox phone's API on its own: a loopback stand-in for the gateway
// receives the signed webhooks, and replies are created through the REST API.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioEmulator, type ApprovalResult, type PhoneOptions, type TwilioEmulator } from "./index.ts";
import type { Thread } from "./phone-thread.ts";
import { PNG } from "../../test/support/pictures.ts";

const SID = `AC${"c".repeat(32)}`;
const TOKEN = "phone-test-token-0123456789abcdef";
const AGENT = "+15555550100";
const PHONE = "+15555550123";

let emulator: TwilioEmulator;
let hook: Server;
let hookUrl: string;
let hookStatus = 200;
// While set, the stand-in gateway holds each answer until it settles (a webhook in flight).
let hookGate: PromiseWithResolvers<void> | undefined;
const received: { signatureValid: boolean; form: Record<string, string> }[] = [];
const approvals: string[] = [];
const APPROVED: ApprovalResult = { ok: true, output: "Approved twilio-sms sender +15555550123." };
let approvalResult = APPROVED;
let phoneUrl: string;

async function api(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${phoneUrl}/api/${path}`, body === undefined
    ? { headers }
    : { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The phone's thread with PHONE, as the page reads it. */
async function phoneThread(): Promise<Thread> {
  return (await api(`thread?number=${encodeURIComponent(PHONE)}`)).json as unknown as Thread;
}

async function reply(body: string, to = PHONE): Promise<void> {
  const client = twilio(SID, TOKEN);
  client.api.baseUrl = emulator.url;
  await client.messages.create({ from: AGENT, to, body });
}

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: SID, authToken: TOKEN, phoneNumbers: [AGENT] }] });
  hook = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(text));
      const signature = String(req.headers["x-twilio-signature"] ?? "");
      received.push({ signatureValid: twilio.validateRequest(TOKEN, signature, hookUrl, form), form });
      void (hookGate?.promise ?? Promise.resolve()).then(() => res.writeHead(hookStatus, { "content-type": "text/xml" }).end("<Response/>"));
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/twilio-sms/webhook`;
  attachPhone();
});

function attachPhone(extra: Partial<PhoneOptions> = {}): void {
  phoneUrl = emulator.attachPhone({
    webhookUrl: hookUrl,
    agentNumber: AGENT,
    suggestedNumbers: [PHONE, "+15555550142"],
    async approvePairing(code) {
      approvals.push(code);
      return approvalResult;
    },
    ...extra,
  });
}

afterEach(() => {
  emulator.reset();
  received.length = 0;
  approvals.length = 0;
  hookStatus = 200;
  // A test that failed mid-way must not leave a webhook unanswered: hook.close() would wait for it.
  hookGate?.resolve();
  hookGate = undefined;
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => hook.close(resolve));
});

describe("the phone page", () => {
  it("is served as HTML with its script, and its traffic stays out of the emulator's Twilio request log", async () => {
    const page = await fetch(phoneUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<script src="/phone/phone-page.js">');
    const script = await fetch(`${phoneUrl}/phone-page.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(emulator.requests).toEqual([]);
  });

  it("reports the agent's number, the approval command and the suggested senders", async () => {
    const { json } = await api("info");
    expect(json).toEqual({
      agentNumber: AGENT,
      pairingCommand: "openclaw pairing approve twilio-sms",
      canApprove: true,
      numbers: expect.arrayContaining([PHONE, "+15555550142"]),
      // No agentReady was given: the agent behind the webhook counts as up.
      agent: "ready",
    });
  });
});

describe("sending a text", () => {
  it("posts a correctly signed inbound webhook and shows it in the thread with its SID, segments and webhook status", async () => {
    const { status, json } = await api("send", { from: PHONE, body: "hi there" });
    expect(status).toBe(200);
    expect(json).toEqual({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), webhookStatus: 200 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ signatureValid: true, form: { From: PHONE, To: AGENT, Body: "hi there", MessageSid: json.sid, AccountSid: SID } });

    const thread = await phoneThread();
    expect(thread.messages).toEqual([
      expect.objectContaining({ direction: "sent", sid: json.sid, body: "hi there", numSegments: 1, encoding: "GSM-7", status: "webhook 200" }),
    ]);
  });

  it("shows what the gateway answered when it refuses the webhook", async () => {
    hookStatus = 429;
    const { json } = await api("send", { from: PHONE, body: "too fast" });
    expect(json.webhookStatus).toBe(429);
    const thread = await phoneThread();
    expect(thread.messages).toContainEqual(expect.objectContaining({ body: "too fast", status: "webhook 429" }));
  });

  it.each([
    [{ from: "5551234", body: "x" }, /E\.164/],
    [{ from: AGENT, body: "x" }, /agent's own number/],
    [{ from: PHONE, body: "   " }, /type a text/],
    [{ from: PHONE, body: "a".repeat(1601) }, /at most 1600/],
    [{ from: PHONE }, /body must be a string/],
  ])("refuses %j with 400 and sends nothing", async (body, message) => {
    const { status, json } = await api("send", body);
    expect(status).toBe(400);
    expect(json.error).toMatch(message);
    expect(received).toHaveLength(0);
  });

  it("STOP opts the number out and START opts it back in, as Twilio's keyword handling does", async () => {
    await api("send", { from: PHONE, body: "STOP" });
    expect((await phoneThread()).optedOut).toBe(true);
    await api("send", { from: PHONE, body: "START" });
    expect((await phoneThread()).optedOut).toBe(false);
    expect(received.map((request) => request.form.Body)).toEqual(["STOP", "START"]);
  });
});

describe("the thread", () => {
  it("merges the agent's replies in order, counts billed segments and spots pairing codes", async () => {
    await api("send", { from: PHONE, body: "hello?" });
    await reply("This number isn't approved yet. Pairing code: ABCD2345\nThe owner can approve it with: openclaw pairing approve twilio-sms ABCD2345");
    await reply("ж".repeat(71)); // UCS-2 past 70 characters: two segments
    await reply("for someone else", "+15555550199");

    const thread = await phoneThread();
    expect(thread.messages.map((m) => m.direction)).toEqual(["sent", "received", "received"]);
    expect(thread.messages[1]).toMatchObject({ pairingCode: "ABCD2345", approved: false, status: "queued", sid: expect.stringMatching(/^SM/) });
    expect(thread.messages[2]).toMatchObject({ numSegments: 2, encoding: "UCS-2" });
    expect(thread.cost).toEqual({ replies: 2, replySegments: 3, texts: 1, textSegments: 1 });
  });

  it("refuses a number that is not E.164", async () => {
    expect((await api("thread?number=12345")).status).toBe(400);
  });
});

describe("approving a pairing", () => {
  it("runs the launcher's approval and marks the code approved", async () => {
    await reply("Pairing code: WXYZ2345");
    const { status, json } = await api("approve", { code: "WXYZ2345" });
    expect(status).toBe(200);
    expect(json).toEqual({ command: "openclaw pairing approve twilio-sms WXYZ2345", ok: true, output: "Approved twilio-sms sender +15555550123." });
    expect(approvals).toEqual(["WXYZ2345"]);
    const thread = await phoneThread();
    expect(thread.messages[0]).toMatchObject({ pairingCode: "WXYZ2345", approved: true });
  });

  it("passes a failed approval's output on without marking the code approved", async () => {
    approvalResult = { ok: false, output: "No pending pairing request found for code: NOPE2345" };
    try {
      const { json } = await api("approve", { code: "NOPE2345" });
      expect(json).toMatchObject({ ok: false, output: expect.stringContaining("No pending pairing") });
    } finally {
      approvalResult = APPROVED;
    }
  });

  it("refuses a request from another origin and runs nothing", async () => {
    const response = await api("approve", { code: "WXYZ2345" }, { origin: "http://evil.example" });
    expect(response.status).toBe(403);
    expect(approvals).toEqual([]);
  });

  it("refuses a foreign Host header (DNS rebinding) and runs nothing", async () => {
    // fetch() will not send a Host of our choosing, node:http will.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${phoneUrl}/api/approve`, { method: "POST", headers: { host: "evil.example", "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.once("error", reject);
      req.end(JSON.stringify({ code: "WXYZ2345" }));
    });
    expect(status).toBe(403);
    expect(approvals).toEqual([]);
  });

  it("refuses a form post (no JSON) and a code with shell characters", async () => {
    const form = await fetch(`${phoneUrl}/api/approve`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "code=WXYZ2345" });
    expect(form.status).toBe(415);
    expect((await api("approve", { code: "A; rm -rf /" })).status).toBe(400);
    expect(approvals).toEqual([]);
  });
});

// `npm start` serves the page while the gateway boots; the phone holds what is
// typed until the agent can take it.
describe("the phone while the agent starts", () => {
  let agent: PromiseWithResolvers<void>;

  async function statuses(): Promise<string[]> {
    const thread = await phoneThread();
    return thread.messages.map((entry) => `${entry.body}: ${entry.status}`);
  }

  beforeEach(() => {
    agent = Promise.withResolvers<void>();
    attachPhone({ agentReady: agent.promise });
  });

  afterEach(() => attachPhone());

  it("says the agent is starting, holds each text on the phone and sends Twilio nothing", async () => {
    expect((await api("info")).json.agent).toBe("starting");
    const { json } = await api("send", { from: PHONE, body: "are you there?" });
    expect(json).toEqual({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), webhookStatus: "held" });
    expect(await statuses()).toEqual(["are you there?: waiting for the agent to start"]);
    // Twilio bills a text when it arrives; this one has not.
    expect((await phoneThread()).cost).toEqual({ replies: 0, replySegments: 0, texts: 0, textSegments: 0 });
    // Holding is synchronous: the send has answered, and nothing reached the gateway.
    expect(received).toEqual([]);
  });

  it("sends the held texts once the agent is up, in the order they were typed, signed as Twilio signs them", async () => {
    const first = (await api("send", { from: PHONE, body: "one" })).json;
    const second = (await api("send", { from: PHONE, body: "two", picture: { data: PNG.toString("base64") } })).json;
    const third = (await api("send", { from: PHONE, body: "STOP" })).json;
    // STOP opts the number out only when Twilio receives it, not while the phone holds it.
    expect(emulator.isOptedOut(PHONE)).toBe(false);

    agent.resolve();
    await expect.poll(async () => (await api("info")).json.agent).toBe("ready");
    expect(received.map(({ form }) => [form.Body, form.MessageSid])).toEqual([
      ["one", first.sid],
      ["two", second.sid],
      ["STOP", third.sid],
    ]);
    expect(received.every(({ signatureValid }) => signatureValid)).toBe(true);
    expect(received[1]!.form).toMatchObject({ NumMedia: "1", MediaContentType0: "image/png" });
    expect(emulator.isOptedOut(PHONE)).toBe(true);
    expect(await statuses()).toEqual(["one: webhook 200", "two: webhook 200", "STOP: webhook 200"]);
    expect((await phoneThread()).cost).toMatchObject({ texts: 3, textSegments: 3 });

    // From now on a text goes straight out.
    expect((await api("send", { from: PHONE, body: "START" })).json).toMatchObject({ webhookStatus: 200 });
    expect(received).toHaveLength(4);
  });

  it("a text typed while the held ones go out joins the end of the queue", async () => {
    await api("send", { from: PHONE, body: "first" });
    await api("send", { from: PHONE, body: "second" });
    const gate = Promise.withResolvers<void>();
    hookGate = gate;
    agent.resolve();
    // The first held text is at the gateway, unanswered: the phone is still emptying its queue.
    await expect.poll(() => received.length).toBe(1);
    expect((await api("send", { from: PHONE, body: "typed meanwhile" })).json).toMatchObject({ webhookStatus: "held" });
    expect((await api("info")).json.agent).toBe("starting");
    gate.resolve();
    await expect.poll(async () => (await api("info")).json.agent).toBe("ready");
    expect(received.map(({ form }) => form.Body)).toEqual(["first", "second", "typed meanwhile"]);
  });

  it("marks held texts not sent when the agent fails to start, and sends later texts nowhere", async () => {
    await api("send", { from: PHONE, body: "hello?" });
    agent.reject(new Error("the gateway exited"));
    await expect.poll(async () => (await api("info")).json.agent).toBe("failed");
    expect((await api("send", { from: PHONE, body: "anyone?" })).json).toMatchObject({ webhookStatus: "not sent" });
    expect(await statuses()).toEqual(["hello?: not sent: the agent did not start", "anyone?: not sent: the agent did not start"]);
    expect(received).toEqual([]);
  });
});
