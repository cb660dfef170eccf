/**
 * After an unknown outcome (a 5xx, a timeout, a connection lost once the
 * request was out), asks Twilio's message list whether the part was created
 * before anyone calls it lost. Found once: it was sent, with that SID, and
 * is never resent. Not found after a few looks: still unknown, and still not
 * resent, because a message that is queued has no date_sent yet and the
 * list may lag; a duplicate text is worse than a reported gap.
 *
 * This is the live half of reconciliation. The SDK's `reconcileUnknownSend`
 * hook is the other half: core calls it only when it recovers its own
 * durable delivery queue after a crash, through a `message.durableFinal`
 * adapter this plugin does not have; it could answer with this same lookup.
 */
import type { SentMessageQuery, TwilioMessage, TwilioRestClient } from "../twilio/client.ts";

/** Waits before each look: at once, then twice more while Twilio dequeues the message. */
export const RECONCILE_SCHEDULE_MS: readonly number[] = [0, 2_000, 5_000];
/**
 * How far before our request a match may have been created, for clock skew
 * between this host and Twilio. Kept short: an identical earlier text inside
 * this window would be taken for the lost one.
 */
export const CLOCK_SKEW_MS = 5_000;

export type Reconciliation =
  | { kind: "found"; message: TwilioMessage }
  /** `note` finishes the sentence that names the failure. */
  | { kind: "unresolved"; note: string };

export type ReconcileParams = {
  client: Pick<TwilioRestClient, "findSentMessages">;
  query: Omit<SentMessageQuery, "since">;
  /** When the ambiguous request started (epoch ms). */
  requestedAt: number;
  /** SIDs that belong to other parts of this reply, so they are never claimed twice. */
  exclude: ReadonlySet<string>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal | undefined;
};

export async function reconcilePart(params: ReconcileParams): Promise<Reconciliation> {
  const since = new Date(params.requestedAt - CLOCK_SKEW_MS);
  let looked = false;
  let lookupError = "";
  for (const delayMs of RECONCILE_SCHEDULE_MS) {
    if (delayMs > 0) await params.sleep(delayMs, params.signal);
    params.signal?.throwIfAborted();
    let matches: TwilioMessage[];
    try {
      matches = (await params.client.findSentMessages({ ...params.query, since })).filter((message) => !params.exclude.has(message.sid));
    } catch (error) {
      lookupError = error instanceof Error ? error.message : String(error);
      continue;
    }
    looked = true;
    const [only, ...others] = matches;
    if (only && others.length === 0) return { kind: "found", message: only };
    if (others.length > 0) {
      return {
        kind: "unresolved",
        note: `Twilio's message list shows ${matches.length} messages with this text since the send began, so which one is this part cannot be told; it was not resent`,
      };
    }
  }
  const waited = RECONCILE_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0) / 1000;
  return {
    kind: "unresolved",
    note: looked
      ? `it did not show up in Twilio's message list within ${waited} s, but it may still have been created, so it was not resent`
      : `Twilio's message list could not be read to check (${lookupError}), so the message may or may not have been created and it was not resent`,
  };
}
