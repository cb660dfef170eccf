/**
 * `openclaw channels status --channel twilio-sms --probe`: asks Twilio whether
 * the credentials work, whether `fromNumber` belongs to the account, and
 * whether the number's inbound webhook is `POST publicUrl`. Every finding
 * that is not OK comes with its fix. Bounded by the host's probe timeout.
 */
import type { ResolvedAccount } from "../config/accounts.ts";
import { TwilioApiError } from "../errors.ts";
import { maskPhone, maskSid } from "../mask.ts";
import { evaluateRegistration } from "./deliverability.ts";
import { redactUrl } from "../webhook/verify.ts";
import type { TwilioRestClient } from "../twilio/client.ts";

export type NumberLookup =
  | { kind: "found"; smsUrl: string | null; smsMethod: string | null }
  | { kind: "missing" }
  | { kind: "auth-failed" }
  | { kind: "error"; message: string };

export type ProbeFinding = {
  check: "credentials" | "sender" | "webhook" | "webhook-retries" | "webhook-errors" | "deliverability";
  ok: boolean;
  detail: string;
  fix?: string;
};

const ALERT_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * `error` is what the host prints after "probe failed" in `channels status
 * --probe` text output, so it carries every failed check and its fix.
 * `twilioAnswered`: Twilio accepted these credentials for this account.
 */
export type ProbeResult = { ok: boolean; findings: ProbeFinding[]; error?: string; twilioAnswered: boolean };

function result(findings: ProbeFinding[]): ProbeResult {
  const failed = findings.filter((finding) => !finding.ok);
  return {
    ok: failed.length === 0,
    findings,
    ...(failed.length > 0 ? { error: failed.map(formatFinding).join("; ") } : {}),
    twilioAnswered: findings.some((finding) => finding.check === "credentials" && finding.ok),
  };
}

function formatFinding(finding: ProbeFinding): string {
  return `${finding.check}: ${finding.detail}${finding.fix ? `. Fix: ${finding.fix}` : ""}`;
}

export function evaluateNumber(account: ResolvedAccount, lookup: NumberLookup): ProbeFinding[] {
  const number = maskPhone(account.fromNumber);
  switch (lookup.kind) {
    case "auth-failed":
      return [
        {
          check: "credentials",
          ok: false,
          detail: "Twilio rejected the Account SID and Auth Token (20003)",
          fix: "copy both from the Twilio Console (Account info) into accountSid and authToken",
        },
      ];
    case "error":
      return [{ check: "credentials", ok: false, detail: `Twilio could not be asked: ${lookup.message}`, fix: "check apiBaseUrl and the network, then probe again" }];
    case "missing":
      return [
        { check: "credentials", ok: true, detail: "Twilio accepted the credentials" },
        {
          check: "sender",
          ok: false,
          detail: `${number} is not a phone number on this Twilio account`,
          fix: "set fromNumber to a number listed under Phone Numbers → Active numbers, or use the account that owns it",
        },
      ];
    case "found": {
      const findings: ProbeFinding[] = [
        { check: "credentials", ok: true, detail: "Twilio accepted the credentials" },
        { check: "sender", ok: true, detail: `${number} belongs to the account` },
      ];
      if (!account.publicUrl) {
        findings.push({
          check: "webhook",
          ok: false,
          detail: `the number's inbound webhook is ${lookup.smsUrl ? "set" : "empty"}, and publicUrl is not configured, so it cannot be compared`,
          fix: "set publicUrl to the public URL of this gateway's webhook path, and the same URL in Twilio",
        });
      } else if (withoutFragment(lookup.smsUrl) !== account.publicUrl || (lookup.smsMethod ?? "POST").toUpperCase() !== "POST") {
        findings.push({
          check: "webhook",
          ok: false,
          detail: `Twilio sends this number's texts to ${lookup.smsMethod ?? "POST"} ${lookup.smsUrl || "(nowhere)"}, not POST ${account.publicUrl}`,
          fix: `in the Twilio Console, set "A message comes in" to Webhook, HTTP POST, ${account.publicUrl}`,
        });
      } else {
        findings.push({ check: "webhook", ok: true, detail: `Twilio posts inbound texts to ${account.publicUrl}` });
        findings.push(checkRetryFragment(lookup.smsUrl ?? ""));
      }
      return findings;
    }
  }
}

export async function lookupNumber(client: Pick<TwilioRestClient, "findIncomingNumber">, phoneNumber: string): Promise<NumberLookup> {
  try {
    const number = await client.findIncomingNumber(phoneNumber);
    return number ? { kind: "found", ...number } : { kind: "missing" };
  } catch (error) {
    if (error instanceof TwilioApiError && (error.httpStatus === 401 || error.twilioCode === 20003)) return { kind: "auth-failed" };
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

/** Twilio's 11200 alerts of the last day: Twilio tried our webhook and failed. */
export async function checkWebhookErrors(client: Pick<TwilioRestClient, "webhookFailuresSince">, now: number): Promise<ProbeFinding> {
  try {
    const failures = await client.webhookFailuresSince(new Date(now - ALERT_WINDOW_MS));
    if (failures.length === 0) return { check: "webhook-errors", ok: true, detail: "no 11200 webhook errors in the last 24 h" };
    const urls = [...new Set(failures.map((failure) => redactUrl(failure.requestUrl)))].join(", ");
    return {
      check: "webhook-errors",
      ok: false,
      detail: `Twilio could not deliver ${failures.length} webhook(s) in the last 24 h (11200), last at ${failures[0]?.at.toISOString()}, to ${urls}`,
      fix: "make sure that URL reaches this gateway (tunnel up, path right, gateway running) and answers within 15 s",
    };
  } catch (error) {
    return { check: "webhook-errors", ok: true, detail: `Twilio's alerts could not be read (${error instanceof Error ? error.message : String(error)})` };
  }
}

export async function probeAccount(
  account: ResolvedAccount,
  client: Pick<TwilioRestClient, "findIncomingNumber" | "webhookFailuresSince" | "senderRegistration">,
  now: number,
): Promise<ProbeResult> {
  if (!account.configured || !account.sender) {
    return result(account.problems.map((problem) => ({ check: "credentials" as const, ok: false, detail: problem })));
  }
  const findings: ProbeFinding[] = [];
  if (account.sender.kind === "number") {
    findings.push(...evaluateNumber(account, await lookupNumber(client, account.sender.fromNumber)));
  } else {
    findings.push({ check: "sender", ok: true, detail: "sending through a Messaging Service; its inbound settings are not checked by this probe" });
  }
  const credentialsOk = findings.every((finding) => finding.check !== "credentials" || finding.ok);
  const senderOk = findings.every((finding) => finding.check !== "sender" || finding.ok);
  if (credentialsOk && senderOk) findings.push(await checkDeliverability(client, account.sender));
  if (credentialsOk && account.sender.kind === "number") findings.push(await checkWebhookErrors(client, now));
  return result(findings);
}

async function checkDeliverability(client: Pick<TwilioRestClient, "senderRegistration">, sender: NonNullable<ResolvedAccount["sender"]>): Promise<ProbeFinding> {
  const label = sender.kind === "number" ? maskPhone(sender.fromNumber) : `Messaging Service ${maskSid(sender.messagingServiceSid)}`;
  try {
    return evaluateRegistration(label, await client.senderRegistration(sender));
  } catch (error) {
    if (error instanceof TwilioApiError && (error.httpStatus === 401 || error.httpStatus === 403 || error.twilioCode === 20003)) {
      return {
        check: "deliverability",
        ok: false,
        detail: "these credentials may not read Messaging compliance (A2P 10DLC / toll-free verification)",
        fix: "use the main account's Auth Token, or check the registration in the Twilio Console",
      };
    }
    return {
      check: "deliverability",
      ok: false,
      detail: `Twilio's A2P 10DLC / toll-free status could not be read (${error instanceof Error ? error.message : String(error)})`,
      fix: "probe again; if it persists, check the registration in the Twilio Console",
    };
  }
}

export function formatProbe(probe: ProbeResult): string[] {
  return probe.findings.map((finding) => `${finding.ok ? "ok" : "FAIL"} ${formatFinding(finding)}`);
}

/** The connection-override fragment (`#rc=…`) is Twilio's, never sent to us or signed; compare without it. */
function withoutFragment(url: string | null): string | null {
  return url === null ? null : url.replace(/#.*$/, "");
}

/**
 * Twilio redelivers a message webhook answered 4xx/5xx only when the URL carries a retry
 * fragment, so without one every 429 (a full backlog) loses the text. Advice, not a failure.
 */
export function checkRetryFragment(smsUrl: string): ProbeFinding {
  const fragment = new URLSearchParams(smsUrl.includes("#") ? smsUrl.slice(smsUrl.indexOf("#") + 1) : "");
  if (Number(fragment.get("rc") ?? "0") > 0 && fragment.has("rp")) {
    return { check: "webhook-retries", ok: true, detail: `Twilio retries a refused text (rc=${fragment.get("rc")}, rp=${fragment.get("rp")})` };
  }
  return {
    check: "webhook-retries",
    ok: true,
    detail: "Twilio does not retry a text this gateway answers 4xx/5xx (a 429 when the queue is full), so such a text is lost",
    fix: 'to have Twilio retry, end the webhook URL in the Console with a fragment such as "#rc=3&rp=all"',
  };
}
