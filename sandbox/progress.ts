// A line that tells the person at the terminal what they are waiting for and
// for how long: on a terminal it counts the seconds in place; in a log (no
// TTY) it prints one line when the step starts and one when it ends.
export type ProgressStream = Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };

export type Step = {
  /** Ends the step and returns its duration in milliseconds. */
  done(result?: string): number;
};

const seconds = (ms: number) => `${Math.floor(ms / 1000)} s`;

/** Starts a step shown as "[sandbox] <label>… <n> s"; `now` is injectable for tests. */
export function startStep(label: string, stream: ProgressStream = process.stderr, now: () => number = Date.now): Step {
  const started = now();
  const line = () => `[sandbox] ${label}… ${seconds(now() - started)}`;
  let timer: NodeJS.Timeout | undefined;
  if (stream.isTTY) {
    stream.write(line());
    timer = setInterval(() => stream.write(`\r\x1b[2K${line()}`), 1_000);
    timer.unref();
  } else {
    stream.write(`[sandbox] ${label}…\n`);
  }
  let finished = false;
  return {
    done(result = "done") {
      const elapsed = now() - started;
      if (finished) return elapsed;
      finished = true;
      clearInterval(timer);
      const summary = `[sandbox] ${label}: ${result} in ${(elapsed / 1000).toFixed(1)} s\n`;
      stream.write(stream.isTTY ? `\r\x1b[2K${summary}` : summary);
      return elapsed;
    },
  };
}
