/**
 * The delivery state machine for one outbound message. Twilio's status
 * callbacks are separate requests that arrive late, out of order or twice,
 * so a status only ever moves forward: a terminal status is never left, and a
 * second, different terminal status marks the message conflicted instead of
 * overwriting the first. Pure.
 */

const RANK: Readonly<Record<string, number>> = {
  scheduled: 0,
  accepted: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  // Read receipts come after delivery (RCS/WhatsApp only; never for SMS).
  read: 5,
};

export const TERMINAL = new Set(["delivered", "undelivered", "failed", "canceled", "read"]);

export type DeliveryState = {
  status: string;
  errorCode: number | null;
  conflicted: boolean;
  updatedAt: number;
};

export type StatusUpdate = { status: string; errorCode: number | undefined; at: number };

export function isKnownStatus(status: string): boolean {
  return status in RANK;
}

export function foldStatus(current: DeliveryState | undefined, update: StatusUpdate): DeliveryState {
  const incoming: DeliveryState = { status: update.status, errorCode: update.errorCode ?? null, conflicted: false, updatedAt: update.at };
  if (!current) return incoming;
  const from = RANK[current.status] ?? -1;
  const to = RANK[update.status] ?? -1;
  if (TERMINAL.has(current.status) && TERMINAL.has(update.status) && to === from && update.status !== current.status) {
    return { ...current, conflicted: true, updatedAt: update.at };
  }
  if (to <= from) return current;
  return { ...incoming, conflicted: current.conflicted };
}
