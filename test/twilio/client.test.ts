// The one door to Twilio, against the emulator: failures keep Twilio's facts and lose the numbers.
import { describe, expect, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import { TwilioApiError } from "../../src/errors.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";
import { useTwilioEmulator } from "../support/emulator-fixture.ts";

const sender = { kind: "number", fromNumber: "+15550001111" } as const;
const emulator = useTwilioEmulator();

const client = () => createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: emulator().url });
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as TwilioApiError);

describe("createTwilioClient failures", () => {
  it("masks the phone numbers Twilio quotes in its message", async () => {
    const error = await rejection(client().createMessage({ to: "15551230001", body: "hi", sender }));
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toMatchObject({ httpStatus: 400, twilioCode: 21211 });
    expect(error?.message).toBe("Twilio error 21211: The 'To' number 1******0001 is not a valid phone number.");
  });

  it("keeps Retry-After from a 429", async () => {
    emulator().failNext({ kind: "rate-limit", retryAfterSeconds: 7 });
    const error = await rejection(client().createMessage({ to: "+15551230001", body: "hi", sender }));
    expect(error).toMatchObject({ httpStatus: 429, twilioCode: 20429, retryAfterSeconds: 7 });
  });

  it("a closed port is a refused connection: never sent", async () => {
    const closed = await startTwilioEmulator();
    const url = closed.url;
    await closed.close();
    const error = await rejection(
      createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: url }).createMessage({ to: "+15551230001", body: "hi", sender }),
    );
    expect(error).toMatchObject({ httpStatus: undefined, twilioCode: undefined, transport: { stage: "connect", code: "ECONNREFUSED" } });
    expect(error?.message).toBe("could not connect to Twilio (ECONNREFUSED); the request was never sent");
  });

  it("a reply that never comes is a timeout once the request was out: outcome unknown", async () => {
    emulator().failNext({ kind: "stall", ms: 5_000 });
    const impatient = createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: emulator().url }, { timeoutMs: 200 });
    const error = await rejection(impatient.createMessage({ to: "+15551230001", body: "hi", sender }));
    expect(error).toMatchObject({ httpStatus: undefined, transport: { stage: "in-flight", code: "ECONNABORTED" } });
    expect(error?.message).toBe("Twilio request failed before a response arrived (timed out)");
    expect(emulator().messages).toHaveLength(1);
  });

  it("a connection dropped after the request went out is a reset: outcome unknown", async () => {
    emulator().failNext({ kind: "drop" });
    const error = await rejection(client().createMessage({ to: "+15551230001", body: "hi", sender }));
    expect(error).toMatchObject({ httpStatus: undefined, transport: { stage: "in-flight", code: "ECONNRESET" } });
    expect(error?.message).toBe("Twilio request failed before a response arrived (ECONNRESET)");
  });
});

describe("createTwilioClient.findSentMessages", () => {
  const TO = "+15551230001";
  it("finds an outbound message by recipient, sender and text, created no earlier than asked", async () => {
    const since = new Date();
    const created = await client().createMessage({ to: TO, body: "find me", sender });
    await client().createMessage({ to: TO, body: "something else", sender });
    await client().createMessage({ to: "+15551230002", body: "find me", sender });
    const found = await client().findSentMessages({ to: TO, sender, body: "find me", since });
    expect(found.map((message) => message.sid)).toEqual([created.sid]);
    expect(emulator().requests.at(-1)?.query).toMatchObject({ To: TO, From: sender.fromNumber, "DateSent>": expect.stringMatching(/T00:00:00Z$/) });
    expect(await client().findSentMessages({ to: TO, sender, body: "find me", since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await client().findSentMessages({ to: TO, sender: { kind: "number", fromNumber: "+15550002222" }, body: "find me", since })).toEqual([]);
  });
});
