/**
 * Texts senders whose pairing the owner approved. Polls the SDK's allow store
 * only while someone is waiting, so an idle account does no work.
 */
import { maskPhone } from "../mask.ts";
import { normalizeAllowEntry } from "../phone.ts";
import type { PendingPairings } from "../store/pairing-pending.ts";

export const APPROVED_REPLY = "You're approved: text this number any time to reach the assistant. Reply STOP to opt out.";
const POLL_MS = 2_000;

export function watchPairingApprovals(deps: {
  accountId: string;
  pending: PendingPairings;
  readAllowFrom: () => Promise<string[]>;
  notify: (number: string) => Promise<unknown>;
  log: { info(message: string): void; warn(message: string): void };
  now: () => number;
}): { stop(): Promise<void> } {
  let current: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    const waiting = deps.pending.list(deps.accountId, deps.now());
    if (waiting.length === 0) return;
    const allowed = new Set((await deps.readAllowFrom()).map(normalizeAllowEntry));
    for (const number of waiting) {
      if (stopped || !allowed.has(number)) continue;
      deps.pending.remove(deps.accountId, number);
      try {
        await deps.notify(number);
        deps.log.info(`told ${maskPhone(number)} that their pairing was approved`);
      } catch (error) {
        deps.log.warn(`could not tell ${maskPhone(number)} about the approval: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const timer = setInterval(() => {
    if (current) return;
    current = tick()
      .catch((error: unknown) => deps.log.warn(`pairing approval check failed: ${String(error)}`))
      .finally(() => {
        current = undefined;
      });
  }, POLL_MS);
  timer.unref();
  return {
    /** Stops polling and waits for a check under way, so nothing runs after the account stops. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
