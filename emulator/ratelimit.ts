/**
 * Token-bucket rate limiting per credential (and per dialect: each vendor counts its own calls).
 * A bucket holds at most `burst` tokens and refills at `ratePerSecond`; a request takes one token or
 * is refused with the seconds until one is available.
 */

export interface RateLimitConfig {
  ratePerSecond: number;
  burst: number;
}

export interface BucketState {
  config: RateLimitConfig;
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds (rounded up) until a refused request could succeed; 0 when allowed. */
  retryAfterSeconds: number;
  /** Seconds (rounded up) until the bucket is full again. */
  resetSeconds: number;
}

/**
 * The de-facto `X-RateLimit-*` trio (limit, remaining, seconds until reset; on a refusal, until
 * the next token), for dialects whose vendor sends it (ZenML, AIA Engine).
 */
export function xRateLimitHeaders(state: BucketState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(state.config.burst),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-reset": String(state.allowed ? state.resetSeconds : state.retryAfterSeconds),
  };
}

/**
 * Parses `10/s`, `600/m`, `10/s,burst=20` (or `10`, meaning per second). `off`, `none`, `0` and the
 * empty string disable limiting (null).
 */
export function parseRateLimit(spec: string): RateLimitConfig | null {
  const s = spec.trim().toLowerCase();
  if (s === "" || s === "off" || s === "none" || s === "0" || s === "0/s") return null;
  const m = /^(\d+(?:\.\d+)?)(?:\s*\/\s*(s|sec|second|m|min|minute))?(?:\s*,\s*burst\s*=\s*(\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid rate limit "${spec}": expected <n>/s or <n>/m, optionally ",burst=<n>"`);
  const n = Number(m[1]);
  const perMinute = m[2] !== undefined && m[2].startsWith("m");
  const ratePerSecond = perMinute ? n / 60 : n;
  if (!(ratePerSecond > 0)) return null;
  // Default burst: one unit's worth of requests (10/s -> 10, 600/m -> 600).
  const burst = m[3] !== undefined ? Number(m[3]) : Math.max(1, Math.round(n));
  if (burst < 1) throw new Error(`invalid rate limit "${spec}": burst must be at least 1`);
  return { ratePerSecond, burst };
}

export function formatRateLimit(c: RateLimitConfig | null): string {
  return c ? `${c.ratePerSecond}/s,burst=${c.burst}` : "off";
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private global: RateLimitConfig | null = null;
  private perDialect = new Map<string, RateLimitConfig | null>();
  private buckets = new Map<string, Bucket>();

  constructor(private readonly nowMs: () => number = () => Date.now()) {}

  /** Sets the limit for every dialect (`dialect` undefined) or overrides it for one dialect. */
  configure(config: RateLimitConfig | null, dialect?: string): void {
    if (dialect === undefined) {
      this.global = config;
      this.perDialect.clear();
    } else {
      this.perDialect.set(dialect, config);
    }
    this.buckets.clear();
  }

  /** Removes a per-dialect override. */
  clearDialect(dialect: string): void {
    this.perDialect.delete(dialect);
    this.buckets.clear();
  }

  configFor(dialect: string): RateLimitConfig | null {
    return this.perDialect.has(dialect) ? this.perDialect.get(dialect)! : this.global;
  }

  describe(): { global: RateLimitConfig | null; dialects: Record<string, RateLimitConfig | null> } {
    return { global: this.global, dialects: Object.fromEntries(this.perDialect) };
  }

  resetBuckets(): void {
    this.buckets.clear();
  }

  /** Takes one token for `key` in `dialect`; null when no limit applies. */
  take(dialect: string, key: string): BucketState | null {
    const config = this.configFor(dialect);
    if (!config) return null;
    const now = this.nowMs();
    const id = `${dialect}\0${key}`;
    let b = this.buckets.get(id);
    if (!b) {
      b = { tokens: config.burst, at: now };
      this.buckets.set(id, b);
    }
    b.tokens = Math.min(config.burst, b.tokens + ((now - b.at) / 1000) * config.ratePerSecond);
    b.at = now;
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    const deficit = allowed ? 0 : 1 - b.tokens;
    return {
      config,
      allowed,
      remaining: Math.floor(b.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(deficit / config.ratePerSecond)),
      resetSeconds: Math.ceil((config.burst - b.tokens) / config.ratePerSecond),
    };
  }
}
