// The webhook route at its HTTP boundary: the channel's real route table and
// handler, served on a loopback node:http socket, with real SQLite stores in a
// temp dir, a fake agent turn and an injected clock. Covers every status the
// route answers, the budgets, the backlog caps, replays, a journal that cannot
// be written, and status-callback routing between accounts on one path.
import { createServer } from "node:http";
import type { Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildInboundSmsParams, postTwilioWebhook } from "../../sandbox/emulator/index.ts";
import { resolveAccount } from "../../src/config/accounts.ts";
import type { ResolvedAccount } from "../../src/config/accounts.ts";
import { openDatabase } from "../../src/store/db.ts";
import { createDeliveryStore } from "../../src/store/deliveries.ts";
import { createInboundJournal } from "../../src/store/journal.ts";
import type { InboundJournal } from "../../src/store/journal.ts";
import { createOptOutLedger } from "../../src/store/optouts.ts";
import { createAccountWebhook } from "../../src/webhook/account.ts";
import type { AccountWebhook, AccountWebhookDeps, QueueStatus } from "../../src/webhook/account.ts";
import type { InboundSms } from "../../src/webhook/form.ts";
import type { StatusCallbackEvent } from "../../src/webhook/form.ts";
import { createWebhookRoutes } from "../../src/webhook/paths.ts";
import type { RouteHandler, WebhookRoutes } from "../../src/webhook/paths.ts";
import { EMPTY_TWIML } from "../../src/webhook/route.ts";
import { useTempStateDirs } from "../store/temp-state.ts";

const ACCOUNT_SID = `AC${"e".repeat(32)}`;
const TOKEN = "boundary-token-0123456789abcdef";
const FROM_A = "+15550007001";
const FROM_B = "+15550007002";
const PATH = "/twilio-sms/webhook";
const SENDER = "+15551237001";
const BODY_TIMEOUT_MS = 150;

const stateDir = useTempStateDirs();
const handlers = new Map<string, RouteHandler>();
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const handler = handlers.get(new URL(req.url ?? "/", "http://x").pathname);
    if (!handler || !(await handler(req, res))) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Mounted = {
  webhook: AccountWebhook;
  journal: InboundJournal;
  turns: string[];
  /** What the account's SMS sender was asked to send. */
  sent: { to: string; text: string }[];
  statuses: StatusCallbackEvent[];
  logs: string[];
  /** The queue the account published for status, each time it said it changed. */
  queues: QueueStatus[];
  /** Lets every turn started so far (and later) finish. */
  release(): void;
  recordSent(sid: string): void;
};

let routes: WebhookRoutes;
let now = Date.UTC(2026, 0, 5, 12);
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function account(id: string, extra: Record<string, unknown> = {}): ResolvedAccount {
  return resolveAccount(
    { accountSid: ACCOUNT_SID, authToken: TOKEN, fromNumber: FROM_A, allowFrom: ["*"], dmPolicy: "open", ...extra, accounts: { b: { fromNumber: FROM_B } } },
    id,
    {},
  );
}

function freshRoutes(): WebhookRoutes {
  routes = createWebhookRoutes({
    now: () => now,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
    installRoute: ({ path, handler }) => {
      handlers.set(path, handler);
      return () => handlers.delete(path);
    },
  });
  return routes;
}

type MountOptions = {
  journal?: (journal: InboundJournal) => InboundJournal;
  /** Runs as the agent turn instead of the default one that waits for `release`. */
  turn?: AccountWebhookDeps["dispatchTurn"];
};

function mount(resolved: ResolvedAccount, options: MountOptions = {}): Mounted {
  const db = openDatabase(stateDir());
  const realJournal = createInboundJournal(db, resolved.accountId);
  const journal = options.journal ? options.journal(realJournal) : realJournal;
  const deliveries = createDeliveryStore(db, resolved.accountId);
  const turns: string[] = [];
  const sent: { to: string; text: string }[] = [];
  const statuses: StatusCallbackEvent[] = [];
  const logs: string[] = [];
  const queues: QueueStatus[] = [];
  let open = false;
  const waiting: (() => void)[] = [];
  const webhook = createAccountWebhook({
    account: resolved,
    journal,
    optOuts: createOptOutLedger(db),
    deliveries,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    now: () => now,
    sendText: async (to, text) => {
      sent.push({ to, text });
      return [{ index: 0, sid: "SMfake", status: "queued", segments: 1, encoding: "GSM-7" }];
    },
    dispatchTurn: async (event, reply, info) => {
      turns.push(event.body);
      if (options.turn) return await options.turn(event, reply, info);
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
      return "dispatched";
    },
    onStatusCallback: (event) => statuses.push(event),
    onQueueChange: () => queues.push(webhook.queueStatus()),
  });
  const registration = routes.register(webhook, { trustedProxies: undefined, allowRealIpFallback: false }, () => undefined);
  cleanups.push(() => {
    registration.unregister();
    webhook.close();
    db.close();
  });
  return {
    webhook,
    journal: realJournal,
    turns,
    sent,
    statuses,
    logs,
    queues,
    release() {
      open = true;
      for (const resolve of waiting.splice(0)) resolve();
    },
    recordSent: (sid) => deliveries.recordSent(sid, "queued", now),
  };
}

const text = (body: string, extra: { from?: string; to?: string; messageSid?: string } = {}) =>
  buildInboundSmsParams({ accountSid: ACCOUNT_SID, from: extra.from ?? SENDER, to: extra.to ?? FROM_A, body, ...(extra.messageSid ? { messageSid: extra.messageSid } : {}) });
const post = (params: Record<string, string>, extra: { authToken?: string; signature?: string | null } = {}) =>
  postTwilioWebhook({ url, authToken: extra.authToken ?? TOKEN, params, ...(extra.signature === undefined ? {} : { signature: extra.signature }) });
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Sends raw bytes and resolves with the status line the server answered. */
function rawRequest(head: string, body: string, options: { endAfterWrite?: boolean } = {}): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (received.includes("\r\n")) {
        socket.destroy();
        resolve(received.split("\r\n")[0] ?? "");
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received.split("\r\n")[0] ?? ""));
    socket.write(head + body);
    if (options.endAfterWrite) socket.end();
  });
}

describe("status codes", () => {
  it("405 for anything but POST, with Allow", async () => {
    freshRoutes();
    mount(account("default"));
    const response = await fetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("413 for a body over 32 KiB, before any signature work", async () => {
    freshRoutes();
    const a = mount(account("default"));
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `Body=${"a".repeat(40 * 1024)}` });
    expect(response.status).toBe(413);
    expect(a.logs.join("\n")).not.toMatch(/signature/);
  });

  it("408 when the body stalls, and 400 when the client hangs up mid-body", async () => {
    freshRoutes();
    mount(account("default"));
    const head = (length: number) => `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;
    expect(await rawRequest(head(100), "Body=slow")).toBe("HTTP/1.1 408 Request Timeout");
    expect(await rawRequest(head(100), "Body=cut", { endAfterWrite: true })).toBe("HTTP/1.1 400 Bad Request");
  });

  it("403 for a missing, forged or wrong-token signature, and nothing is journaled", async () => {
    freshRoutes();
    const a = mount(account("default"));
    expect((await post(text("unsigned"), { signature: null })).status).toBe(403);
    expect((await post(text("forged"), { signature: "bm9wZQ==" })).status).toBe(403);
    expect((await post(text("wrong token"), { authToken: "not-the-token-0123456789abcdef" })).status).toBe(403);
    expect(a.journal.counts()).toEqual({ pending: 0, running: 0, done: 0 });
    expect(a.logs.join("\n")).toMatch(/signature check failed \(missing-signature\)/);
  });

  it("200 with empty TwiML for a verified text; the turn runs after the ack", async () => {
    freshRoutes();
    const a = mount(account("default"));
    const response = await post(text("hello"));
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/xml/);
    expect(response.body).toBe(EMPTY_TWIML);
    await settle();
    expect(a.turns).toEqual(["hello"]);
    expect(a.journal.counts().running).toBe(1);
    a.release();
    await settle();
    expect(a.journal.counts()).toEqual({ pending: 0, running: 0, done: 1 });
  });

  it("200 and no turn for a signed text addressed to another number or Twilio account", async () => {
    freshRoutes();
    const a = mount(account("default"));
    expect((await post(text("not ours", { to: "+15550009999" }))).status).toBe(200);
    const otherAccount = { ...text("other account"), AccountSid: `AC${"f".repeat(32)}` };
    expect((await post(otherAccount)).status).toBe(200);
    await settle();
    expect(a.turns).toEqual([]);
  });

  it("a replay of one MessageSid is acknowledged and runs once", async () => {
    freshRoutes();
    const a = mount(account("default"));
    a.release();
    const params = text("only once");
    const statuses = await Promise.all(Array.from({ length: 5 }, () => post(params)));
    expect(statuses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    await settle();
    expect(a.turns).toEqual(["only once"]);
  });
});

describe("budgets and backlog", () => {
  it("429 past messagesPerMinutePerSender, counted and logged with the key to raise; the next minute is accepted again", async () => {
    freshRoutes();
    const a = mount(account("default", { limits: { messagesPerMinutePerSender: 2 } }));
    a.release();
    expect((await post(text("one"))).status).toBe(200);
    expect((await post(text("two"))).status).toBe(200);
    const refused = await post(text("three"));
    expect(refused.status).toBe(429);
    expect(a.webhook.queueStatus().refused429.messagesPerMinutePerSender).toBe(1);
    const line = a.logs.find((log) => log.includes("answered 429"));
    expect(line).toContain("+1******7001");
    expect(line).not.toContain(SENDER);
    expect(line).toContain("channels.twilio-sms.limits.messagesPerMinutePerSender");
    // The refused text is not journaled, so a retry Twilio makes is taken as new.
    now += 61_000;
    expect((await post(text("three again"))).status).toBe(200);
    await settle();
    expect(a.turns).toEqual(["one", "two", "three again"]);
  });

  it("429 past messagesPerMinute for the whole account", async () => {
    freshRoutes();
    const a = mount(account("default", { limits: { messagesPerMinute: 2 } }));
    a.release();
    expect((await post(text("a", { from: "+15551237011" }))).status).toBe(200);
    expect((await post(text("b", { from: "+15551237012" }))).status).toBe(200);
    expect((await post(text("c", { from: "+15551237013" }))).status).toBe(429);
    expect(a.webhook.queueStatus().refused429.messagesPerMinute).toBe(1);
  });

  it("status counts a text from the moment it is acknowledged until its turn ends", async () => {
    freshRoutes();
    const a = mount(account("default", { limits: { maxConcurrentTurns: 1 } }));
    const counts = () => a.queues.map(({ running, waiting }) => [running, waiting]);
    expect((await post(text("first", { from: "+15551249001" }))).status).toBe(200);
    expect((await post(text("second", { from: "+15551249002" }))).status).toBe(200);
    expect(counts()).toEqual([
      [1, 0],
      [1, 1],
    ]);
    a.release();
    for (let i = 0; i < 10 && a.turns.length < 2; i++) await settle();
    await settle();
    // The second text's turn starts as the first one's ends: status never shows it waiting with no turn running.
    expect(counts()).toEqual([
      [1, 0],
      [1, 1],
      [1, 0],
      [0, 0],
    ]);
  });

  it("a burst within budget is all acknowledged and queued; turns run maxConcurrentTurns at a time", async () => {
    freshRoutes();
    const a = mount(account("default", { limits: { maxConcurrentTurns: 2 } }));
    const senders = Array.from({ length: 40 }, (_, i) => `+1555124${String(i).padStart(4, "0")}`);
    const responses = await Promise.all(senders.map((from, i) => post(text(`burst ${i}`, { from }))));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    await settle();
    expect(a.webhook.queueStatus()).toMatchObject({ running: 2, waiting: 38 });
    expect(a.journal.counts()).toEqual({ pending: 38, running: 2, done: 0 });
    a.release();
    for (let i = 0; i < 10 && a.journal.counts().done < 40; i++) await settle();
    expect(a.turns).toHaveLength(40);
    expect(a.journal.counts().done).toBe(40);
  });

  it("429 only past the per-sender and total backlog caps, each counted under its own key", async () => {
    freshRoutes();
    const a = mount(account("default", { limits: { maxConcurrentTurns: 1, maxBacklogPerSender: 2, maxBacklog: 3 } }));
    expect((await post(text("s1", { from: "+15551237021" }))).status).toBe(200);
    expect((await post(text("s2", { from: "+15551237021" }))).status).toBe(200);
    expect((await post(text("s3", { from: "+15551237021" }))).status).toBe(429);
    expect((await post(text("t1", { from: "+15551237022" }))).status).toBe(200);
    expect((await post(text("u1", { from: "+15551237023" }))).status).toBe(429);
    expect(a.webhook.queueStatus().refused429).toMatchObject({ maxBacklogPerSender: 1, maxBacklog: 1 });
    expect(a.logs.join("\n")).toContain("raise channels.twilio-sms.limits.maxBacklog");
  });

  it("a journal that cannot be written still answers 200 and runs the text from memory, logging the fix", async () => {
    freshRoutes();
    const a = mount(account("default"), {
      journal: (journal) => ({
        ...journal,
        admit: () => {
          throw new Error("SQLITE_FULL: database or disk is full");
        },
      }),
    });
    a.release();
    const params = text("from memory");
    expect((await post(params)).status).toBe(200);
    expect((await post(params)).status).toBe(200);
    await settle();
    expect(a.turns).toEqual(["from memory"]);
    expect(a.webhook.queueStatus().unjournaled).toBe(1);
    expect(a.logs.join("\n")).toMatch(/could not write the journal \(SQLITE_FULL.*running the text from \+1\*{6}7001.*Fix: check that the OpenClaw state dir/);
  });
});

describe("status callbacks", () => {
  const callback = (sid: string, status: string) => ({ MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, AccountSid: ACCOUNT_SID });

  it("go to the account that sent the message when two accounts share a path and a Twilio account", async () => {
    freshRoutes();
    const a = mount(account("default"));
    const b = mount(account("b"));
    a.recordSent("SMsentbya");
    b.recordSent("SMsentbyb");
    expect((await post(callback("SMsentbyb", "delivered"))).status).toBe(204);
    expect((await post(callback("SMsentbya", "sent"))).status).toBe(204);
    expect(a.statuses.map((event) => [event.messageSid, event.status])).toEqual([["SMsentbya", "sent"]]);
    expect(b.statuses.map((event) => [event.messageSid, event.status])).toEqual([["SMsentbyb", "delivered"]]);
  });

  it("a callback for a SID no account sent is answered 204 and logged, not folded anywhere", async () => {
    freshRoutes();
    const a = mount(account("default"));
    expect((await post(callback("SMunknown", "delivered"))).status).toBe(204);
    expect(a.statuses).toEqual([]);
    expect(a.logs.join("\n")).toMatch(/ignored a status callback for SMunknown/);
  });

  it("a forged callback is 403", async () => {
    freshRoutes();
    const a = mount(account("default"));
    a.recordSent("SMsentbya");
    expect((await post(callback("SMsentbya", "failed"), { authToken: "not-the-token-0123456789abcdef" })).status).toBe(403);
    expect(a.statuses).toEqual([]);
  });
});

describe("rejected budget per address", () => {
  it("429 for an address after rejectedPerMinutePerAddress bad requests, until the minute passes", async () => {
    freshRoutes();
    mount(account("default", { limits: { rejectedPerMinutePerAddress: 2 } }));
    for (let i = 0; i < 3; i++) expect((await post(text("bad"), { signature: "bm9wZQ==" })).status).toBe(403);
    expect((await post(text("good"))).status).toBe(429);
    now += 61_000;
    expect((await post(text("good later"))).status).toBe(200);
  });
});

describe("RCS texts", () => {
  const MG = `MG${"1".repeat(32)}`;
  const RCS_SENDER = `rcs:${SENDER}`;
  const mediaUrl = (messageSid: string) => `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${messageSid}/Media/ME${"a".repeat(32)}`;

  it("a picture over RCS is taken like an MMS: the turn sees the number and its media, and the reply goes back to the rcs: address", async () => {
    freshRoutes();
    const seen: InboundSms[] = [];
    const a = mount(account("default", { fromNumber: undefined, messagingServiceSid: MG }), {
      turn: async (event, reply) => {
        seen.push(event);
        await reply("nice picture");
        return "dispatched";
      },
    });
    const messageSid = `MM${"b".repeat(32)}`;
    const params = buildInboundSmsParams({
      accountSid: ACCOUNT_SID,
      from: RCS_SENDER,
      to: "rcs:acme_agent",
      body: "look",
      messageSid,
      messagingServiceSid: MG,
      mediaUrls: [mediaUrl(messageSid)],
      mediaContentTypes: ["image/png"],
    });
    expect((await post(params)).status).toBe(200);
    await expect.poll(() => a.sent).toEqual([{ to: RCS_SENDER, text: "nice picture" }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ from: SENDER, channel: "rcs", numMedia: 1, media: [{ index: 0, url: mediaUrl(messageSid), declaredType: "image/png" }] });
    // Logs name the sender masked, never in full.
    expect(a.logs.join("\n")).not.toContain(SENDER);
  });

  it("STOP over RCS opts the number out, so an SMS from the same person is not answered either", async () => {
    freshRoutes();
    const a = mount(account("default", { fromNumber: undefined, messagingServiceSid: MG }), { turn: async () => "dispatched" });
    const stop = buildInboundSmsParams({ accountSid: ACCOUNT_SID, from: RCS_SENDER, to: "rcs:acme_agent", body: "STOP", messagingServiceSid: MG });
    expect((await post(stop)).status).toBe(200);
    await expect.poll(() => a.logs.join("\n")).toMatch(/recorded an opt-out/);
    const sms = buildInboundSmsParams({ accountSid: ACCOUNT_SID, from: SENDER, to: "+15557770000", body: "hello again", messagingServiceSid: MG });
    expect((await post(sms)).status).toBe(200);
    await expect.poll(() => a.logs.join("\n")).toMatch(/dropped a text from .*opted-out/);
    expect(a.turns).toEqual([]);
  });
});
