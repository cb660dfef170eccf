// Outbound media hosting over a real loopback HTTP server, with a fake clock.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOutboundMediaHost, DEFAULT_MEDIA_TTL_MS, MediaHostFullError, safeFileName, type OutboundMediaHost } from "../../src/media/host.ts";
import { PNG } from "../support/pictures.ts";

const PUBLIC_URL = "https://sms.example.com/hooks/twilio?acct=1";

let now = 1_000_000;
let host: OutboundMediaHost;
let server: Server;
let origin = "";

beforeEach(async () => {
  now = 1_000_000;
  host = createOutboundMediaHost({ publicUrl: PUBLIC_URL, webhookPath: "/twilio-sms/webhook", now: () => now, maxBytes: 1000 });
  server = createServer((req, res) => {
    if (!host.handle(req, res)) res.writeHead(418).end("not the media route");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** What Twilio would request: the hosted URL's token on the gateway's route. */
const local = (token: string) => `${origin}/twilio-sms/webhook/media/${token}`;

describe("OutboundMediaHost", () => {
  it("gives a public URL under publicUrl's origin and path, with a 43-character token", () => {
    const { url, token, expiresAt } = host.put({ bytes: PNG, contentType: "image/png", fileName: "chart.png" });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url).toBe(`https://sms.example.com/hooks/twilio/media/${token}`);
    expect(expiresAt).toBe(now + DEFAULT_MEDIA_TTL_MS);
    expect(host.routePath).toBe("/twilio-sms/webhook/media/");
  });

  it("serves GET with the file's exact bytes and headers", async () => {
    const { token } = host.put({ bytes: PNG, contentType: "image/png", fileName: "my sales chart (final).png" });
    const response = await fetch(local(token));
    expect(response.status).toBe(200);
    expect(Object.fromEntries(["content-type", "content-length", "content-disposition", "cache-control", "x-content-type-options"].map((h) => [h, response.headers.get(h)]))).toEqual({
      "content-type": "image/png",
      "content-length": String(PNG.length),
      "content-disposition": "inline; filename=my_sales_chart_f.png",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
  });

  it("answers HEAD with the same headers and no body", async () => {
    const { token } = host.put({ bytes: PNG, contentType: "image/png", fileName: "a.png" });
    const response = await fetch(local(token), { method: "HEAD" });
    expect([response.status, response.headers.get("content-length"), response.headers.get("content-type")]).toEqual([200, String(PNG.length), "image/png"]);
    expect(await response.text()).toBe("");
  });

  it("answers 404 for an unknown, tampered or expired token, and for other methods", async () => {
    const { token } = host.put({ bytes: PNG, contentType: "image/png", fileName: "a.png" });
    const tampered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect((await fetch(local(tampered))).status).toBe(404);
    expect((await fetch(local("short"))).status).toBe(404);
    expect((await fetch(`${local(token)}/extra`)).status).toBe(404);
    expect((await fetch(local(token), { method: "POST", body: "x" })).status).toBe(404);
    expect((await fetch(local(token))).status).toBe(200);
    now += DEFAULT_MEDIA_TTL_MS;
    const expired = await fetch(local(token));
    expect(expired.status).toBe(404);
    expect(await expired.text()).toBe("Not found\n");
    expect(host.heldBytes).toBe(0);
  });

  it("leaves other paths to the caller", async () => {
    expect((await fetch(`${origin}/twilio-sms/webhook`)).status).toBe(418);
    expect((await fetch(`${origin}/elsewhere/media/x`)).status).toBe(418);
  });

  it("stops serving a message's files once it reaches a final status", async () => {
    const first = host.put({ bytes: PNG, contentType: "image/png", fileName: "a.png" });
    const second = host.put({ bytes: PNG, contentType: "image/png", fileName: "b.png" });
    host.bindMessage(first.token, "MM1");
    host.bindMessage(second.token, "MM2");
    host.settle("MM1");
    expect((await fetch(local(first.token))).status).toBe(404);
    expect((await fetch(local(second.token))).status).toBe(200);
  });

  it("refuses new files over its byte cap until old ones expire", () => {
    const big = Buffer.alloc(600);
    host.put({ bytes: big, contentType: "image/png", fileName: "a.png" });
    expect(() => host.put({ bytes: big, contentType: "image/png", fileName: "b.png" })).toThrow(MediaHostFullError);
    now += DEFAULT_MEDIA_TTL_MS;
    expect(() => host.put({ bytes: big, contentType: "image/png", fileName: "b.png" })).not.toThrow();
  });

  it("draws every token from fresh randomness", () => {
    const tokens = new Set(Array.from({ length: 50 }, () => host.put({ bytes: Buffer.alloc(1), contentType: "image/png", fileName: "a.png" }).token));
    expect(tokens.size).toBe(50);
  });
});

describe("safeFileName", () => {
  it.each([
    ["chart.png", ".png", "chart.png"],
    ["a very long file name for a chart.jpeg", ".jpg", "a_very_long_fil.jpeg"],
    ["../../etc/passwd", undefined, "passwd"],
    ["", ".png", "file.png"],
    ["report", ".pdf", "report.pdf"],
  ])("%j → %j", (input, fallback, expected) => {
    const name = safeFileName(input, fallback);
    expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(20);
    expect(name).not.toMatch(/\s/);
  });
});
