import { describe, expect, it } from "vitest";
import { resolveAccount } from "../../src/config/accounts.ts";
import { reportStartFailure } from "../../src/status/start-failure.ts";

function fakeContext() {
  const lines: string[] = [];
  let status: Record<string, unknown> = { accountId: "x" };
  return {
    lines,
    status: () => status,
    ctx: {
      log: { error: (line: string) => lines.push(line) },
      getStatus: () => status as never,
      setStatus: (next: Record<string, unknown>) => {
        status = next;
      },
    },
  };
}

describe("reportStartFailure", () => {
  it("says nothing and lets a ready account start", () => {
    const { ctx, lines } = fakeContext();
    const account = resolveAccount({ accountSid: `AC${"0".repeat(32)}`, authToken: "t", fromNumber: "+15550001111" }, null, {});
    expect(reportStartFailure(ctx as never, account)).toBe(false);
    expect(lines).toEqual([]);
  });

  it("logs one line with every reason and marks the account blocked, so readiness fails and no restart loop starts", () => {
    const { ctx, lines, status } = fakeContext();
    const account = resolveAccount({ accountSid: `AC${"0".repeat(32)}`, accounts: { b: { webhookPath: "/b" } } }, "b", {});
    expect(reportStartFailure(ctx as never, account)).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[twilio-sms:b\] invalid config, not started: channels\.twilio-sms\.accounts\.b\.authToken is not set.*; channels\.twilio-sms\.accounts\.b\.fromNumber is not set/);
    expect(status()).toMatchObject({ configured: true, running: false, lifecycle: "blocked", terminalDisconnect: true, lastError: lines[0]!.replace("[twilio-sms:b] ", "") });
  });
});
