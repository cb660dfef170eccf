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

  it("has no HTTP status when no answer came", async () => {
    const closed = await startTwilioEmulator();
    const url = closed.url;
    await closed.close();
    const error = await rejection(
      createTwilioClient({ accountSid: emulator().accountSid, authToken: emulator().authToken, apiBaseUrl: url }).createMessage({ to: "+15551230001", body: "hi", sender }),
    );
    expect(error).toMatchObject({ httpStatus: undefined, twilioCode: undefined });
    expect(error?.message).toBe("Twilio request failed before a response arrived (ECONNREFUSED)");
  });
});
