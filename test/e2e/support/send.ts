import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { GatewayRpcError } from "../../../sandbox/gateway/rpc.ts";
import type { GatewayRpc } from "../../../sandbox/gateway/rpc.ts";

// OpenClaw's own transient refusal: a CLI process or one of its helpers holds
// the state lock for a moment, usually right after a start or beside `doctor`.
const HOST_STATE_LOCK = /another OpenClaw process owns state-lifecycle/;
const ATTEMPTS = 5;

/**
 * The gateway's `send` RPC, what `openclaw message send` calls. When OpenClaw
 * refuses it for its state lock, this sends again as a careful operator
 * would: with the same idempotency key, and only while `created()` (the
 * messages Twilio has) shows that nothing went out. Any other error is the
 * answer, and is thrown at once. `sleep` waits between tries (500 ms, then
 * 1,000 ms, …).
 */
export async function sendRpc(
  rpc: GatewayRpc,
  params: Record<string, unknown>,
  created: () => number,
  sleep: (ms: number) => Promise<unknown> = delay,
): Promise<unknown> {
  const request = { idempotencyKey: randomUUID(), ...params };
  const before = created();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rpc("send", request);
    } catch (error) {
      const hostLock = error instanceof GatewayRpcError && HOST_STATE_LOCK.test(error.message);
      if (!hostLock || attempt === ATTEMPTS || created() !== before) throw error;
      await sleep(500 * attempt);
    }
  }
}
