// The e2e tests' `send` over RPC: it sends again only after OpenClaw's own
// state-lock refusal, and never once a message went out.
import { describe, expect, it } from "vitest";
import { GatewayRpcError } from "../../../sandbox/gateway/rpc.ts";
import { sendRpc } from "./send.ts";

const hostLock = () => new GatewayRpcError("send", "UNAVAILABLE", "Error: another OpenClaw process owns state-lifecycle");

describe("sendRpc", () => {
  it("sends again, with the same idempotency key, while OpenClaw refuses for its state lock and nothing went out", async () => {
    const calls: unknown[] = [];
    const rpc = async (method: string, params?: unknown) => {
      calls.push([method, params]);
      if (calls.length < 3) throw hostLock();
      return { messageId: "SM1" };
    };
    const waits: number[] = [];
    const sleep = async (ms: number) => waits.push(ms);
    await expect(sendRpc(rpc, { channel: "twilio-sms", to: "+15551230001", message: "hi" }, () => 0, sleep)).resolves.toEqual({ messageId: "SM1" });
    expect(calls).toHaveLength(3);
    // Each refusal is a moment's lock: a longer wait before each new try.
    expect(waits).toEqual([500, 1000]);
    const keys = calls.map((call) => ((call as [string, { idempotencyKey: string }])[1]).idempotencyKey);
    expect(new Set(keys).size).toBe(1);
    expect(calls[0]).toEqual(["send", { idempotencyKey: keys[0], channel: "twilio-sms", to: "+15551230001", message: "hi" }]);
  });

  it("does not send again once a message went out, whatever OpenClaw answered", async () => {
    let created = 0;
    let calls = 0;
    const rpc = async () => {
      calls += 1;
      created += 1;
      throw hostLock();
    };
    await expect(sendRpc(rpc, { message: "hi" }, () => created)).rejects.toThrow(/owns state-lifecycle/);
    expect(calls).toBe(1);
  });

  it("throws any other error at once", async () => {
    let calls = 0;
    const rpc = async () => {
      calls += 1;
      throw new GatewayRpcError("send", "UNAVAILABLE", "Twilio answered 500: the outcome is unknown");
    };
    await expect(sendRpc(rpc, { message: "hi" }, () => 0)).rejects.toThrow(/outcome is unknown/);
    expect(calls).toBe(1);
  });
});
