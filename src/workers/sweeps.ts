/**
 * A sweep run on a timer, one at a time: a slow database must not pile sweeps up. The timer skips
 * a turn while one runs; an explicit `sweep()` waits for it and runs one more (one at most), so
 * what it sees is the state after the call (the clock a test moved, a row just written).
 */
export interface SerialSweeps {
  /** Runs a sweep that starts after this call (after the one under way, if any). */
  sweep(): Promise<void>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** `run` never rejects (each sweep logs its own failures). */
export function serialSweeps(run: () => Promise<void>, intervalMs: number): SerialSweeps {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = run().finally(() => {
      running = null;
    });
    return running;
  };
  const sweep = (): Promise<void> => {
    if (running === null) return start();
    queued ??= running.then(() => {
      queued = null;
      return start();
    });
    return queued;
  };
  const timer = setInterval(() => {
    if (running === null) void start();
  }, intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await queued;
      await running;
    },
  };
}
