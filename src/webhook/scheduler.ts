/**
 * The turn scheduler: runs journaled texts as capacity allows. The journal is
 * the durable queue; this is its in-memory index, rebuilt from the journal on
 * start. Fair across senders (round-robin over senders with waiting texts),
 * one turn at a time per sender so each sender's texts run in the order they
 * arrived, and bounded: a sender or the whole account past its backlog cap is
 * refused before the text is journaled.
 */

export type BacklogVerdict = "ok" | "sender-full" | "total-full";

export interface TurnScheduler<T> {
  /** Whether one more text from `sender` fits under the backlog caps. */
  room(sender: string): BacklogVerdict;
  /** Queues a text (no cap check: `room` is asked first; resumed texts were admitted before). */
  enqueue(sender: string, item: T): void;
  /** Starts no new turn from now on; queued texts stay where they are (the journal keeps them). */
  stop(): void;
  /** Resolves true once no turn runs, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean>;
  readonly running: number;
  readonly waiting: number;
}

export type SchedulerSettings = { maxConcurrent: number; maxPerSender: number; maxTotal: number };

export function createTurnScheduler<T>(
  settings: SchedulerSettings,
  deps: {
    /** Runs one turn; must not throw synchronously. */
    run(item: T): Promise<void>;
    /** Called after every change to what runs and what waits: a text queued, a turn settled and the next one started. */
    onChange?(): void;
  },
): TurnScheduler<T> {
  const queues = new Map<string, T[]>();
  // Senders with waiting texts and no running turn, in the order they get their next turn.
  const ready: string[] = [];
  const busy = new Set<string>();
  let waiting = 0;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const backlogOf = (sender: string) => (queues.get(sender)?.length ?? 0) + (busy.has(sender) ? 1 : 0);

  function settleIdle() {
    if (busy.size > 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  }

  function pump() {
    while (!stopped && busy.size < settings.maxConcurrent && ready.length > 0) {
      const sender = ready.shift() as string;
      const queue = queues.get(sender) as T[];
      const item = queue.shift() as T;
      waiting -= 1;
      if (queue.length === 0) queues.delete(sender);
      busy.add(sender);
      void deps
        .run(item)
        .catch(() => undefined)
        .finally(() => {
          busy.delete(sender);
          if (queues.has(sender)) ready.push(sender);
          pump();
          deps.onChange?.();
          settleIdle();
        });
    }
  }

  return {
    room(sender) {
      if (backlogOf(sender) >= settings.maxPerSender) return "sender-full";
      if (waiting + busy.size >= settings.maxTotal) return "total-full";
      return "ok";
    },
    enqueue(sender, item) {
      const queue = queues.get(sender);
      if (queue) queue.push(item);
      else {
        queues.set(sender, [item]);
        if (!busy.has(sender)) ready.push(sender);
      }
      waiting += 1;
      pump();
      deps.onChange?.();
    },
    stop() {
      stopped = true;
    },
    idle(timeoutMs) {
      if (busy.size === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          idleWaiters = idleWaiters.filter((waiter) => waiter !== done);
          resolve(false);
        }, timeoutMs);
        timer.unref?.();
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        idleWaiters.push(done);
      });
    },
    get running() {
      return busy.size;
    },
    get waiting() {
      return waiting;
    },
  };
}
