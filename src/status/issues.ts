/**
 * The "Warnings:" block of `openclaw channels status` (text and JSON): every
 * failed probe check (an account that cannot start already shows there
 * through its lastError), and
 * recent carrier rejections that mean the sender is not registered, each with
 * its fix. Pure: it reads only the account snapshots the host built.
 */
import type { ChannelAccountSnapshot, ChannelStatusIssue } from "openclaw/plugin-sdk/channel-contract";
import { describeTwilioCode } from "../twilio/codes.ts";
import type { ProbeFinding } from "./probe.ts";

// Carrier rejections that no retry fixes: the sender's registration or content.
const REGISTRATION_CODES = new Set([30007, 30032, 30034, 30035]);

const KIND: Record<ProbeFinding["check"], ChannelStatusIssue["kind"]> = {
  credentials: "auth",
  sender: "config",
  webhook: "config",
  "webhook-retries": "config",
  "webhook-errors": "runtime",
  deliverability: "config",
};

export function collectStatusIssues(accounts: readonly ChannelAccountSnapshot[]): ChannelStatusIssue[] {
  const issues: ChannelStatusIssue[] = [];
  for (const snapshot of accounts) {
    const accountId = snapshot.accountId;
    const issue = (kind: ChannelStatusIssue["kind"], message: string, fix?: string) =>
      issues.push({ channel: "twilio-sms", accountId, kind, message, ...(fix ? { fix } : {}) });
    const probe = snapshot.probe as { findings?: ProbeFinding[] } | undefined;
    for (const finding of probe?.findings ?? []) if (!finding.ok) issue(KIND[finding.check], `${finding.check}: ${finding.detail}`, finding.fix);
    const failures = (snapshot as { deliveries?: { failuresLast24h?: Record<string, number> } }).deliveries?.failuresLast24h ?? {};
    const counts = new Map<number, number>();
    for (const [key, count] of Object.entries(failures)) {
      const code = Number(key.split(":")[1]);
      if (REGISTRATION_CODES.has(code)) counts.set(code, (counts.get(code) ?? 0) + count);
    }
    for (const [code, count] of [...counts].sort(([a], [b]) => a - b)) {
      const info = describeTwilioCode(code);
      issue("config", `${count} text(s) in the last 24 h were not delivered (error ${code}): ${info?.cause ?? "the carrier rejected them"}`, info?.fix);
    }
  }
  return issues;
}
