/**
 * The table of webhook paths. Accounts may share a path (two numbers on one
 * Twilio account), so the table outlives any single account: the first
 * account on a path installs the gateway route, the last one out removes it.
 * This and the SDK runtime slot are the package's only module-level state.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { registerWebhookTargetWithPluginRoute, resolveWebhookTargets } from "openclaw/plugin-sdk/webhook-ingress";
import { createRejectedBudget } from "./limits.ts";
import type { RejectedBudget } from "./limits.ts";
import { PLUGIN_ID } from "../runtime.ts";
import { handleWebhookRequest } from "./route.ts";
import type { RouteDeps, WebhookTarget } from "./route.ts";

const targetsByPath = new Map<string, WebhookTarget[]>();
const rejectedByPath = new Map<string, RejectedBudget>();

export type PathRegistration = { unregister(): void };

/** Accounts on one path must be told apart by their number or Messaging Service; says which ones clash. */
export function findPathClash(path: string, candidate: WebhookTarget): string | undefined {
  for (const existing of targetsByPath.get(path) ?? []) {
    const a = existing.account;
    const b = candidate.account;
    const sameNumber = Boolean(a.fromNumber && a.fromNumber === b.fromNumber);
    const sameService = Boolean(a.messagingServiceSid && a.messagingServiceSid === b.messagingServiceSid);
    if (a.accountSid === b.accountSid && (sameNumber || sameService || (!a.fromNumber && !a.messagingServiceSid))) {
      return `accounts "${a.accountId}" and "${b.accountId}" share webhookPath ${path} and the same ${sameService ? "messagingServiceSid" : "fromNumber"}, so inbound texts cannot be told apart; give one of them its own webhookPath`;
    }
  }
  return undefined;
}

export function registerWebhookTarget(
  target: WebhookTarget,
  deps: Pick<RouteDeps, "trustedProxies" | "allowRealIpFallback">,
  log: (message: string) => void,
): PathRegistration {
  const clash = findPathClash(target.path, target);
  if (clash) throw new Error(`twilio-sms: ${clash}`);
  if (!rejectedByPath.has(target.path)) {
    rejectedByPath.set(target.path, createRejectedBudget(target.account.limits.rejectedPerMinutePerAddress));
  }
  const registration = registerWebhookTargetWithPluginRoute({
    targetsByPath,
    target,
    route: {
      auth: "plugin",
      match: "exact",
      pluginId: PLUGIN_ID,
      accountId: target.account.accountId,
      replaceExisting: true,
      throwOnFailure: true,
      log,
      handler: async (req: IncomingMessage, res: ServerResponse) => {
        const resolved = resolveWebhookTargets(req, targetsByPath);
        const budget = resolved ? rejectedByPath.get(resolved.path) : undefined;
        if (!resolved || resolved.targets.length === 0 || !budget) return false;
        await handleWebhookRequest(req, res, resolved.targets, { ...deps, ...budget });
        return true;
      },
    },
    onLastPathTargetRemoved: ({ path }) => {
      rejectedByPath.delete(path);
    },
  });
  return { unregister: registration.unregister };
}
