// The phone page's pictures: attaching one to a text, and seeing pictures in the bubbles both ways.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTwilioEmulator, type TwilioEmulator } from "./index.ts";
import { PNG } from "../../test/support/pictures.ts";

const SID = `AC${"d".repeat(32)}`;
const TOKEN = "phone-media-token-0123456789abcdef";
const AGENT = "+15555550100";
const PHONE = "+15555550123";

let emulator: TwilioEmulator;
let hook: Server;
let files: Server;
let fileUrl: string;
let phoneUrl: string;
const received: Record<string, string>[] = [];

async function api(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${phoneUrl}/api/${path}`, body === undefined
    ? {}
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function thread(): Promise<Record<string, unknown>[]> {
  return (await api(`thread?number=${encodeURIComponent(PHONE)}`)).json.messages as Record<string, unknown>[];
}

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: [{ accountSid: SID, authToken: TOKEN, phoneNumbers: [AGENT] }] });
  hook = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    req.on("end", () => {
      received.push(Object.fromEntries(new URLSearchParams(text)));
      res.writeHead(200, { "content-type": "text/xml" }).end("<Response/>");
    });
  });
  files = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(PNG));
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  fileUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/chart.png`;
  phoneUrl = emulator.attachPhone({ webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, agentNumber: AGENT });
});

afterEach(() => {
  emulator.reset();
  received.length = 0;
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => hook.close(resolve));
  await new Promise((resolve) => files.close(resolve));
});

describe("the phone's pictures", () => {
  it("sends an attached picture as an MMS and shows it in the sent bubble", async () => {
    const { status, json } = await api("send", { from: PHONE, body: "", picture: { data: PNG.toString("base64") } });
    expect(status).toBe(200);
    expect(json.sid).toMatch(/^MM/);
    expect(received[0]).toMatchObject({ NumMedia: "1", MediaContentType0: "image/png", MessageSid: json.sid });

    const [bubble] = await thread();
    expect(bubble).toMatchObject({ direction: "sent", body: "", media: [expect.stringMatching(/^\/phone\/api\/media\/ME[0-9a-f]{32}$/)] });
    const picture = await fetch(new URL((bubble!.media as string[])[0]!, phoneUrl));
    expect(picture.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(PNG);
  });

  it("refuses an attachment that is not a picture, and sends nothing", async () => {
    const { status, json } = await api("send", { from: PHONE, body: "see", picture: { data: Buffer.from("%PDF-1.7").toString("base64") } });
    expect([status, json.error]).toEqual([415, "attach a JPEG, PNG or GIF picture"]);
    expect(received).toEqual([]);
  });

  it("shows the agent's MMS picture in the received bubble", async () => {
    const client = twilio(SID, TOKEN);
    client.api.baseUrl = emulator.url;
    await client.messages.create({ from: AGENT, to: PHONE, body: "your chart", mediaUrl: [fileUrl] });
    const [bubble] = await thread();
    expect(bubble).toMatchObject({ direction: "received", body: "your chart", media: [expect.stringMatching(/^\/phone\/api\/media\/ME/)] });
    const picture = await fetch(new URL((bubble!.media as string[])[0]!, phoneUrl));
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(PNG);
  });

  it("answers 404 for a picture it does not have", async () => {
    expect((await fetch(`${phoneUrl}/api/media/ME${"0".repeat(32)}`)).status).toBe(404);
  });
});
