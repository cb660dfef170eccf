/**
 * Startup warnings and doctor findings: configurations that run but will
 * surprise the operator. Pure; the gateway logs them at start and the
 * security adapter hands them to `openclaw doctor`.
 */
import type { ResolvedAccount } from "../config/accounts.ts";

export type Warning = {
  checkId: string;
  severity: "warn" | "info";
  title: string;
  detail: string;
  remediation: string;
  /** Set when the warning is about one account; channel-wide warnings have none. */
  accountId?: string;
};

/**
 * `@openclaw/sms` owns channel id `sms`; its config section or plugin entry
 * means it is installed too, unless that entry switches it off.
 */
export function officialSmsPluginPresent(cfg: { channels?: unknown; plugins?: unknown }): boolean {
  const channels = (cfg.channels ?? {}) as Record<string, unknown>;
  const entries = ((cfg.plugins as { entries?: Record<string, unknown> } | undefined)?.entries ?? {}) as Record<string, unknown>;
  const entry = entries.sms as { enabled?: unknown } | undefined;
  if (entry?.enabled === false) return false;
  return channels.sms !== undefined || entry !== undefined;
}

export function warningsForAccount(warnings: readonly Warning[], accountId: string): Warning[] {
  return warnings.filter((warning) => warning.accountId === undefined || warning.accountId === accountId);
}

export function collectWarnings(accounts: readonly ResolvedAccount[], facts: { officialSmsPluginPresent: boolean }): Warning[] {
  const warnings: Warning[] = [];
  for (const account of accounts.filter((candidate) => candidate.enabled && candidate.configured)) {
    const where = `channels.twilio-sms${account.accountId === "default" ? "" : `.accounts.${account.accountId}`}`;
    if (!account.publicUrl) {
      warnings.push({
        checkId: "twilio-sms.public-url-missing",
        accountId: account.accountId,
        severity: "warn",
        title: `account "${account.accountId}" has no publicUrl`,
        detail: "signatures are checked against the request's own Host; behind a proxy or tunnel every webhook will fail with 403",
        remediation: `set ${where}.publicUrl to the URL configured in Twilio, e.g. https://sms.example.com${account.webhookPath}`,
      });
    }
    if (account.dmPolicy === "allowlist" && account.allowFrom.length === 0) {
      warnings.push({
        checkId: "twilio-sms.allowlist-empty",
        accountId: account.accountId,
        severity: "warn",
        title: `account "${account.accountId}" allows nobody`,
        detail: 'dmPolicy is "allowlist" but allowFrom is empty, so every text is dropped',
        remediation: `add numbers to ${where}.allowFrom, or use dmPolicy "pairing"`,
      });
    }
    if (account.dmPolicy === "open" && !account.allowFrom.includes("*")) {
      warnings.push({
        checkId: "twilio-sms.open-without-wildcard",
        accountId: account.accountId,
        severity: "warn",
        title: `account "${account.accountId}" is open without "*"`,
        detail: 'dmPolicy "open" admits nobody unless allowFrom contains "*"',
        remediation: `set ${where}.allowFrom to ["*"], or use dmPolicy "pairing"`,
      });
    }
  }
  const byPath = new Map<string, ResolvedAccount[]>();
  for (const account of accounts.filter((candidate) => candidate.enabled)) {
    byPath.set(account.webhookPath, [...(byPath.get(account.webhookPath) ?? []), account]);
  }
  for (const [path, sharing] of byPath) {
    if (sharing.length < 2) continue;
    const senders = sharing.map((account) => `${account.accountSid}|${account.fromNumber ?? account.messagingServiceSid ?? ""}`);
    if (new Set(senders).size < senders.length) {
      warnings.push({
        checkId: "twilio-sms.path-clash",
        severity: "warn",
        title: `accounts ${sharing.map((account) => `"${account.accountId}"`).join(", ")} cannot share ${path}`,
        detail: "they use the same number or Messaging Service, so an inbound text cannot be told apart",
        remediation: "give each account its own webhookPath",
      });
    }
  }
  if (facts.officialSmsPluginPresent) {
    warnings.push({
      checkId: "twilio-sms.official-sms-installed",
      severity: "warn",
      title: "@openclaw/sms is configured alongside twilio-sms",
      detail: 'the official plugin accepts "twilio-sms:" as a target prefix for its own channel, so that prefix is ambiguous',
      remediation: "address this plugin with --channel twilio-sms and a bare +E164 number (or twilio:+E164), and the official one with --channel sms",
    });
  }
  return warnings;
}

/**
 * `openclaw doctor` lines: every account that cannot start (with each reason)
 * and every warning, each naming the key and its fix.
 */
export function doctorLines(accounts: readonly ResolvedAccount[], facts: { officialSmsPluginPresent: boolean }): string[] {
  const lines: string[] = [];
  for (const account of accounts) {
    if (!account.enabled || account.configState !== "invalid") continue;
    for (const problem of account.problems) lines.push(`- twilio-sms account "${account.accountId}" cannot start: ${problem}`);
  }
  // Doctor reads the config file, where a resolved SecretRef is still a ref: "config" here means plain text.
  // Accounts that inherit the root's token share its key, so each key is named once.
  const plainText = new Map<string, string[]>();
  for (const account of accounts) {
    if (!account.enabled || account.tokenSource !== "config") continue;
    plainText.set(account.tokenKey, [...(plainText.get(account.tokenKey) ?? []), `"${account.accountId}"`]);
  }
  for (const [key, ids] of plainText) {
    lines.push(
      `- twilio-sms ${ids.length === 1 ? "account" : "accounts"} ${ids.join(", ")}: ${key} is plain text in openclaw.json. Fix: run openclaw secrets configure to move it to a SecretRef, or use authTokenFile`,
    );
  }
  for (const warning of collectWarnings(accounts, facts)) {
    lines.push(`- twilio-sms: ${warning.title}: ${warning.detail}. Fix: ${warning.remediation}`);
  }
  return lines;
}
