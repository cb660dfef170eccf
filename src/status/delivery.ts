/**
 * The delivery state machine for one outbound message. Twilio's status
 * callbacks are separate requests that arrive late, out of order or twice,
 * so a status only ever moves forward: a final status is never left, and a
 * second, different final status marks the message conflicted instead of
 * overwriting the first. Pure.
 *
 * Every status Twilio documents for an outbound message is ranked
 * (research twilio.md §3). `receiving` / `received` belong to inbound
 * messages and never reach here (webhook/form.ts routes them as texts). A
 * status Twilio adds later is kept as reported rather than dropped: it
 * replaces any status that is not final, and a known status that follows it
 * replaces it in turn, since its place in the order cannot be known.
 */

const RANK: Readonly<Record<string, number>> = {
  // With a Messaging Service the message waits for a sender; `scheduled` waits for SendAt.
  scheduled: 0,
  accepted: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  // Some recipients or parts delivered and some not (group and multi-part sends).
  partially_delivered: 4,
  // Read receipts come after delivery (RCS/WhatsApp only; never for SMS).
  read: 5,
};

/** Statuses after which nothing but a read receipt can follow. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["delivered", "undelivered", "failed", "canceled", "partially_delivered", "read"]);
/** Final statuses that say the message did not arrive, so a read receipt after one contradicts it. */
const NOT_DELIVERED = new Set(["undelivered", "failed", "canceled"]);

export type DeliveryState = {
  status: string;
  errorCode: number | null;
  conflicted: boolean;
  updatedAt: number;
};

export type StatusUpdate = { status: string; errorCode: number | undefined; at: number };

/** Whether Twilio documents this status; an unknown one is still kept (see foldStatus). */
export function isKnownStatus(status: string): boolean {
  return status in RANK;
}

export function foldStatus(current: DeliveryState | undefined, update: StatusUpdate): DeliveryState {
  const incoming: DeliveryState = { status: update.status, errorCode: update.errorCode ?? null, conflicted: false, updatedAt: update.at };
  if (!current) return incoming;
  if (update.status === current.status) return current;
  const finalNow = FINAL_STATUSES.has(current.status);
  if (!isKnownStatus(update.status)) return finalNow ? current : { ...incoming, conflicted: current.conflicted };
  const from = RANK[current.status] ?? -1;
  const to = RANK[update.status] ?? -1;
  const contradicts =
    finalNow && ((to === from && FINAL_STATUSES.has(update.status)) || (update.status === "read" && NOT_DELIVERED.has(current.status)));
  if (contradicts) return { ...current, conflicted: true, updatedAt: update.at };
  if (to <= from) return current;
  return { ...incoming, conflicted: current.conflicted };
}
