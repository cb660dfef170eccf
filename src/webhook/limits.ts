/**
 * Budgets that keep a public, cost-bearing door from taking the gateway down:
 * rejected requests per client address, accepted messages per sender and per
 * account, and a gate that bounds concurrent and queued agent turns (not only
 * body reads). Created per account and dropped with it.
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

export function createRejectedBudget(perMinute: number): RejectedBudget {
  const limiter = createFixedWindowRateLimiter({ windowMs: MINUTE, maxRequests: perMinute, maxTrackedKeys: 4096 });
  const blockedUntil = new Map<string, number>();
  return {
    rejected(address) {
      const over = limiter.isRateLimited(address);
      if (over) blockedUntil.set(address, Date.now() + MINUTE);
      return over;
    },
    addressBlocked(address) {
      const until = blockedUntil.get(address);
      if (until === undefined) return false;
      if (until > Date.now()) return true;
      blockedUntil.delete(address);
      return false;
    },
  };
}

/** Accepted messages per sender and per account. */
export type AcceptedBudget = {
  /** Counts an accepted message; true when the sender or the account is over budget. */
  overBudget(sender: string, now: number): boolean;
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
      return perSender.isRateLimited(sender, now) || aggregate.isRateLimited("all", now);
    },
  };
}

export interface TurnGate {
  /** Reserves a place for one turn; false when running plus queued turns are at the cap. */
  tryReserve(): boolean;
  /** Reserves a place regardless of the cap: for work a restart resumes, which was admitted before. */
  reserve(): void;
  /** Runs a reserved turn once a concurrency slot is free. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once no turn runs or waits, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>;
  readonly running: number;
  readonly queued: number;
}

export function createTurnGate(maxConcurrent: number, maxQueued: number): TurnGate {
  let running = 0;
  let reserved = 0;
  // A finishing turn hands its slot straight to the next waiter, so no newcomer can slip in between.
  const waiters: (() => void)[] = [];
  let idleWaiters: (() => void)[] = [];
  const settleIdle = () => {
    if (running > 0 || reserved > 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  };
  return {
    tryReserve() {
      if (running + reserved >= maxConcurrent + maxQueued) return false;
      reserved += 1;
      return true;
    },
    reserve() {
      reserved += 1;
    },
    idle(timeoutMs) {
      if (running === 0 && reserved === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async run(task) {
      if (running >= maxConcurrent) await new Promise<void>((resolve) => waiters.push(resolve));
      else running += 1;
      reserved -= 1;
      try {
        return await task();
      } finally {
        const next = waiters.shift();
        if (next) next();
        else running -= 1;
        settleIdle();
      }
    },
    get running() {
      return running;
    },
    get queued() {
      return reserved;
    },
  };
}
