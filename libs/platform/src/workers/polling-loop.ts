/**
 * The one loop behind every "drain a table" worker (the outbox relay, the mail sender):
 * run a pass, then the next one at once when there is more to do or a nudge came meanwhile,
 * else after the poll interval; after a failure, wait longer. One pass at a time.
 */
export class PollingLoop {
  private timer?: NodeJS.Timeout;
  private running = false;
  private inFlight?: Promise<void>;
  private nudgedDuringPass = false;

  constructor(
    /** Returns how many items the pass handled. */
    private readonly pass: () => Promise<number>,
    private readonly options: {
      intervalMs: number;
      failureDelayMs?: number;
      /** Run again at once after a pass that handled `n` items (e.g. a full batch). */
      moreToDo: (handled: number) => boolean;
      onError: (error: Error) => void;
    },
  ) {}

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Ask for a pass soon, e.g. right after a transaction that queued work committed. */
  nudge(): void {
    if (!this.running) return;
    if (this.inFlight) this.nudgedDuringPass = true;
    else this.schedule(0);
  }

  /** Stops scheduling and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.running || this.inFlight) return;
    this.nudgedDuringPass = false;
    let delay = this.options.intervalMs;
    this.inFlight = this.pass().then(
      (handled) => {
        if (this.options.moreToDo(handled) || this.nudgedDuringPass) delay = 0;
      },
      (error: Error) => {
        delay = this.options.failureDelayMs ?? 1000;
        this.options.onError(error);
      },
    );
    await this.inFlight;
    this.inFlight = undefined;
    if (this.running) this.schedule(delay);
  }
}
