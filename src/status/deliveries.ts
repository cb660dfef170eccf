/**
 * The delivery section of `openclaw channels status --json`: recent messages
 * (SIDs and statuses only) and failure counts over the last day.
 */
import type { DeliveryStore } from "../store/deliveries.ts";

const RECENT = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

export type DeliverySummary = {
  recent: { sid: string; status: string; errorCode: number | null; conflicted: boolean; updatedAt: number }[];
  failuresLast24h: Record<string, number>;
};

export function summarizeDeliveries(store: DeliveryStore, now: number): DeliverySummary {
  return {
    recent: store.recent(RECENT).map((record) => ({
      sid: record.messageSid,
      status: record.status,
      errorCode: record.errorCode,
      conflicted: record.conflicted,
      updatedAt: record.updatedAt,
    })),
    failuresLast24h: store.failureCounts(now - DAY_MS),
  };
}
