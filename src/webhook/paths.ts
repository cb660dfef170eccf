/**
 * The table of webhook paths, owned by the channel object. Accounts may share
 * a path (two numbers on one Twilio account), so the table outlives any single
 * account: the first account on a path installs the gateway route, the last one
 * out removes it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  canonicalizeWebhookRouteKey,
  registerPluginHttpRoute,
  registerWebhookTarget as addPathTarget,
  resolveWebhookTargets,
} from "openclaw/plugin-sdk/webhook-ingress";
import { createRejectedBudget } from "./limits.ts";
import type { RejectedBudget } from "./limits.ts";
import { PLUGIN_ID } from "../runtime.ts";
import { handleWebhookRequest } from "./route.ts";
import type { RouteDeps, WebhookTarget } from "./route.ts";

export type PathRegistration = { unregister(): void };

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Installs the gateway HTTP route for a path; returns its removal. Tests install on a loopback server instead. */
export type InstallRoute = (params: { path: string; accountId: string; handler: RouteHandler; log: (message: string) => void }) => () => void;

/** A gateway HTTP route with "plugin" auth: our own checks (signature, token) guard it. */
const installPluginRoute =
  (match: "exact" | "prefix"): InstallRoute =>
  ({ path, accountId, handler, log }) =>
    registerPluginHttpRoute({ path, auth: "plugin", match, pluginId: PLUGIN_ID, accountId, replaceExisting: true, throwOnFailure: true, log, handler });

export const installGatewayRoute = installPluginRoute("exact");

/**
 * Installs the prefix route under which an account's outbound attachments are
 * served (`OutboundMediaHost.routePath`); Twilio fetches them without our
 * signature, so the unguessable token is the check.
 */
export const installMediaRoute = installPluginRoute("prefix");

export interface WebhookRoutes {
  register(
    target: WebhookTarget,
    deps: Pick<RouteDeps, "trustedProxies" | "allowRealIpFallback">,
    log: (message: string) => void,
  ): PathRegistration;
  /** Serves one request for any registered path; false when no account is on its path. */
  handle: RouteHandler;
}

/** Accounts on one path must be told apart by their number or Messaging Service; says which ones clash. */
export function findPathClash(existing: readonly WebhookTarget[], path: string, candidate: WebhookTarget): string | undefined {
  for (const other of existing) {
    const a = other.account;
    const b = candidate.account;
    const sameNumber = Boolean(a.fromNumber && a.fromNumber === b.fromNumber);
    const sameService = Boolean(a.messagingServiceSid && a.messagingServiceSid === b.messagingServiceSid);
    if (a.accountSid === b.accountSid && (sameNumber || sameService || (!a.fromNumber && !a.messagingServiceSid))) {
      return `accounts "${a.accountId}" and "${b.accountId}" share webhookPath ${path} and the same ${sameService ? "messagingServiceSid" : "fromNumber"}, so inbound texts cannot be told apart; give one of them its own webhookPath`;
    }
  }
  return undefined;
}

export function createWebhookRoutes(options: { installRoute?: InstallRoute; now?: () => number; bodyTimeoutMs?: number } = {}): WebhookRoutes {
  const install = options.installRoute ?? installGatewayRoute;
  const targetsByPath = new Map<string, WebhookTarget[]>();
  const rejectedByPath = new Map<string, RejectedBudget>();
  const routeDepsByPath = new Map<string, Pick<RouteDeps, "trustedProxies" | "allowRealIpFallback">>();

  const handle: RouteHandler = async (req, res) => {
    const resolved = resolveWebhookTargets(req, targetsByPath);
    const budget = resolved ? rejectedByPath.get(resolved.path) : undefined;
    const deps = resolved ? routeDepsByPath.get(resolved.path) : undefined;
    if (!resolved || resolved.targets.length === 0 || !budget || !deps) return false;
    await handleWebhookRequest(req, res, resolved.targets, {
      ...deps,
      ...budget,
      ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
    });
    return true;
  };

  return {
    handle,
    register(target, deps, log) {
      const clash = findPathClash(targetsByPath.get(target.path) ?? [], target.path, target);
      if (clash) throw new Error(`twilio-sms: ${clash}`);
      const registration = addPathTarget(targetsByPath, { ...target, path: canonicalizeWebhookRouteKey(target.path) }, {
        onFirstPathTarget: ({ path }) => {
          const remove = install({ path, accountId: target.account.accountId, handler: handle, log });
          rejectedByPath.set(path, createRejectedBudget(target.account.limits.rejectedPerMinutePerAddress, options.now));
          routeDepsByPath.set(path, deps);
          return remove;
        },
        onLastPathTargetRemoved: ({ path }) => {
          rejectedByPath.delete(path);
          routeDepsByPath.delete(path);
        },
      });
      return { unregister: registration.unregister };
    },
  };
}
