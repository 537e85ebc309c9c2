/**
 * Deterministic fault injection. A fault configuration is a list of rules and a seed; every request
 * that passed authentication and rate limiting draws from one seeded PRNG in arrival order, so the
 * same seed and the same request sequence give the same faults.
 *
 * Spec string (CLI `--faults`, admin `{"spec": ...}`): rules separated by `;`, items by `,`:
 *
 *   latency=50ms | latency=20-80ms | latency=1s      added delay before the request is handled
 *   error=0.1 | error=0.1:503 | error=0.1:500|502    share answered with a server error (default 500|502|503)
 *   reset=0.05                                        share whose connection is destroyed, no answer
 *   commit-then-fail=0.2 | commit-then-fail=0.2:502 | commit-then-fail=0.2:reset
 *                                                     share of successful writes (POST/PUT/PATCH/DELETE)
 *                                                     that commit, then answer an error (or reset)
 *   dialect=cloudflare                                rule applies to one dialect only
 *   method=POST|PUT                                   rule applies to these methods only
 *   path=/organizations                               rule applies to paths (after the dialect prefix)
 *                                                     starting with this
 *   count=1                                           rule injects at most this many faults (latency
 *                                                     excluded), then stays inert
 *
 * Example: `latency=50ms,error=0.1,reset=0.05,commit-then-fail=0.2`.
 */

export interface FaultRule {
  dialect?: string;
  methods?: string[];
  path?: string;
  /** Inclusive range in milliseconds; [n, n] for a constant delay. */
  latencyMs?: [number, number];
  error?: { probability: number; statuses: number[] };
  reset?: number;
  commitThenFail?: { probability: number; status: number | "reset" };
  /** Faults left to inject (latency excluded); undefined = unlimited. */
  remaining?: number;
}

export interface FaultPlan {
  latencyMs: number;
  action: null | { kind: "reset" } | { kind: "error"; status: number };
  /**
   * Set when this write should commit and then fail. Call `fire()` once the write succeeded: it
   * returns false when the rule's `count` ran out in the meantime.
   */
  commitThenFail: null | { status: number | "reset"; fire(): boolean };
}

export interface FaultCounts {
  latency: number;
  error: number;
  reset: number;
  commit_then_fail: number;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const DEFAULT_ERROR_STATUSES = [500, 502, 503];
const FAULT_STATUSES = new Set([500, 502, 503, 504]);

/** mulberry32: small, fast, good enough for fault draws; fully determined by the seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseProbability(item: string, raw: string): number {
  const p = Number(raw);
  if (!Number.isFinite(p) || p < 0 || p > 1 || raw.trim() === "") {
    throw new Error(`invalid fault item "${item}": probability must be a number between 0 and 1`);
  }
  return p;
}

/** The longest delay a timer holds (2^31 - 1 ms, about 24.8 days); Node turns anything longer into 1 ms. */
export const MAX_LATENCY_MS = 2 ** 31 - 1;

function parseDuration(item: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw.trim());
  if (!m) throw new Error(`invalid fault item "${item}": expected a duration like 50ms or 1s`);
  const ms = Math.round(Number(m[1]) * (m[2] === "s" ? 1000 : 1));
  if (!(ms <= MAX_LATENCY_MS)) throw new Error(`invalid fault item "${item}": latency must be at most ${MAX_LATENCY_MS} ms (about 24.8 days, the longest a timer holds)`);
  return ms;
}

/** Latencies of several matching rules add up: refuse rules whose sum could exceed what a timer holds. */
export function checkFaultRules(rules: FaultRule[]): FaultRule[] {
  const worst = rules.reduce((sum, r) => sum + (r.latencyMs?.[1] ?? 0), 0);
  if (worst > MAX_LATENCY_MS) throw new Error(`the latencies of these rules add up to ${worst} ms: at most ${MAX_LATENCY_MS} ms (about 24.8 days, the longest a timer holds)`);
  return rules;
}

function parseStatuses(item: string, raw: string): number[] {
  return raw.split("|").map((s) => {
    const n = Number(s);
    if (!FAULT_STATUSES.has(n)) throw new Error(`invalid fault item "${item}": status ${s} is not one of 500, 502, 503, 504`);
    return n;
  });
}

/** Parses one rule (`,`-separated items). */
export function parseFaultRule(spec: string): FaultRule {
  const rule: FaultRule = {};
  for (const rawItem of spec.split(",")) {
    const item = rawItem.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) throw new Error(`invalid fault item "${item}": expected key=value`);
    const key = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    const [head, tail] = value.split(":", 2) as [string, string | undefined];
    switch (key) {
      case "latency": {
        const range = /^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
        if (range) {
          const unit = range[3] ?? "ms";
          const lo = parseDuration(item, range[1] + unit);
          const hi = parseDuration(item, range[2] + unit);
          if (hi < lo) throw new Error(`invalid fault item "${item}": range upper bound below lower bound`);
          rule.latencyMs = [lo, hi];
        } else {
          const ms = parseDuration(item, value);
          rule.latencyMs = [ms, ms];
        }
        break;
      }
      case "error":
        rule.error = { probability: parseProbability(item, head), statuses: tail ? parseStatuses(item, tail) : DEFAULT_ERROR_STATUSES };
        break;
      case "reset":
        rule.reset = parseProbability(item, value);
        break;
      case "commit-then-fail":
      case "commit_then_fail": {
        let status: number | "reset" = 500;
        if (tail === "reset") status = "reset";
        else if (tail) status = parseStatuses(item, tail)[0];
        rule.commitThenFail = { probability: parseProbability(item, head), status };
        break;
      }
      case "dialect":
        rule.dialect = value;
        break;
      case "method":
      case "methods":
        rule.methods = value.split("|").map((m) => m.trim().toUpperCase()).filter(Boolean);
        break;
      case "path":
        if (!value.startsWith("/")) throw new Error(`invalid fault item "${item}": path must start with /`);
        rule.path = value;
        break;
      case "count": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) throw new Error(`invalid fault item "${item}": count must be a non-negative integer`);
        rule.remaining = n;
        break;
      }
      default:
        throw new Error(
          `unknown fault item "${item}": expected latency, error, reset, commit-then-fail, dialect, method, path or count`,
        );
    }
  }
  return rule;
}

/** Parses a full spec: rules separated by `;`. The empty string and `off` mean no faults. */
export function parseFaultSpec(spec: string): FaultRule[] {
  const s = spec.trim();
  if (s === "" || s.toLowerCase() === "off" || s.toLowerCase() === "none") return [];
  return checkFaultRules(s.split(";").map((r) => r.trim()).filter(Boolean).map(parseFaultRule));
}

/** JSON form used by the admin API (snake_case), both ways. */
export interface FaultRuleJson {
  dialect?: string;
  methods?: string[];
  path?: string;
  latency_ms?: number | [number, number];
  error?: number;
  error_statuses?: number[];
  reset?: number;
  commit_then_fail?: number;
  commit_then_fail_status?: number | "reset";
  count?: number;
}

export function ruleFromJson(j: FaultRuleJson): FaultRule {
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw new Error("a fault rule must be an object");
  const known = new Set(["dialect", "methods", "path", "latency_ms", "error", "error_statuses", "reset", "commit_then_fail", "commit_then_fail_status", "count"]);
  for (const k of Object.keys(j)) if (!known.has(k)) throw new Error(`unknown fault rule field "${k}"`);
  const items: string[] = [];
  if (j.dialect !== undefined) items.push(`dialect=${j.dialect}`);
  if (j.methods !== undefined) items.push(`method=${j.methods.join("|")}`);
  if (j.path !== undefined) items.push(`path=${j.path}`);
  if (j.latency_ms !== undefined) items.push(`latency=${Array.isArray(j.latency_ms) ? `${j.latency_ms[0]}-${j.latency_ms[1]}` : j.latency_ms}ms`);
  if (j.error !== undefined) items.push(`error=${j.error}${j.error_statuses ? ":" + j.error_statuses.join("|") : ""}`);
  if (j.reset !== undefined) items.push(`reset=${j.reset}`);
  if (j.commit_then_fail !== undefined) items.push(`commit-then-fail=${j.commit_then_fail}${j.commit_then_fail_status !== undefined ? ":" + j.commit_then_fail_status : ""}`);
  if (j.count !== undefined) items.push(`count=${j.count}`);
  return parseFaultRule(items.join(","));
}

export function ruleToJson(r: FaultRule): FaultRuleJson {
  const j: FaultRuleJson = {};
  if (r.dialect !== undefined) j.dialect = r.dialect;
  if (r.methods !== undefined) j.methods = r.methods;
  if (r.path !== undefined) j.path = r.path;
  if (r.latencyMs) j.latency_ms = r.latencyMs[0] === r.latencyMs[1] ? r.latencyMs[0] : r.latencyMs;
  if (r.error) {
    j.error = r.error.probability;
    j.error_statuses = r.error.statuses;
  }
  if (r.reset !== undefined) j.reset = r.reset;
  if (r.commitThenFail) {
    j.commit_then_fail = r.commitThenFail.probability;
    j.commit_then_fail_status = r.commitThenFail.status;
  }
  if (r.remaining !== undefined) j.count = r.remaining;
  return j;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private seed = 1;
  private random: () => number = mulberry32(1);
  readonly counts: FaultCounts = { latency: 0, error: 0, reset: 0, commit_then_fail: 0 };

  /** Replaces the rules and restarts the PRNG from `seed`. */
  configure(rules: FaultRule[], seed: number): void {
    this.rules = rules.map((r) => ({ ...r }));
    this.seed = seed >>> 0;
    this.random = mulberry32(this.seed);
  }

  describe(): { seed: number; rules: FaultRuleJson[]; injected: FaultCounts } {
    return { seed: this.seed, rules: this.rules.map(ruleToJson), injected: { ...this.counts } };
  }

  resetCounts(): void {
    this.counts.latency = this.counts.error = this.counts.reset = this.counts.commit_then_fail = 0;
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Decides the faults of one request. Draw order per matching rule: latency, reset, error, commit-then-fail. */
  plan(dialect: string, method: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, action: null, commitThenFail: null };
    if (this.rules.length === 0) return plan;
    const m = method.toUpperCase();
    for (const rule of this.rules) {
      if (rule.dialect !== undefined && rule.dialect !== dialect) continue;
      if (rule.methods !== undefined && !rule.methods.includes(m)) continue;
      if (rule.path !== undefined && !path.startsWith(rule.path)) continue;
      if (rule.latencyMs) {
        const [lo, hi] = rule.latencyMs;
        plan.latencyMs += lo === hi ? lo : lo + Math.floor(this.random() * (hi - lo + 1));
      }
      const exhausted = (): boolean => rule.remaining !== undefined && rule.remaining <= 0;
      const spend = (): void => {
        if (rule.remaining !== undefined) rule.remaining -= 1;
      };
      if (rule.reset !== undefined) {
        const hit = this.random() < rule.reset;
        if (hit && plan.action === null && !exhausted()) {
          plan.action = { kind: "reset" };
          spend();
        }
      }
      if (rule.error) {
        const hit = this.random() < rule.error.probability;
        const pick = this.random();
        if (hit && plan.action === null && !exhausted()) {
          plan.action = { kind: "error", status: rule.error.statuses[Math.floor(pick * rule.error.statuses.length)] };
          spend();
        }
      }
      if (rule.commitThenFail && WRITE_METHODS.has(m)) {
        const hit = this.random() < rule.commitThenFail.probability;
        if (hit && plan.action === null && plan.commitThenFail === null && !exhausted()) {
          plan.commitThenFail = {
            status: rule.commitThenFail.status,
            fire: () => {
              if (exhausted()) return false;
              spend();
              this.counts.commit_then_fail += 1;
              return true;
            },
          };
        }
      }
    }
    if (plan.latencyMs > 0) this.counts.latency += 1;
    if (plan.action?.kind === "reset") this.counts.reset += 1;
    if (plan.action?.kind === "error") this.counts.error += 1;
    return plan;
  }
}
