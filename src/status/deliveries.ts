/**
 * The delivery section of `openclaw channels status --json`: recent messages
 * (SIDs and statuses only) and failure counts over the last day.
 */
import type { DeliveryStore } from "../store/deliveries.ts";
import { describeTwilioCode } from "../twilio/codes.ts";
import { isKnownStatus } from "./delivery.ts";

const RECENT = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

export type DeliverySummary = {
  recent: { sid: string; status: string; errorCode: number | null; cause?: string; conflicted: boolean; updatedAt: number }[];
  failuresLast24h: Record<string, number>;
  /** Statuses among `recent` that Twilio reported but this plugin does not know; kept as Twilio sent them. */
  unknownStatuses: string[];
  /** Plain-language cause and fix for each error code seen above. */
  causes: Record<string, string>;
};

function explain(code: number | null): string | undefined {
  const info = code === null ? undefined : describeTwilioCode(code);
  return info ? `${info.cause}${info.fix ? `; ${info.fix}` : ""}` : undefined;
}

export function summarizeDeliveries(store: DeliveryStore, now: number): DeliverySummary {
  const recent = store.recent(RECENT).map((record) => {
    const cause = explain(record.errorCode);
    return {
      sid: record.messageSid,
      status: record.status,
      errorCode: record.errorCode,
      ...(cause ? { cause } : {}),
      conflicted: record.conflicted,
      updatedAt: record.updatedAt,
    };
  });
  const failuresLast24h = store.failureCounts(now - DAY_MS);
  const causes: Record<string, string> = {};
  for (const key of Object.keys(failuresLast24h)) {
    const code = Number(key.split(":")[1]);
    const cause = explain(Number.isFinite(code) ? code : null);
    if (cause) causes[String(code)] = cause;
  }
  const unknownStatuses = [...new Set(recent.map((record) => record.status).filter((status) => !isKnownStatus(status)))];
  return { recent, failuresLast24h, causes, unknownStatuses };
}
