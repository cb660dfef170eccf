import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, startTwilioEmulator, type TwilioEmulator } from "./index.ts";
import { PNG, sha256 } from "../../test/support/pictures.ts";
import { MediaCdn, CDN_LINK_TTL_MS } from "./media-cdn.ts";
import { createMedia } from "./media-resource.ts";

const AGENT = "+15551230001";
const HANDSET = "+15557650001";
const OTHER_SID = "AC11111111111111111111111111111111";
const OTHER_TOKEN = "11111111111111111111111111111111";
const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;

beforeAll(() => {
  delete process.env.TWILIO_EDGE;
  delete process.env.TWILIO_REGION;
});

let emulator: TwilioEmulator;
let closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  emulator = await startTwilioEmulator({
    accounts: [
      { accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, phoneNumbers: [AGENT] },
      { accountSid: OTHER_SID, authToken: OTHER_TOKEN },
    ],
  });
});

afterEach(async () => {
  await emulator.close();
  for (const close of closers) await close();
  closers = [];
});

type Hit = { method: string; url: string; body: string };

/** A loopback HTTP server; `handler` answers, every request is recorded. */
async function serve(handler: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: Buffer | string }) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      hits.push({ method: req.method ?? "", url: req.url ?? "", body });
      const answer = handler(req);
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === "HEAD" ? undefined : answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

async function inboundPicture(receiverUrl: string) {
  return emulator.sendInboundSms({
    webhookUrl: `${receiverUrl}/sms`,
    from: HANDSET,
    to: AGENT,
    body: "look",
    media: [{ contentType: "image/png", bytes: PNG }],
  });
}

function client(): ReturnType<typeof twilio> {
  const c = twilio(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN);
  c.api.baseUrl = emulator.url;
  return c;
}

describe("inbound MMS", () => {
  it("posts NumMedia, MediaUrl0 on the API origin and MediaContentType0, with an MM SID", async () => {
    const receiver = await serve(() => ({ status: 200, body: "<Response/>" }));
    const { params } = await inboundPicture(receiver.url);
    const [media] = emulator.media;
    expect(params.MessageSid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(params).toMatchObject({
      NumMedia: "1",
      MediaContentType0: "image/png",
      MediaUrl0: `${emulator.url}/2010-04-01/Accounts/${DEFAULT_ACCOUNT_SID}/Messages/${params.MessageSid}/Media/${media?.sid}`,
    });
    expect(media).toMatchObject({ messageSid: params.MessageSid, accountSid: DEFAULT_ACCOUNT_SID, contentType: "image/png", sha256: sha256(PNG) });
    expect(media?.sid).toMatch(/^ME[0-9a-f]{32}$/);
  });

  it("answers a media URL with 401 without the account's credentials, and 307 to a signed CDN link with them", async () => {
    const receiver = await serve(() => ({ status: 200 }));
    const mediaUrl = (await inboundPicture(receiver.url)).params.MediaUrl0!;
    expect((await fetch(mediaUrl, { redirect: "manual" })).status).toBe(401);
    expect((await fetch(mediaUrl, { redirect: "manual", headers: { Authorization: basic(OTHER_SID, OTHER_TOKEN) } })).status).toBe(401);

    const redirect = await fetch(mediaUrl, { redirect: "manual", headers: { Authorization: basic(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN) } });
    expect(redirect.status).toBe(307);
    const location = new URL(redirect.headers.get("location")!);
    expect(location.origin).toBe(emulator.cdnOrigin);
    expect(location.host).not.toBe(new URL(emulator.url).host);
    expect([...location.searchParams.keys()]).toEqual(["Expires", "Signature"]);

    const file = await fetch(location);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    expect(emulator.cdnRequests).toEqual([{ method: "GET", path: location.pathname, authorization: false, status: 200 }]);
  });

  it("records it when credentials reach the CDN, and refuses a tampered signature", async () => {
    const receiver = await serve(() => ({ status: 200 }));
    const mediaUrl = (await inboundPicture(receiver.url)).params.MediaUrl0!;
    const redirect = await fetch(mediaUrl, { redirect: "manual", headers: { Authorization: basic(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN) } });
    const location = new URL(redirect.headers.get("location")!);
    await fetch(location, { headers: { Authorization: basic(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN) } });
    location.searchParams.set("Signature", "forged");
    expect((await fetch(location)).status).toBe(403);
    expect(emulator.cdnRequests.map((r) => [r.authorization, r.status])).toEqual([
      [true, 200],
      [false, 403],
    ]);
  });

  it("serves, lists and deletes Media resources through twilio-node", async () => {
    const receiver = await serve(() => ({ status: 200 }));
    const { params } = await inboundPicture(receiver.url);
    const messageSid = params.MessageSid!;
    const mediaSid = params.MediaUrl0!.split("/").pop()!;
    const fetched = await client().messages(messageSid).media(mediaSid).fetch();
    expect({ sid: fetched.sid, parentSid: fetched.parentSid, contentType: fetched.contentType, accountSid: fetched.accountSid }).toEqual({
      sid: mediaSid,
      parentSid: messageSid,
      contentType: "image/png",
      accountSid: DEFAULT_ACCOUNT_SID,
    });
    expect((await client().messages(messageSid).media.list()).map((m) => m.sid)).toEqual([mediaSid]);
    expect(await client().messages(messageSid).media(mediaSid).remove()).toBe(true);
    expect(emulator.media).toEqual([]);
    const gone = await fetch(params.MediaUrl0!, { redirect: "manual", headers: { Authorization: basic(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN) } });
    expect(gone.status).toBe(404);
  });

  it("does not serve one account's media to another account's path", async () => {
    const receiver = await serve(() => ({ status: 200 }));
    const mediaUrl = (await inboundPicture(receiver.url)).params.MediaUrl0!;
    const foreign = mediaUrl.replace(DEFAULT_ACCOUNT_SID, OTHER_SID);
    const response = await fetch(foreign, { redirect: "manual", headers: { Authorization: basic(OTHER_SID, OTHER_TOKEN) } });
    expect(response.status).toBe(404);
  });
});

describe("the media CDN", () => {
  it("refuses a link once it has expired", async () => {
    let now = Date.parse("2026-05-01T12:00:00Z");
    const media = createMedia(DEFAULT_ACCOUNT_SID, `MM${"0".repeat(32)}`, "image/png", PNG, new Date(now));
    const cdn = new MediaCdn((sid) => (sid === media.sid ? media : undefined), () => now);
    await cdn.listen("127.0.0.1");
    closers.push(() => cdn.close());
    const link = cdn.signedUrl(media);
    expect((await fetch(link)).status).toBe(200);
    now += CDN_LINK_TTL_MS + 1000;
    expect((await fetch(link)).status).toBe(403);
  });
});

describe("outbound MMS", () => {
  async function create(form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
    const response = await fetch(`${emulator.url}/2010-04-01/Accounts/${DEFAULT_ACCOUNT_SID}/Messages.json`, {
      method: "POST",
      headers: { Authorization: basic(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN), "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it("fetches each MediaUrl (HEAD and GET) before answering, and returns an MM SID with num_media", async () => {
    const host = await serve(() => ({ status: 200, headers: { "Content-Type": "image/png", "Content-Length": String(PNG.length) }, body: PNG }));
    const url = `${host.url}/media/abc`;
    const { status, json } = await create({ To: HANDSET, From: AGENT, Body: "chart", MediaUrl: url });
    expect(status).toBe(201);
    expect(json).toMatchObject({ sid: expect.stringMatching(/^MM[0-9a-f]{32}$/), num_media: "1", num_segments: "1", status: "queued" });
    expect(host.hits.map((h) => h.method)).toEqual(["HEAD", "GET"]);
    const [message] = emulator.messages;
    expect(message?.mediaFetches).toEqual([
      { url, method: "HEAD", status: 200, contentType: "image/png", size: PNG.length, sha256: null },
      { url, method: "GET", status: 200, contentType: "image/png", size: PNG.length, sha256: sha256(PNG) },
    ]);
    expect(message?.mmsConverted).toBe(false);
    const kept = emulator.media.find((m) => m.sid === message?.media[0]);
    expect(kept).toMatchObject({ messageSid: json.sid, contentType: "image/png", sha256: sha256(PNG) });
  });

  it("refuses more than 10 MediaUrls (21623) and a URL that is not http(s) (21620)", async () => {
    const urls = Array.from({ length: 11 }, (_, i) => `https://media.example/${i}.png`);
    expect((await create({ To: HANDSET, From: AGENT, MediaUrl: urls })).json).toMatchObject({ code: 21623, status: 400 });
    expect((await create({ To: HANDSET, From: AGENT, MediaUrl: "ftp://media.example/a.png" })).json).toMatchObject({ code: 21620, status: 400 });
    expect(emulator.messages).toEqual([]);
  });

  it("accepts a message whose media cannot be fetched, then fails it with 63019 through the status callback", async () => {
    const host = await serve(() => ({ status: 404, body: "no" }));
    const callbacks = await serve(() => ({ status: 204 }));
    const { status, json } = await create({ To: HANDSET, From: AGENT, MediaUrl: `${host.url}/gone`, StatusCallback: `${callbacks.url}/status` });
    expect(status).toBe(201);
    await expect.poll(() => callbacks.hits.length).toBe(1);
    const callback = Object.fromEntries(new URLSearchParams(callbacks.hits[0]!.body));
    expect(callback).toMatchObject({ MessageSid: json.sid, MessageStatus: "failed", ErrorCode: "63019" });
    expect(emulator.messages[0]).toMatchObject({ status: "failed", errorCode: 63019, media: [] });
  });

  it("fails a file whose bytes contradict its Content-Type with 63021", async () => {
    const host = await serve(() => ({ status: 200, headers: { "Content-Type": "image/jpeg" }, body: PNG }));
    const callbacks = await serve(() => ({ status: 204 }));
    await create({ To: HANDSET, From: AGENT, MediaUrl: `${host.url}/a.jpg`, StatusCallback: `${callbacks.url}/status` });
    await expect.poll(() => callbacks.hits.length).toBe(1);
    expect(new URLSearchParams(callbacks.hits[0]!.body).get("ErrorCode")).toBe("63021");
  });

  it("turns an MMS to a non-US/CA number into an SMS with a link to each file (MMS Converter), keeping the MM SID", async () => {
    const host = await serve(() => ({ status: 200, headers: { "Content-Type": "image/png" }, body: PNG }));
    const { json } = await create({ To: "+447700900123", From: AGENT, Body: "chart", MediaUrl: `${host.url}/a.png` });
    expect(json.sid).toMatch(/^MM/);
    const [message] = emulator.messages;
    expect(message?.mmsConverted).toBe(true);
    const [text, link] = message!.body.split("\n");
    expect(text).toBe("chart");
    const file = await fetch(link!);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    expect(message?.numSegments).toBe(1);
  });
});
