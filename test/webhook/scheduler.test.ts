// The turn scheduler: concurrency cap, round-robin across senders, per-sender order, backlog caps.
import { describe, expect, it } from "vitest";
import { createTurnScheduler } from "../../src/webhook/scheduler.ts";

type Job = { sender: string; id: string };

function harness(settings = { maxConcurrent: 2, maxPerSender: 5, maxTotal: 20 }) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  let active = 0;
  let peak = 0;
  const scheduler = createTurnScheduler<Job>(settings, {
    run: (job) =>
      new Promise<void>((resolve) => {
        started.push(job.id);
        active += 1;
        peak = Math.max(peak, active);
        finishers.set(job.id, () => {
          active -= 1;
          resolve();
        });
      }),
  });
  const add = (sender: string, id: string) => scheduler.enqueue(sender, { sender, id });
  const finish = async (id: string) => {
    const done = finishers.get(id);
    if (!done) throw new Error(`${id} is not running`);
    finishers.delete(id);
    done();
    // The settle chain (catch → finally) takes a few microtasks.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { scheduler, started, add, finish, peak: () => peak };
}

describe("turn scheduler", () => {
  it("runs at most maxConcurrent turns and starts the next as one ends", async () => {
    const { scheduler, started, add, finish, peak } = harness();
    for (const sender of ["+1", "+2", "+3", "+4"]) add(sender, sender);
    expect(started).toEqual(["+1", "+2"]);
    expect(scheduler.running).toBe(2);
    expect(scheduler.waiting).toBe(2);
    await finish("+1");
    expect(started).toEqual(["+1", "+2", "+3"]);
    await finish("+2");
    await finish("+3");
    await finish("+4");
    expect(peak()).toBe(2);
    expect(scheduler.running).toBe(0);
    expect(scheduler.waiting).toBe(0);
  });

  it("is fair: a chatty sender's backlog does not hold back others, and each sender's texts run in order", async () => {
    const { started, add, finish } = harness({ maxConcurrent: 1, maxPerSender: 10, maxTotal: 20 });
    for (let i = 1; i <= 4; i++) add("+chatty", `chatty-${i}`);
    add("+a", "a-1");
    add("+b", "b-1");
    add("+a", "a-2");
    for (let step = 0; step < 7; step++) await finish(started.at(-1)!);
    expect(started).toEqual(["chatty-1", "a-1", "b-1", "chatty-2", "a-2", "chatty-3", "chatty-4"]);
  });

  it("never runs two turns of one sender at once, even with free slots", async () => {
    const { started, add, finish } = harness({ maxConcurrent: 4, maxPerSender: 10, maxTotal: 20 });
    add("+1", "1a");
    add("+1", "1b");
    add("+2", "2a");
    expect(started).toEqual(["1a", "2a"]);
    await finish("1a");
    expect(started).toEqual(["1a", "2a", "1b"]);
  });

  it("says which backlog cap a new text would cross: running and waiting texts both count", () => {
    const { scheduler, add } = harness({ maxConcurrent: 1, maxPerSender: 2, maxTotal: 3 });
    add("+1", "1a");
    expect(scheduler.room("+1")).toBe("ok");
    add("+1", "1b");
    expect(scheduler.room("+1")).toBe("sender-full");
    expect(scheduler.room("+2")).toBe("ok");
    add("+2", "2a");
    expect(scheduler.room("+3")).toBe("total-full");
    expect(scheduler.room("+1")).toBe("sender-full");
  });

  it("after stop starts nothing new; idle waits for running turns and gives up at its timeout", async () => {
    const { scheduler, started, add, finish } = harness({ maxConcurrent: 1, maxPerSender: 5, maxTotal: 5 });
    add("+1", "1a");
    add("+2", "2a");
    scheduler.stop();
    let idle: boolean | undefined;
    const waiting = scheduler.idle(60_000).then((value) => (idle = value));
    await Promise.resolve();
    expect(idle).toBeUndefined();
    await finish("1a");
    await waiting;
    expect(idle).toBe(true);
    expect(started).toEqual(["1a"]);
    expect(scheduler.waiting).toBe(1);
  });

  it("a stopped scheduler still queues (holdTurns), so the caps count held texts", () => {
    const { scheduler, started, add } = harness({ maxConcurrent: 2, maxPerSender: 1, maxTotal: 5 });
    scheduler.stop();
    add("+1", "1a");
    expect(started).toEqual([]);
    expect(scheduler.room("+1")).toBe("sender-full");
  });
});
