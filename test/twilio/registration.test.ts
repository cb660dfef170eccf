// The sender-registration lookups through the real twilio-node client, against
// the emulator's Messaging v1 compliance resources.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";
import { createTwilioClient } from "../../src/twilio/client.ts";

const SID = `AC${"7".repeat(32)}`;
const TOKEN = "registration-token-000000000000";
const VERIFIED_MG = `MG${"1".repeat(32)}`;
const PENDING_MG = `MG${"2".repeat(32)}`;
const BARE_MG = `MG${"3".repeat(32)}`;
const NUMBERS = { verified: "+15550004001", pending: "+15550004002", bare: "+15550004003", lone: "+15550004004", tollFree: "+18005550100", tollFreeRejected: "+18885550101", tollFreeNone: "+18775550102" };

let emulator: TwilioEmulator;
let client: ReturnType<typeof createTwilioClient>;

beforeAll(async () => {
  emulator = await startTwilioEmulator({
    accounts: [
      {
        accountSid: SID,
        authToken: TOKEN,
        phoneNumbers: Object.values(NUMBERS),
        messagingServices: [
          { sid: VERIFIED_MG, phoneNumbers: [NUMBERS.verified], campaignStatus: "VERIFIED" },
          { sid: PENDING_MG, phoneNumbers: [NUMBERS.pending], campaignStatus: "PENDING" },
          { sid: BARE_MG, phoneNumbers: [NUMBERS.bare] },
        ],
        tollfreeVerifications: [
          { phoneNumber: NUMBERS.tollFree, status: "TWILIO_APPROVED" },
          { phoneNumber: NUMBERS.tollFreeRejected, status: "TWILIO_REJECTED", rejectionReason: "Opt-in unclear" },
        ],
      },
    ],
  });
  client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: emulator.url });
});

afterAll(async () => {
  await emulator?.close();
});

const ofNumber = (fromNumber: string) => client.senderRegistration({ kind: "number", fromNumber });

describe("senderRegistration", () => {
  it("finds a long code's Messaging Service and its A2P campaign status", async () => {
    expect(await ofNumber(NUMBERS.verified)).toEqual({ kind: "a2p-10dlc", messagingServiceSid: VERIFIED_MG, campaignStatus: "VERIFIED" });
    expect(await ofNumber(NUMBERS.pending)).toEqual({ kind: "a2p-10dlc", messagingServiceSid: PENDING_MG, campaignStatus: "PENDING" });
    expect(await ofNumber(NUMBERS.bare)).toEqual({ kind: "a2p-10dlc", messagingServiceSid: BARE_MG, campaignStatus: null });
    expect(await ofNumber(NUMBERS.lone)).toEqual({ kind: "a2p-10dlc", messagingServiceSid: null, campaignStatus: null });
  });

  it("reads a Messaging Service sender's campaign directly", async () => {
    expect(await client.senderRegistration({ kind: "service", messagingServiceSid: PENDING_MG })).toEqual({
      kind: "a2p-10dlc",
      messagingServiceSid: PENDING_MG,
      campaignStatus: "PENDING",
    });
  });

  it("reads a toll-free number's verification", async () => {
    expect(await ofNumber(NUMBERS.tollFree)).toEqual({ kind: "toll-free", status: "TWILIO_APPROVED", rejectionReason: null });
    expect(await ofNumber(NUMBERS.tollFreeRejected)).toEqual({ kind: "toll-free", status: "TWILIO_REJECTED", rejectionReason: "Opt-in unclear" });
    expect(await ofNumber(NUMBERS.tollFreeNone)).toEqual({ kind: "toll-free", status: null, rejectionReason: null });
  });

  it("does not check numbers outside +1", async () => {
    expect(await ofNumber("+447700900123")).toEqual({ kind: "not-checked" });
  });

  it("wrong credentials fail like Twilio (401)", async () => {
    const wrong = createTwilioClient({ accountSid: SID, authToken: "nope", apiBaseUrl: emulator.url });
    await expect(wrong.senderRegistration({ kind: "number", fromNumber: NUMBERS.lone })).rejects.toMatchObject({ httpStatus: 401 });
  });
});
