// The client's MMS additions against the emulator: MediaUrl on create, Media resource deletion.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioClient } from "../../src/twilio/client.ts";
import { useTwilioEmulator } from "../support/emulator-fixture.ts";
import { PNG } from "../support/pictures.ts";

const sender = { kind: "number", fromNumber: "+15550001111" } as const;
const emulator = useTwilioEmulator();
const client = () => createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: emulator().url });

let fileUrl = "";
const server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "image/png" }).end(PNG));
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("createTwilioClient media", () => {
  it("sends mediaUrls as repeated MediaUrl and gets an MM message", async () => {
    const message = await client().createMessage({ to: "+15551230001", body: "chart", sender, mediaUrls: [fileUrl, `${fileUrl}2`] });
    expect(message.sid).toMatch(/^MM/);
    expect(emulator().messages[0]?.mediaUrls).toEqual([fileUrl, `${fileUrl}2`]);
  });

  it("sends no MediaUrl for an empty list", async () => {
    await client().createMessage({ to: "+15551230001", body: "hi", sender, mediaUrls: [] });
    expect(emulator().messages[0]?.params.MediaUrl).toBeUndefined();
  });

  it("deletes a Media resource, and reports false once it is gone", async () => {
    const { params } = await emulator().sendInboundSms({
      webhookUrl: `${emulator().url}/nowhere`,
      from: "+15551230001",
      to: "+15550001111",
      body: "",
      media: [{ contentType: "image/png", bytes: PNG }],
    });
    const mediaSid = params.MediaUrl0!.split("/").pop()!;
    expect(await client().deleteMedia(params.MessageSid!, mediaSid)).toBe(true);
    expect(await client().deleteMedia(params.MessageSid!, mediaSid)).toBe(false);
  });
});
