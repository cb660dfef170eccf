import { firstValue, type FormFields } from "./http-io.ts";
import { API_VERSION, messageResource, type EmulatedMessage } from "./message-resource.ts";

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type ListOutcome = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

/**
 * Twilio's DateSent filters take a GMT date (YYYY-MM-DD); twilio-node sends a full ISO 8601 instant
 * (`2024-05-01T00:00:00Z`), so both are read and only the calendar day counts.
 */
function dayStart(raw: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)?$/.exec(raw);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(ms) ? undefined : ms;
}

type DateFilter = { param: string; keep: (sentMs: number, day: number) => boolean };

/**
 * `DateSent=D` is that day; the inequalities are spelled `DateSent>=D` / `DateSent<=D` on the wire,
 * which a form parser reads as the keys `DateSent>` / `DateSent<`: on or after, on or before the day.
 * A message not yet sent has no date_sent and never passes a date filter.
 */
const DATE_FILTERS: DateFilter[] = [
  { param: "DateSent", keep: (sent, day) => sent >= day && sent < day + DAY_MS },
  { param: "DateSent>", keep: (sent, day) => sent >= day },
  { param: "DateSent<", keep: (sent, day) => sent < day + DAY_MS },
];

/**
 * One page of GET /Accounts/{Sid}/Messages.json: filtered by To, From and DateSent, newest first, paged
 * by `PageSize` and `Page` with Twilio's page envelope. `next_page_uri` carries the same filters.
 */
export function messagesPage(accountSid: string, messages: readonly EmulatedMessage[], query: FormFields): ListOutcome {
  const to = firstValue(query, "To");
  const from = firstValue(query, "From");
  let matches = messages.filter(
    (m) => m.accountSid === accountSid && (to === undefined || m.to === to) && (from === undefined || m.from === from),
  );
  for (const filter of DATE_FILTERS) {
    const raw = firstValue(query, filter.param);
    if (raw === undefined) continue;
    const day = dayStart(raw);
    if (day === undefined) return { ok: false, message: `Invalid ${filter.param} value '${raw}': use a GMT date as YYYY-MM-DD` };
    matches = matches.filter((m) => m.sentAt !== null && filter.keep(m.sentAt.getTime(), day));
  }
  const newest = (m: EmulatedMessage) => (m.sentAt ?? m.createdAt).getTime();
  matches = matches
    .map((m, order) => ({ m, order }))
    .sort((a, b) => newest(b.m) - newest(a.m) || b.order - a.order)
    .map(({ m }) => m);

  const pageSize = Math.min(Math.max(Number(firstValue(query, "PageSize") ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const page = Math.max(Number(firstValue(query, "Page") ?? 0) || 0, 0);
  const start = page * pageSize;
  const slice = matches.slice(start, start + pageSize);
  const uriFor = (n: number) => {
    const params = new URLSearchParams();
    if (to !== undefined) params.set("To", to);
    if (from !== undefined) params.set("From", from);
    for (const { param } of DATE_FILTERS) {
      const raw = firstValue(query, param);
      if (raw !== undefined) params.set(param, raw);
    }
    params.set("PageSize", String(pageSize));
    params.set("Page", String(n));
    return `/${API_VERSION}/Accounts/${accountSid}/Messages.json?${params}`;
  };
  return {
    ok: true,
    body: {
      end: start + Math.max(slice.length - 1, 0),
      first_page_uri: uriFor(0),
      messages: slice.map(messageResource),
      next_page_uri: start + pageSize < matches.length ? uriFor(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      start,
      uri: uriFor(page),
    },
  };
}
