// Client-side pacing per endpoint and credential, shared by every client of them in the process:
// a token bucket (requests per second, a burst of one second's worth), a cap on requests in
// flight, first come first served, and a pause for everyone when the API answers 429 (its
// Retry-After is meant for the credential, not for one request).
//
// Hand-written rather than p-queue or bottleneck: p-queue counts fixed windows (up to twice the
// rate across a window's edge, which a server's token bucket answers with 429s) and is ESM-only in
// this CommonJS build; bottleneck has had no release since 2019. This is the existing token bucket
// with a queue, a concurrency cap and a shared pause added.

export interface PacingSettings {
  /** Requests per second at most; undefined: unpaced. */
  ratePerSecond?: number;
  /** Requests in flight at most; undefined: no cap. */
  concurrency?: number;
}

/** Gives out the right to send one request: a slot (released when its answer is in) and a token. */
export class Pacer {
  private tokens: number;
  private last = Date.now();
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly queue: Array<() => void> = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly settings: PacingSettings) {
    this.tokens = settings.ratePerSecond ?? 0;
  }

  /** Waits for a slot and a token; call the answer once the request's response is in. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      this.queue.push(() => resolve(this.releaser()));
      this.drain();
    });
  }

  /** After a 429: nobody sends before `ms` has passed, and sending resumes at the rate, not in a burst. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.tokens = 0;
    this.last = this.pausedUntil;
    this.drain();
  }

  /** Requests waiting for their turn (for tests and progress). */
  get waiting(): number {
    return this.queue.length;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.drain();
    };
  }

  private drain(): void {
    const { ratePerSecond: rate, concurrency } = this.settings;
    while (this.queue.length > 0) {
      const now = Date.now();
      if (now < this.pausedUntil) return this.wakeIn(this.pausedUntil - now);
      if (concurrency !== undefined && this.inFlight >= concurrency) return; // a release drains again
      if (rate) {
        this.tokens = Math.min(rate, this.tokens + (Math.max(0, now - this.last) / 1000) * rate);
        this.last = Math.max(this.last, now);
        if (this.tokens < 1) return this.wakeIn(Math.ceil(((1 - this.tokens) / rate) * 1000));
        this.tokens -= 1;
      }
      this.inFlight += 1;
      this.queue.shift()!();
    }
  }

  private wakeIn(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, ms);
  }
}

const pacers = new Map<string, Pacer>();

/** The process-wide pacer of one endpoint + credential (the key holds no credential: a hash). */
export function pacerFor(key: string, settings: PacingSettings): Pacer {
  const full = `${key}|${settings.ratePerSecond ?? ""}|${settings.concurrency ?? ""}`;
  let pacer = pacers.get(full);
  if (!pacer) {
    pacer = new Pacer(settings);
    pacers.set(full, pacer);
  }
  return pacer;
}
