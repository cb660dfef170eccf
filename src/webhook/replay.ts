/**
 * Lets each inbound MessageSid through once per account. An lru-cache hot set
 * answers most replays without touching disk; the journal row behind it is
 * the durable record, so a replay is still refused after a restart.
 */
import { LRUCache } from "lru-cache";
import type { InboundJournal } from "../store/journal.ts";
import type { InboundSms } from "./form.ts";

export type Claim = "claimed" | "duplicate";

export interface ReplayGuard {
  /** Journals a new text before it is acknowledged. Throws when the journal cannot be written. */
  claim(event: InboundSms, now: number): Claim;
  /** Forgets a text refused before the ack (over budget), so Twilio's retry is accepted. */
  release(messageSid: string): void;
  /** Marks a MessageSid seen without the journal: a text run from memory, or one resumed from the journal. */
  remember(messageSid: string): void;
}

export function createReplayGuard(journal: InboundJournal, hotSetSize = 10_000): ReplayGuard {
  const hot = new LRUCache<string, true>({ max: hotSetSize });
  return {
    claim(event, now) {
      if (hot.has(event.messageSid)) return "duplicate";
      const result = journal.admit(event, now);
      hot.set(event.messageSid, true);
      return result === "new" ? "claimed" : "duplicate";
    },
    release(messageSid) {
      hot.delete(messageSid);
      journal.release(messageSid);
    },
    remember(messageSid) {
      hot.set(messageSid, true);
    },
  };
}
