/**
 * Per-dialect request counters, by method and route pattern (`GET /organizations/:organization_id`)
 * and by answer status. Tests and benchmarks read them through `GET /_admin/counters` to prove how
 * many calls a client made. In memory only; `DELETE /_admin/counters` zeroes them.
 */

export interface RouteCounter {
  count: number;
  /** Answers by HTTP status; `reset` for connections the fault injector destroyed. */
  statuses: Record<string, number>;
}

export interface DialectCounters {
  total: number;
  routes: Record<string, RouteCounter>;
}

export interface CountersSnapshot {
  since: string;
  total: number;
  /** Requests refused with 401 / 429 before reaching a handler, across dialects. */
  unauthenticated: number;
  rate_limited: number;
  dialects: Record<string, DialectCounters>;
}

export class Counters {
  private since = new Date();
  private total = 0;
  private unauthenticated = 0;
  private rateLimited = 0;
  private dialects = new Map<string, DialectCounters>();

  constructor(private readonly now: () => Date = () => new Date()) {
    this.since = now();
  }

  private route(dialect: string, key: string): RouteCounter {
    let d = this.dialects.get(dialect);
    if (!d) {
      d = { total: 0, routes: {} };
      this.dialects.set(dialect, d);
    }
    return (d.routes[key] ??= { count: 0, statuses: {} });
  }

  request(dialect: string, key: string): void {
    this.total += 1;
    this.route(dialect, key).count += 1;
    this.dialects.get(dialect)!.total += 1;
  }

  answer(dialect: string, key: string, status: number | "reset"): void {
    const r = this.route(dialect, key);
    r.statuses[String(status)] = (r.statuses[String(status)] ?? 0) + 1;
    if (status === 401) this.unauthenticated += 1;
    if (status === 429) this.rateLimited += 1;
  }

  snapshot(): CountersSnapshot {
    const dialects: Record<string, DialectCounters> = {};
    for (const [name, d] of this.dialects) {
      dialects[name] = {
        total: d.total,
        routes: Object.fromEntries(Object.entries(d.routes).map(([k, v]) => [k, { count: v.count, statuses: { ...v.statuses } }])),
      };
    }
    return {
      since: this.since.toISOString(),
      total: this.total,
      unauthenticated: this.unauthenticated,
      rate_limited: this.rateLimited,
      dialects,
    };
  }

  reset(): void {
    this.since = this.now();
    this.total = this.unauthenticated = this.rateLimited = 0;
    this.dialects.clear();
  }
}
