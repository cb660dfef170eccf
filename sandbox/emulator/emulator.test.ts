import { createServer, type IncomingHttpHeaders } from "node:http";
import { connect, type AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  buildInboundSmsParams,
  DEFAULT_ACCOUNT_SID,
  DEFAULT_AUTH_TOKEN,
  postTwilioWebhook,
  signTwilioRequest,
  startTwilioEmulator,
  type TwilioEmulator,
} from "./index.ts";

const TO = "+15551230001";
const FROM = "+15557650001";
const SERVICE = "MG0123456789abcdef0123456789abcdef";
const SID = /^SM[0-9a-f]{32}$/;
const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

type TwilioClient = ReturnType<typeof twilio>;

function clientFor(emulator: TwilioEmulator, options: twilio.ClientOpts = {}): TwilioClient {
  const client = twilio(emulator.accountSid, emulator.authToken, options);
  client.api.baseUrl = emulator.url;
  return client;
}

function basicAuth(sid: string, token: string): string {
  return `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;
}

function postCreate(emulator: TwilioEmulator, form: Record<string, string>, auth = basicAuth(emulator.accountSid, emulator.authToken)) {
  return fetch(`${emulator.url}/2010-04-01/Accounts/${emulator.accountSid}/Messages.json`, {
    method: "POST",
    headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("expected the request to fail"),
    (error: unknown) => error,
  );
}

async function expectTwilioError(promise: Promise<unknown>, status: number, code: number | undefined): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(twilio.RestException);
  const exception = error as twilio.RestException;
  expect({ status: exception.status, code: exception.code }).toEqual({ status, code });
}

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A stand-in for the plugin's webhook endpoint. */
async function startReceiver(status: number) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, params: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(status, { "Content-Type": "text/xml" }).end("<Response/>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(() => {
  // Either variable makes twilio-node rewrite the API hostname, which would bypass the emulator.
  delete process.env.TWILIO_EDGE;
  delete process.env.TWILIO_REGION;
});

let emulator: TwilioEmulator;
let client: TwilioClient;

beforeEach(async () => {
  emulator = await startTwilioEmulator({
    accounts: [{ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, phoneNumbers: [FROM], messagingServiceSids: [SERVICE] }],
  });
  client = clientFor(emulator);
});

afterEach(async () => {
  await emulator.close();
});

describe("Messages create", () => {
  it("answers 201 with Twilio's message JSON and records the message", async () => {
    const response = await postCreate(emulator, { To: TO, From: FROM, Body: "hello", StatusCallback: "https://cb.example/s", ValidityPeriod: "600" });
    expect(response.status).toBe(201);
    const json = (await response.json()) as Record<string, unknown>;
    expect(json).toEqual({
      account_sid: DEFAULT_ACCOUNT_SID,
      api_version: "2010-04-01",
      body: "hello",
      date_created: expect.stringMatching(RFC_2822),
      date_sent: null,
      date_updated: expect.stringMatching(RFC_2822),
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from: FROM,
      messaging_service_sid: null,
      num_media: "0",
      num_segments: "1",
      price: null,
      price_unit: "USD",
      sid: expect.stringMatching(SID),
      status: "queued",
      subresource_uris: {
        media: `/2010-04-01/Accounts/${DEFAULT_ACCOUNT_SID}/Messages/${json.sid}/Media.json`,
        feedback: `/2010-04-01/Accounts/${DEFAULT_ACCOUNT_SID}/Messages/${json.sid}/Feedback.json`,
      },
      to: TO,
      uri: `/2010-04-01/Accounts/${DEFAULT_ACCOUNT_SID}/Messages/${json.sid}.json`,
    });
    expect(emulator.messages).toMatchObject([
      {
        sid: json.sid,
        accountSid: DEFAULT_ACCOUNT_SID,
        to: TO,
        from: FROM,
        messagingServiceSid: null,
        body: "hello",
        statusCallback: "https://cb.example/s",
        numSegments: 1,
        encoding: "GSM-7",
        status: "queued",
        params: { ValidityPeriod: "600" },
      },
    ]);
  });

  it("works through the twilio client, with unique SIDs, repeated MediaUrl and fetch by SID", async () => {
    const first = await client.messages.create({ to: TO, from: FROM, body: "one" });
    const second = await client.messages.create({ to: TO, from: FROM, body: "", mediaUrl: ["https://m.example/1.png", "https://m.example/2.png"] });
    expect(first.sid).toMatch(SID);
    expect(second.sid).not.toBe(first.sid);
    expect(emulator.messages[1]?.mediaUrls).toEqual(["https://m.example/1.png", "https://m.example/2.png"]);
    const fetched = await client.messages(first.sid).fetch();
    expect({ sid: fetched.sid, body: fetched.body, status: fetched.status }).toEqual({ sid: first.sid, body: "one", status: "queued" });
    await expectTwilioError(client.messages("SM00000000000000000000000000000000").fetch(), 404, 20404);
  });

  it("reports a Messaging Service send as accepted, without From and with 0 segments", async () => {
    const message = await client.messages.create({ to: TO, messagingServiceSid: SERVICE, body: "via service" });
    expect({ status: message.status, from: message.from, numSegments: message.numSegments, service: message.messagingServiceSid }).toEqual({
      status: "accepted",
      from: null,
      numSegments: "0",
      service: SERVICE,
    });
    expect(emulator.messages[0]?.numSegments).toBe(1);
  });

  it.each([
    ["To is not E.164", { to: "5551230001", from: FROM, body: "x" }, 21211],
    ["neither From nor MessagingServiceSid", { to: TO, body: "x" }, 21603],
    ["From is not the account's number", { to: TO, from: "+15559999999", body: "x" }, 21606],
    ["the Messaging Service is unknown", { to: TO, messagingServiceSid: "MGffffffffffffffffffffffffffffffff", body: "x" }, 21701],
    ["Body is empty and there is no media", { to: TO, from: FROM, body: "" }, 21602],
    ["Body is longer than 1600 characters", { to: TO, from: FROM, body: "a".repeat(1601) }, 21617],
  ])("rejects with 400 when %s", async (_case, params, code) => {
    await expectTwilioError(client.messages.create(params), 400, code);
    expect(emulator.messages).toEqual([]);
    expect(emulator.requests.map((r) => [r.status, r.errorCode])).toEqual([[400, code]]);
  });

  it("rejects a missing To with 21604 and Twilio's error body", async () => {
    const response = await postCreate(emulator, { From: FROM, Body: "x" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 21604,
      message: "A 'To' phone number is required.",
      more_info: "https://www.twilio.com/docs/errors/21604",
      status: 400,
    });
  });

  it("reports the first problem in Twilio's order", async () => {
    await expectTwilioError(client.messages.create({ to: "12", body: "a".repeat(1601) }), 400, 21211);
    const error = await rejection(client.messages.create({ to: TO, from: FROM, body: "a".repeat(1601) }));
    expect(error).toMatchObject({ code: 21617, message: "The concatenated message body exceeds the 1600 character limit." });
  });

  it("accepts a 1600-character body", async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: "a".repeat(1600) });
    expect(message.numSegments).toBe("11");
  });

  it("rejects bad credentials and another account's path with 401 / 20003", async () => {
    const other = await startTwilioEmulator({
      accounts: [
        { accountSid: "AC11111111111111111111111111111111", authToken: "1".repeat(32) },
        { accountSid: "AC22222222222222222222222222222222", authToken: "2".repeat(32) },
      ],
    });
    try {
      const wrongToken = twilio(other.accountSid, "0".repeat(32));
      wrongToken.api.baseUrl = other.url;
      await expectTwilioError(wrongToken.messages.create({ to: TO, from: FROM, body: "x" }), 401, 20003);
      const crossAccount = twilio("AC22222222222222222222222222222222", "2".repeat(32), { accountSid: other.accountSid });
      crossAccount.api.baseUrl = other.url;
      await expectTwilioError(crossAccount.messages.create({ to: TO, from: FROM, body: "x" }), 401, 20003);
      const secondAccount = twilio("AC22222222222222222222222222222222", "2".repeat(32));
      secondAccount.api.baseUrl = other.url;
      await secondAccount.messages.create({ to: TO, from: FROM, body: "x" });
      expect(other.messages.map((m) => m.accountSid)).toEqual(["AC22222222222222222222222222222222"]);
    } finally {
      await other.close();
    }
  });

  it("answers unknown routes with 404 / 20404", async () => {
    const response = await fetch(`${emulator.url}/2010-04-01/Accounts/${emulator.accountSid}/Calls.json`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 20404, status: 404 });
  });

  it("never records the Authorization header", async () => {
    await client.messages.create({ to: TO, from: FROM, body: "x" });
    expect(JSON.stringify(emulator.requests)).not.toContain(emulator.authToken);
  });
});

describe("num_segments and encoding", () => {
  it.each([
    ["160 GSM characters", "a".repeat(160), "1", "GSM-7"],
    ["161 GSM characters", "a".repeat(161), "2", "GSM-7"],
    ["1530 GSM characters", "a".repeat(1530), "10", "GSM-7"],
    ["a curly quote and 159 GSM characters", "\u2019" + "a".repeat(159), "3", "UCS-2"],
  ])("%s", async (_case, body, segments, encoding) => {
    const message = await client.messages.create({ to: TO, from: FROM, body });
    expect(message.numSegments).toBe(segments);
    expect(emulator.messages[0]?.encoding).toBe(encoding);
  });
});

describe("fault injection", () => {
  it("returns an injected Twilio error once, then behaves normally", async () => {
    emulator.failNext({ kind: "twilio-error", status: 400, code: 21612, message: "Cannot route" });
    const error = await rejection(client.messages.create({ to: TO, from: FROM, body: "x" }));
    expect(error).toMatchObject({ status: 400, code: 21612, message: "Cannot route" });
    await client.messages.create({ to: TO, from: FROM, body: "x" });
    expect(emulator.messages).toHaveLength(1);
    expect(emulator.requests.map((r) => r.fault)).toEqual(["twilio-error", null]);
  });

  it("rate-limits with 429 / 20429 and a visible Retry-After header", async () => {
    emulator.failNext({ kind: "rate-limit", retryAfterSeconds: 7 }, 2);
    await expectTwilioError(client.messages.create({ to: TO, from: FROM, body: "x" }), 429, 20429);
    // RestException carries no headers; twilio-node keeps them on the HTTP client's last response.
    expect(client.httpClient.lastResponse?.headers["retry-after"]).toBe("7");
    const raw = await postCreate(emulator, { To: TO, From: FROM, Body: "x" });
    expect([raw.status, raw.headers.get("retry-after")]).toEqual([429, "7"]);
    expect(emulator.messages).toEqual([]);
  });

  it("omits Retry-After when no delay is given", async () => {
    emulator.failNext({ kind: "rate-limit" });
    const raw = await postCreate(emulator, { To: TO, From: FROM, Body: "x" });
    expect([raw.status, raw.headers.has("retry-after")]).toEqual([429, false]);
  });

  it("records exactly one message after 2×429 then success with twilio's autoRetry", async () => {
    emulator.failNext({ kind: "rate-limit", retryAfterSeconds: 1 }, 2);
    const retrying = clientFor(emulator, { autoRetry: true, maxRetryDelay: 20 });
    const message = await retrying.messages.create({ to: TO, from: FROM, body: "retry me" });
    expect(emulator.messages.map((m) => m.sid)).toEqual([message.sid]);
    expect(emulator.requests.map((r) => r.status)).toEqual([429, 429, 201]);
  });

  it.each([
    [500, 20500],
    [503, 20503],
    [502, undefined],
  ] as const)("answers server-error %i without creating a message", async (status, code) => {
    emulator.failNext({ kind: "server-error", status });
    await expectTwilioError(client.messages.create({ to: TO, from: FROM, body: "x" }), status, code);
    expect(emulator.messages).toEqual([]);
  });

  it("consumes faults in FIFO order", async () => {
    emulator.failNext({ kind: "server-error" });
    emulator.failNext({ kind: "twilio-error", status: 400, code: 21408 });
    await expectTwilioError(client.messages.create({ to: TO, from: FROM, body: "x" }), 500, 20500);
    await expectTwilioError(client.messages.create({ to: TO, from: FROM, body: "x" }), 400, 21408);
    await client.messages.create({ to: TO, from: FROM, body: "x" });
    expect(emulator.requests.map((r) => r.status)).toEqual([500, 400, 201]);
  });

  it("delays the reply, then processes the request normally", async () => {
    emulator.failNext({ kind: "delay", ms: 300 });
    const started = performance.now();
    const message = await client.messages.create({ to: TO, from: FROM, body: "slow" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(emulator.messages.map((m) => m.sid)).toEqual([message.sid]);
  });

  it("a delay still runs validation afterwards", async () => {
    emulator.failNext({ kind: "delay", ms: 10 });
    await expectTwilioError(client.messages.create({ to: "bad", from: FROM, body: "x" }), 400, 21211);
  });

  it("drop surfaces as a network error, yet the message is created", async () => {
    emulator.failNext({ kind: "drop" });
    const error = await rejection(client.messages.create({ to: TO, from: FROM, body: "lost reply" }));
    expect(error).not.toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ code: "ECONNRESET" });
    const [message] = emulator.messages;
    expect(message?.body).toBe("lost reply");
    expect(emulator.requests).toMatchObject([{ status: null, fault: "drop", messageSid: message?.sid }]);
  });

  it("stall creates the message, then holds the reply past a client's timeout", async () => {
    emulator.failNext({ kind: "stall", ms: 5_000 });
    const impatient = clientFor(emulator, { timeout: 200 });
    const error = await rejection(impatient.messages.create({ to: TO, from: FROM, body: "slow answer" }));
    expect(error).toMatchObject({ code: "ECONNABORTED" });
    expect(emulator.messages.map((m) => m.body)).toEqual(["slow answer"]);
    expect(emulator.requests).toMatchObject([{ fault: "stall", messageSid: emulator.messages[0]?.sid }]);
  });

  it("a server error after create answers 500, yet the message exists", async () => {
    emulator.failNext({ kind: "server-error", status: 500, afterCreate: true });
    await expectTwilioError(client.messages.create({ to: TO, from: FROM, body: "stored anyway" }), 500, 20500);
    expect(emulator.messages.map((m) => m.body)).toEqual(["stored anyway"]);
  });

  it("rejects nonsensical fault settings", () => {
    expect(() => emulator.failNext({ kind: "drop" }, 0)).toThrow(RangeError);
    expect(() => emulator.failNext({ kind: "delay", ms: 3_600_000 })).toThrow(RangeError);
  });
});

describe("Messages list", () => {
  const get = (query: string) =>
    fetch(`${emulator.url}/2010-04-01/Accounts/${emulator.accountSid}/Messages.json?${query}`, {
      headers: { Authorization: basicAuth(emulator.accountSid, emulator.authToken) },
    });

  it("filters by To, From and DateSent through the twilio client, newest first", async () => {
    const OTHER = "+15551230002";
    await client.messages.create({ to: TO, from: FROM, body: "first" });
    await client.messages.create({ to: OTHER, from: FROM, body: "elsewhere" });
    await client.messages.create({ to: TO, from: FROM, body: "second" });
    const today = new Date();
    const midnight = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
    const listed = await client.messages.list({ to: TO, from: FROM, dateSentAfter: midnight, limit: 20 });
    expect(listed.map((m) => m.body)).toEqual(["second", "first"]);
    expect(listed[0]?.dateSent).toBeInstanceOf(Date);
    const query = emulator.requests.at(-1)?.query;
    expect(query).toMatchObject({ To: TO, From: FROM, "DateSent>": midnight.toISOString().replace(".000", "") });
    expect(await client.messages.list({ to: TO, dateSentAfter: new Date(midnight.getTime() + 86_400_000) })).toEqual([]);
    expect(await client.messages.list({ to: TO, dateSentBefore: new Date(midnight.getTime() - 86_400_000) })).toEqual([]);
    expect((await client.messages.list({ dateSent: midnight })).map((m) => m.body)).toEqual(["second", "elsewhere", "first"]);
  });

  it("reads the raw DateSent>=YYYY-MM-DD spelling and pages with Twilio's envelope", async () => {
    for (const body of ["a", "b", "c"]) await client.messages.create({ to: TO, from: FROM, body });
    const response = await get(`To=${encodeURIComponent(TO)}&DateSent>=2000-01-01&PageSize=2`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as Record<string, unknown> & { messages: { body: string }[]; next_page_uri: string };
    expect(page).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
    expect(page.messages.map((m) => m.body)).toEqual(["c", "b"]);
    const next = await fetch(`${emulator.url}${page.next_page_uri}`, { headers: { Authorization: basicAuth(emulator.accountSid, emulator.authToken) } });
    const second = (await next.json()) as { messages: { body: string }[]; next_page_uri: string | null; page: number };
    expect(second).toMatchObject({ page: 1, next_page_uri: null });
    expect(second.messages.map((m) => m.body)).toEqual(["a"]);
  });

  it("rejects a malformed date and another account's credentials", async () => {
    expect((await get("DateSent>=yesterday")).status).toBe(400);
    const response = await fetch(`${emulator.url}/2010-04-01/Accounts/${emulator.accountSid}/Messages.json`, {
      headers: { Authorization: basicAuth(emulator.accountSid, "wrong") },
    });
    expect(response.status).toBe(401);
  });
});

describe("opt-outs", () => {
  it("rejects sends to an opted-out number with 21610 until opt-in", async () => {
    emulator.optOut(TO);
    const error = await rejection(client.messages.create({ to: TO, from: FROM, body: "x" }));
    expect(error).toMatchObject({ status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" });
    emulator.optIn(DEFAULT_ACCOUNT_SID, TO);
    await client.messages.create({ to: TO, from: FROM, body: "x" });
    expect(emulator.messages).toHaveLength(1);
  });

  it("an inbound STOP opts the sender out, START opts back in", async () => {
    const receiver = await startReceiver(200);
    try {
      await emulator.sendInboundSms({ webhookUrl: receiver.url, from: TO, to: FROM, body: " stop " });
      await expectTwilioError(client.messages.create({ to: TO, from: FROM, body: "x" }), 400, 21610);
      await emulator.sendInboundSms({ webhookUrl: receiver.url, from: TO, to: FROM, body: "START" });
      await client.messages.create({ to: TO, from: FROM, body: "x" });
      expect(receiver.received.map((r) => r.params.Body)).toEqual([" stop ", "START"]);
    } finally {
      await receiver.close();
    }
  });

  it("reset() clears records, faults and opt-outs", async () => {
    emulator.optOut(TO);
    emulator.failNext({ kind: "server-error" });
    await postCreate(emulator, { To: TO, From: FROM, Body: "x" });
    emulator.failNext({ kind: "server-error" });
    emulator.reset();
    expect(emulator.requests).toEqual([]);
    await client.messages.create({ to: TO, from: FROM, body: "x" });
    expect(emulator.messages).toHaveLength(1);
  });
});

describe("waitForMessages", () => {
  it("resolves once enough matching messages arrived", async () => {
    const waiting = emulator.waitForMessages(2, { to: TO, timeoutMs: 5_000 });
    await client.messages.create({ to: "+15551230002", from: FROM, body: "other" });
    await client.messages.create({ to: TO, from: FROM, body: "one" });
    await client.messages.create({ to: TO, from: FROM, body: "two" });
    expect((await waiting).map((m) => m.body)).toEqual(["one", "two"]);
  });

  it("rejects after the timeout, listing what did arrive", async () => {
    await client.messages.create({ to: "+15551230002", from: FROM, body: "wrong recipient" });
    await expectTwilioError(client.messages.create({ to: "bad", from: FROM, body: "x" }), 400, 21211);
    const error = await rejection(emulator.waitForMessages(1, { to: TO, timeoutMs: 50 }));
    expect(String(error)).toMatch(/expected 1 message\(s\) to \+15551230001 within 50 ms/);
    expect(String(error)).toContain('to +15551230002: "wrong recipient"');
    expect(String(error)).toContain("-> 400 (21211)");
  });

  it("rejects pending waits on close", async () => {
    const waiting = rejection(emulator.waitForMessages(1, { timeoutMs: 5_000 }));
    await emulator.close();
    expect(String(await waiting)).toMatch(/closed/);
  });
});

describe("IncomingPhoneNumbers", () => {
  it("lists the number with the SMS URL set through the emulator", async () => {
    emulator.setSmsUrl(FROM, "https://bot.example/twilio/sms", "POST");
    const [number, ...rest] = await client.incomingPhoneNumbers.list({ phoneNumber: FROM });
    expect(rest).toEqual([]);
    expect(number).toMatchObject({ phoneNumber: FROM, smsUrl: "https://bot.example/twilio/sms", smsMethod: "POST" });
    expect(number?.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(await client.incomingPhoneNumbers.list({ phoneNumber: "+15550000000" })).toEqual([]);
  });
});

describe("webhook client", () => {
  const goldenParams = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };

  it("matches Twilio's golden vector V1", () => {
    expect(signTwilioRequest("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", goldenParams)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });

  it("builds a realistic inbound SMS payload", () => {
    const params = buildInboundSmsParams({
      accountSid: DEFAULT_ACCOUNT_SID,
      from: TO,
      to: FROM,
      body: "hi",
      mediaUrls: ["https://api.twilio.com/media/1"],
      mediaContentTypes: ["image/png"],
    });
    expect(params).toMatchObject({
      AccountSid: DEFAULT_ACCOUNT_SID,
      From: TO,
      To: FROM,
      Body: "hi",
      NumMedia: "1",
      NumSegments: "1",
      SmsStatus: "received",
      ApiVersion: "2010-04-01",
      FromCountry: "US",
      MediaUrl0: "https://api.twilio.com/media/1",
      MediaContentType0: "image/png",
    });
    expect(params.MessageSid).toMatch(/^MM[0-9a-f]{32}$/);
    expect([params.SmsSid, params.SmsMessageSid]).toEqual([params.MessageSid, params.MessageSid]);
  });

  it("posts signed webhooks that twilio.validateRequest accepts, also when signed over a public URL", async () => {
    const receiver = await startReceiver(200);
    try {
      const params = buildInboundSmsParams({ accountSid: DEFAULT_ACCOUNT_SID, from: TO, to: FROM, body: "Hello + 'world' & ünïcode 😀" });
      const direct = await postTwilioWebhook({ url: `${receiver.url}/sms?x=1`, authToken: DEFAULT_AUTH_TOKEN, params });
      expect([direct.status, direct.body]).toEqual([200, "<Response/>"]);
      const publicUrl = "https://bot.example.com/twilio/sms";
      await postTwilioWebhook({ url: `${receiver.url}/sms`, signUrl: publicUrl, authToken: DEFAULT_AUTH_TOKEN, params });
      const [first, second] = receiver.received;
      expect(first?.params).toEqual(params);
      expect(twilio.validateRequest(DEFAULT_AUTH_TOKEN, String(first?.headers["x-twilio-signature"]), `${receiver.url}/sms?x=1`, first?.params ?? {})).toBe(true);
      const proxied = String(second?.headers["x-twilio-signature"]);
      expect(twilio.validateRequest(DEFAULT_AUTH_TOKEN, proxied, publicUrl, second?.params ?? {})).toBe(true);
      expect(twilio.validateRequest(DEFAULT_AUTH_TOKEN, proxied, `${receiver.url}/sms`, second?.params ?? {})).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it("sends no signature header for signature: null and the given one for a string", async () => {
    const receiver = await startReceiver(403);
    try {
      const unsigned = await postTwilioWebhook({ url: receiver.url, authToken: DEFAULT_AUTH_TOKEN, params: { Body: "x" }, signature: null });
      await postTwilioWebhook({ url: receiver.url, authToken: DEFAULT_AUTH_TOKEN, params: { Body: "x" }, signature: "forged" });
      expect(unsigned.status).toBe(403);
      expect(receiver.received.map((r) => r.headers["x-twilio-signature"])).toEqual([undefined, "forged"]);
    } finally {
      await receiver.close();
    }
  });

  it("emulator.sendInboundSms signs with the account's token and returns the posted params", async () => {
    const receiver = await startReceiver(200);
    try {
      const result = await emulator.sendInboundSms({ webhookUrl: `${receiver.url}/in`, from: TO, to: FROM, body: "ping", messageSid: "SM" + "a".repeat(32) });
      const [hit] = receiver.received;
      expect(result.params.MessageSid).toBe("SM" + "a".repeat(32));
      expect(hit?.params).toEqual(result.params);
      expect(twilio.validateRequest(emulator.authToken, String(hit?.headers["x-twilio-signature"]), `${receiver.url}/in`, hit?.params ?? {})).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe("status callbacks", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver(204);
  });
  afterAll(async () => {
    await receiver.close();
  });

  it("posts a signed callback to the message's StatusCallback URL and updates the message", async () => {
    const callbackUrl = `${receiver.url}/status?outboxId=42`;
    const message = await client.messages.create({ to: TO, from: FROM, body: "x", statusCallback: callbackUrl });
    const status = await emulator.sendStatusCallback(message.sid, "undelivered", { errorCode: 30003 });
    expect(status).toBe(204);
    const hit = receiver.received.at(-1);
    expect(hit?.url).toBe("/status?outboxId=42");
    expect(hit?.params).toEqual({
      AccountSid: DEFAULT_ACCOUNT_SID,
      ApiVersion: "2010-04-01",
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: "undelivered",
      SmsStatus: "undelivered",
      From: FROM,
      To: TO,
      ErrorCode: "30003",
    });
    expect(twilio.validateRequest(DEFAULT_AUTH_TOKEN, String(hit?.headers["x-twilio-signature"]), callbackUrl, hit?.params ?? {})).toBe(true);
    const fetched = await client.messages(message.sid).fetch();
    expect([fetched.status, fetched.errorCode]).toEqual(["undelivered", 30003]);
  });

  it("refuses a message sent without StatusCallback", async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: "x" });
    await expect(emulator.sendStatusCallback(message.sid, "delivered")).rejects.toThrow(/without StatusCallback/);
  });

  it("with deliverMessages(), moves each message to sent then delivered, with a signed callback per step", async () => {
    emulator.deliverMessages({ sentAfterMs: 20, deliveredAfterMs: 20 });
    const before = receiver.received.length;
    const callbackUrl = `${receiver.url}/status`;
    const withCallback = await client.messages.create({ to: TO, from: FROM, body: "x", statusCallback: callbackUrl });
    const withoutCallback = await client.messages.create({ to: TO, from: FROM, body: "y" });
    expect(withCallback.status).toBe("queued");
    await expect.poll(() => emulator.messages.map((message) => message.status), { timeout: 5_000 }).toEqual(["delivered", "delivered"]);
    // The status moves before its callback is posted, so the second callback may still be on its way.
    await expect.poll(() => receiver.received.slice(before).map((hit) => hit.params.MessageStatus), { timeout: 5_000 }).toEqual(["sent", "delivered"]);
    const hits = receiver.received.slice(before);
    for (const hit of hits) {
      expect(hit.params.MessageSid).toBe(withCallback.sid);
      expect(twilio.validateRequest(DEFAULT_AUTH_TOKEN, String(hit.headers["x-twilio-signature"]), callbackUrl, hit.params)).toBe(true);
    }
    expect((await client.messages(withoutCallback.sid).fetch()).status).toBe("delivered");
  });
});

describe("close()", () => {
  /** Fails instead of hanging the run when close() waits for something it should have cut. */
  async function closeWithin(ms: number): Promise<void> {
    const timer = new Promise<string>((resolve) => setTimeout(resolve, ms, "still open"));
    expect(await Promise.race([emulator.close().then(() => "closed"), timer])).toBe("closed");
  }

  it("cuts a pending slow reply and keep-alive sockets promptly, and is idempotent", async () => {
    await client.messages.create({ to: TO, from: FROM, body: "warm up a keep-alive socket" });
    emulator.failNext({ kind: "delay", ms: 60_000 });
    const pending = rejection(client.messages.create({ to: TO, from: FROM, body: "never answered" }));
    await expect.poll(() => emulator.requests.length).toBe(2);
    await closeWithin(1_000);
    await closeWithin(1_000);
    expect(await pending).not.toBeInstanceOf(twilio.RestException);
    expect(emulator.messages).toHaveLength(1);
  });

  it("does not wait for a client stuck halfway through its request body", async () => {
    const { port } = new URL(emulator.url);
    const socket = connect(Number(port), "127.0.0.1");
    try {
      socket.write(`POST /2010-04-01/Accounts/${emulator.accountSid}/Messages.json HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nTo=`);
      await expect.poll(() => emulator.requests.length).toBe(1);
      await closeWithin(1_000);
    } finally {
      socket.destroy();
    }
  });
});
