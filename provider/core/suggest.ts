/**
 * "Did you mean" helper: the closest candidate within a small edit distance, if any.
 *
 * Cheap for many candidates: a candidate whose length differs by more than the allowed distance is
 * skipped without computing anything, and the distance computation gives up as soon as it cannot
 * beat the best so far. Callers with many inputs (one per organization) cache per input and cap
 * how many inputs get a suggestion (see `Suggester`).
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = normalize(input);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const other = normalize(c);
    const limit = Math.min(allowedDistance(input, c), bestScore - 1);
    if (Math.abs(needle.length - other.length) > limit) continue;
    suggestionWork.distances++;
    const d = boundedLevenshtein(needle, other, limit);
    if (d <= limit) {
      bestScore = d;
      best = c;
    }
  }
  return best;
}

/** Distance computations done so far, process-wide: lets tests check that the work is bounded. */
export const suggestionWork = { distances: 0 };

/** About a third of the longer word, at least 2. */
function allowedDistance(a: string, b: string): number {
  return Math.max(2, Math.floor(Math.max(a.length, b.length) / 3));
}

/** Case, `-` and `_` do not count: `businessEmail` matches `business_email`. */
function normalize(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * Suggestions for many inputs against one candidate list: each distinct input is computed once,
 * and only the first `maxInputs` distinct inputs get one (a file with thousands of different
 * misspellings gets hints for the first ones, not minutes of work).
 */
export class Suggester {
  private readonly cache = new Map<string, string | undefined>();
  constructor(
    private readonly candidates: () => Iterable<string>,
    private readonly maxInputs = 20,
  ) {}

  suggest(input: string, exclude?: string): string | undefined {
    const hit = this.cached(input, () => suggest(input, this.candidates()));
    if (hit === undefined || hit !== exclude) return hit;
    // The best candidate is excluded (never suggest an organization as its own parent): the next best.
    return this.cached(`${input}\u0000${exclude}`, () => suggest(input, [...this.candidates()].filter((c) => c !== exclude)));
  }

  private cached(id: string, compute: () => string | undefined): string | undefined {
    if (this.cache.has(id)) return this.cache.get(id);
    const hit = this.cache.size < this.maxInputs ? compute() : undefined;
    this.cache.set(id, hit);
    return hit;
  }
}

export function levenshtein(a: string, b: string): number {
  return boundedLevenshtein(a, b, Infinity);
}

/** Edit distance, or a number above `limit` as soon as the distance is known to exceed it. */
export function boundedLevenshtein(a: string, b: string, limit: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    let rowMin = prev[0];
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
      if (prev[j]! < rowMin) rowMin = prev[j]!;
    }
    if (rowMin > limit) return limit + 1;
  }
  return prev[b.length]!;
}
