import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `probe` until it returns a value (undefined, or a rejection such as a
 * connection reset while a route is handed over, means "not yet"); throws
 * naming `what` after `timeoutMs`.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}
