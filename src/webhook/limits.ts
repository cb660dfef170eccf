/**
 * Budgets that keep a public, cost-bearing door from taking the gateway down:
 * rejected requests per client address, and accepted messages per sender and
 * per account. Turns are bounded by the scheduler (scheduler.ts). Created per
 * account (or per path) and dropped with it.
 */
import { createFixedWindowRateLimiter } from "openclaw/plugin-sdk/webhook-ingress";
import type { LimitSettings } from "../config/accounts.ts";

const MINUTE = 60_000;

/** Rejected (unsigned, oversize, malformed) requests per client address, shared by every account on a path. */
export type RejectedBudget = {
  /** Counts a rejected request from `address`; true once that address is over budget. */
  rejected(address: string): boolean;
  /** True while the address is over budget (checked before any work). */
  addressBlocked(address: string): boolean;
};

export function createRejectedBudget(perMinute: number, now: () => number = Date.now): RejectedBudget {
  const limiter = createFixedWindowRateLimiter({ windowMs: MINUTE, maxRequests: perMinute, maxTrackedKeys: 4096 });
  const blockedUntil = new Map<string, number>();
  return {
    rejected(address) {
      const over = limiter.isRateLimited(address, now());
      if (over) blockedUntil.set(address, now() + MINUTE);
      return over;
    },
    addressBlocked(address) {
      const until = blockedUntil.get(address);
      if (until === undefined) return false;
      if (until > now()) return true;
      blockedUntil.delete(address);
      return false;
    },
  };
}

/** Accepted messages per sender and per account. */
export type AcceptedBudget = {
  /** Counts an accepted message; names the limit it is over, if any. */
  overBudget(sender: string, now: number): "messagesPerMinutePerSender" | "messagesPerMinute" | undefined;
};

export function createAcceptedBudget(settings: LimitSettings): AcceptedBudget {
  const perSender = createFixedWindowRateLimiter({
    windowMs: MINUTE,
    maxRequests: settings.messagesPerMinutePerSender,
    maxTrackedKeys: 4096,
  });
  const aggregate = createFixedWindowRateLimiter({ windowMs: MINUTE, maxRequests: settings.messagesPerMinute, maxTrackedKeys: 1 });
  return {
    overBudget(sender, now) {
      if (perSender.isRateLimited(sender, now)) return "messagesPerMinutePerSender";
      if (aggregate.isRateLimited("all", now)) return "messagesPerMinute";
      return undefined;
    },
  };
}
