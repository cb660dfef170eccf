import { describe, expect, it } from "vitest";
import type { EmulatedMessage } from "./emulator/index.ts";
import { GatewayRpcError } from "./gateway/rpc.ts";
import { approvePairingCode } from "./pairing.ts";

const PHONE = "+15555550142";

function texted(to: string, body: string): EmulatedMessage {
  const at = new Date(0);
  return {
    sid: `SM${"0".repeat(32)}`,
    accountSid: `AC${"0".repeat(32)}`,
    to,
    from: "+15555550100",
    messagingServiceSid: null,
    body,
    mediaUrls: [],
    media: [],
    mediaFetches: [],
    mmsConverted: false,
    statusCallback: null,
    numSegments: 1,
    encoding: "GSM-7",
    status: "queued",
    errorCode: null,
    createdAt: at,
    updatedAt: at,
    sentAt: null,
    params: {},
  };
}

/** A gateway that holds `pending` requests and records the calls it gets. */
function gateway(pending: Array<{ requestId: string; accountId: string; senderId: string }>) {
  const calls: Array<[string, unknown]> = [];
  const rpc = async (method: string, params?: unknown) => {
    calls.push([method, params]);
    if (method === "channels.pairing.list") return { requests: pending };
    if (method === "channels.pairing.approve") return { requestId: (params as { requestId: string }).requestId };
    throw new GatewayRpcError(method, "INVALID_REQUEST", "unknown method");
  };
  return { rpc, calls };
}

describe("approving a pairing code from the phone page", () => {
  it("approves the pending request of the number the code was texted to", async () => {
    const { rpc, calls } = gateway([
      { requestId: "r-other", accountId: "default", senderId: "+15555550123" },
      { requestId: "r-phone", accountId: "default", senderId: PHONE },
    ]);
    const result = await approvePairingCode(rpc, "twilio-sms", [texted(PHONE, "Pairing code: ABCD2345\nThe owner can approve it with: …")], "ABCD2345");
    expect(result).toEqual({ ok: true, output: `Approved twilio-sms sender ${PHONE}.` });
    expect(calls.at(-1)).toEqual(["channels.pairing.approve", { channel: "twilio-sms", accountId: "default", requestId: "r-phone" }]);
  });

  it("refuses a code the agent never texted, without asking the gateway", async () => {
    const { rpc, calls } = gateway([]);
    const result = await approvePairingCode(rpc, "twilio-sms", [texted(PHONE, "Pairing code: ABCD2345")], "WXYZ9999");
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/never texted pairing code WXYZ9999/);
    expect(calls).toEqual([]);
  });

  it("explains a request that is gone, and says how to get a new code", async () => {
    const { rpc } = gateway([]);
    const result = await approvePairingCode(rpc, "twilio-sms", [texted(PHONE, "Pairing code: ABCD2345")], "ABCD2345");
    expect(result).toMatchObject({ ok: false });
    expect(result.output).toMatch(/approved already, or it expired .* Text again for a new code/);
  });

  it("shows the gateway's refusal instead of throwing", async () => {
    const rpc = async () => {
      throw new GatewayRpcError("channels.pairing.list", "FORBIDDEN", "missing scope: operator.pairing");
    };
    const result = await approvePairingCode(rpc, "twilio-sms", [texted(PHONE, "Pairing code: ABCD2345")], "ABCD2345");
    expect(result).toEqual({ ok: false, output: "The gateway refused the approval: channels.pairing.list: FORBIDDEN: missing scope: operator.pairing" });
  });
});
