/**
 * A text that waited in the queue (a burst, a slow model, a restart) must not
 * get an answer that reads as if it were fresh. The agent is told how long ago
 * it was sent, so its answer can say so; the sender is never told separately,
 * because one more SMS per queued text would cost more than it helps. Pure.
 */

/** Texts that waited less than this are answered as usual. */
export const LATE_AFTER_MS = 2 * 60 * 1000;

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} hour${hours === 1 ? "" : "s"}`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** The note put before a late text for the agent; undefined when it is not late. */
export function lateNotice(receivedAt: number, now: number): string | undefined {
  const waited = now - receivedAt;
  if (waited < LATE_AFTER_MS) return undefined;
  return `[This SMS was sent ${ago(waited)} ago and waited in the queue; answer knowing that time has passed.]`;
}
