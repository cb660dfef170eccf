import type { EmulatedMessage } from "./message-resource.ts";

interface Waiter {
  count: number;
  to: string | undefined;
  resolve: (messages: EmulatedMessage[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function matching(messages: readonly EmulatedMessage[], to: string | undefined): EmulatedMessage[] {
  return messages.filter((m) => to === undefined || m.to === to);
}

/** Pending `waitForMessages` calls; each is settled by a new message, its own timeout, or close(). */
export class MessageWaiters {
  #waiters = new Set<Waiter>();

  wait(
    messages: readonly EmulatedMessage[],
    count: number,
    to: string | undefined,
    timeoutMs: number,
    describe: () => string,
  ): Promise<EmulatedMessage[]> {
    const ready = matching(messages, to);
    if (ready.length >= count) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        to,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const target = to === undefined ? "" : ` to ${to}`;
          reject(new Error(`waitForMessages: expected ${count} message(s)${target} within ${timeoutMs} ms.\n${describe()}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  notify(messages: readonly EmulatedMessage[]): void {
    for (const waiter of this.#waiters) {
      const ready = matching(messages, waiter.to);
      if (ready.length < waiter.count) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(ready);
    }
  }

  rejectAll(reason: string): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`waitForMessages: ${reason}`));
    }
    this.#waiters.clear();
  }
}
